/*
 * ChaCha20-based generator (see csprng.h). The 96-bit nonce carries the
 * high bits of a 128-bit block counter, so the key stream of one key
 * never repeats within a request of any size.
 */
#include "csprng.h"

#include <stdint.h>

#include <base/string.h>

#include "chacha20.h"

static uint32_t key[8];
static uint64_t generation;	/* makes every request's stream distinct */

static void block(uint64_t n, uint8_t out[CHACHA20_BLOCK])
{
	uint32_t nonce[3] = { (uint32_t)(n >> 32), (uint32_t)generation,
			      (uint32_t)(generation >> 32) };

	chacha20_block(key, (uint32_t)n, nonce, out);
}

/* Replaces the key with the first 32 bytes of a fresh block. */
static void rekey(uint64_t n)
{
	uint8_t b[CHACHA20_BLOCK];

	block(n, b);
	for (int i = 0; i < 8; i++) {
		key[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
			 (uint32_t)b[4 * i + 2] << 16 |
			 (uint32_t)b[4 * i + 3] << 24;
	}
	memset(b, 0, sizeof(b));
	generation++;
}

void csprng_seed(const void *seed, size_t len)
{
	const uint8_t *s = seed;

	for (size_t i = 0; i < len; i++) {
		key[(i / 4) % 8] ^= (uint32_t)s[i] << (8 * (i % 4));
		if (i % 32 == 31) {
			rekey(0);
		}
	}
	rekey(0);
}

void csprng_read(void *buf, size_t len)
{
	uint8_t *out = buf, b[CHACHA20_BLOCK];
	uint64_t n = 1;		/* block 0 is for the next key */

	while (len > 0) {
		size_t k = len < CHACHA20_BLOCK ? len : CHACHA20_BLOCK;

		block(n++, b);
		memcpy(out, b, k);
		out += k;
		len -= k;
	}
	memset(b, 0, sizeof(b));
	rekey(0);
}
