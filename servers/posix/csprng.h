/*
 * The posix server's random numbers (/dev/random, /dev/urandom,
 * getrandom(2), AT_RANDOM): ChaCha20 in counter mode under a 256-bit key
 * that is replaced after every request by key stream nobody saw ("fast
 * key erasure"), so earlier output cannot be recomputed from the state.
 * The server seeds it from whatever entropy it has (RDRAND/RDSEED, the
 * TSC, the RTC); seeding mixes into the key, never replaces it. Output is
 * deterministic for a given sequence of seeds (tests rely on that).
 */
#pragma once

#include <stddef.h>

/* Mixes @len bytes of @seed into the key. */
void csprng_seed(const void *seed, size_t len);
/* Fills @buf with @len random bytes. */
void csprng_read(void *buf, size_t len);
