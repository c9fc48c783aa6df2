/*
 * Tests of servers/posix/chacha20.c against the block function test
 * vector of RFC 8439 (section 2.3.2), and of the generator over it
 * (csprng.c): requests never repeat, seeding changes the stream, and
 * the output looks uniform (bit and byte counts within wide bounds; the
 * generator is deterministic, so these never flake).
 */
#include <stdint.h>

#include "../../servers/posix/chacha20.h"
#include "../../servers/posix/csprng.h"

#include "check.h"

TEST(chacha20_rfc8439_block)
{
	static const uint8_t expect[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f,
		0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7,
		0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4,
		0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09,
		0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12,
		0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8,
		0xa2, 0x50, 0x3c, 0x4e,
	};
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	uint8_t out[64];

	/* Key bytes 00 01 02 ... 1f, loaded little-endian. */
	for (int i = 0; i < 8; i++) {
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
			 (uint32_t)(4 * i + 2) << 16 |
			 (uint32_t)(4 * i + 3) << 24;
	}
	chacha20_block(key, 1, nonce, out);
	CHECK(memcmp(out, expect, 64) == 0);
	/* Another counter gives another block. */
	chacha20_block(key, 2, nonce, out);
	CHECK(memcmp(out, expect, 64) != 0);
}

TEST(csprng_stream)
{
	static uint8_t big[1 << 20];
	uint8_t a[100], b[100], c[100];
	unsigned counts[256] = { 0 };
	uint64_t ones = 0;

	csprng_seed("seed", 4);
	csprng_read(a, sizeof(a));
	csprng_read(b, sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	/* Seeding mixes in: the next output differs from an unseeded
	 * continuation, and zero-length requests are fine. */
	csprng_read(c, 0);
	csprng_seed("more", 4);
	csprng_read(c, sizeof(c));
	CHECK(memcmp(c, a, sizeof(c)) != 0);
	CHECK(memcmp(c, b, sizeof(c)) != 0);
	/* One large request: no block repeats within it, counts look
	 * uniform. */
	csprng_read(big, sizeof(big));
	CHECK(memcmp(big, big + 64, 64) != 0);
	CHECK(memcmp(big, big + sizeof(big) - 64, 64) != 0);
	for (size_t i = 0; i < sizeof(big); i++) {
		counts[big[i]]++;
		ones += (uint64_t)__builtin_popcount(big[i]);
	}
	/* Expected 4096 per byte value (sd 64); 8 Mbit half ones (sd
	 * 1448). */
	for (int v = 0; v < 256; v++) {
		if (counts[v] < 3600 || counts[v] > 4600) {
			CHECK_EQ(counts[v], 4096);
			break;
		}
	}
	CHECK(ones > 4194304 - 15000 && ones < 4194304 + 15000);
}

int main(void)
{
	RUN(chacha20_rfc8439_block);
	RUN(csprng_stream);
	return check_done();
}
