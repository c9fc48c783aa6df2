/*
 * ChaCha20 block function, written from RFC 8439 section 2: a 4x4 state
 * of constants, key, counter and nonce; 20 rounds (10 column and 10
 * diagonal double rounds) of quarter rounds; the input added back; the
 * words serialised little-endian.
 */
#include "chacha20.h"

static uint32_t rotl(uint32_t v, unsigned n)
{
	return (v << n) | (v >> (32 - n));
}

#define QUARTER(a, b, c, d)                                                 \
	do {                                                                \
		a += b;                                                     \
		d = rotl(d ^ a, 16);                                        \
		c += d;                                                     \
		b = rotl(b ^ c, 12);                                        \
		a += b;                                                     \
		d = rotl(d ^ a, 8);                                         \
		c += d;                                                     \
		b = rotl(b ^ c, 7);                                         \
	} while (0)

void chacha20_block(const uint32_t key[8], uint32_t counter,
		    const uint32_t nonce[3], uint8_t out[CHACHA20_BLOCK])
{
	uint32_t in[16], x[16];

	/* "expand 32-byte k" */
	in[0] = 0x61707865u;
	in[1] = 0x3320646eu;
	in[2] = 0x79622d32u;
	in[3] = 0x6b206574u;
	for (int i = 0; i < 8; i++) {
		in[4 + i] = key[i];
	}
	in[12] = counter;
	in[13] = nonce[0];
	in[14] = nonce[1];
	in[15] = nonce[2];
	for (int i = 0; i < 16; i++) {
		x[i] = in[i];
	}
	for (int i = 0; i < 10; i++) {
		QUARTER(x[0], x[4], x[8], x[12]);
		QUARTER(x[1], x[5], x[9], x[13]);
		QUARTER(x[2], x[6], x[10], x[14]);
		QUARTER(x[3], x[7], x[11], x[15]);
		QUARTER(x[0], x[5], x[10], x[15]);
		QUARTER(x[1], x[6], x[11], x[12]);
		QUARTER(x[2], x[7], x[8], x[13]);
		QUARTER(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}
