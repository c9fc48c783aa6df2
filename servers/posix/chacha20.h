/*
 * The ChaCha20 block function (RFC 8439, section 2.3): 64 bytes of key
 * stream from a 256-bit key, a 32-bit block counter and a 96-bit nonce.
 * Pure computation; the generator behind /dev/urandom (csprng.h) is built
 * on it.
 */
#pragma once

#include <stdint.h>

#define CHACHA20_BLOCK 64

/* The key words and nonce words are little-endian loads of the RFC's
 * byte strings. */
void chacha20_block(const uint32_t key[8], uint32_t counter,
		    const uint32_t nonce[3], uint8_t out[CHACHA20_BLOCK]);
