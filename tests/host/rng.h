/*
 * The deterministic pseudo-random numbers host tests drive churn and
 * mutation with (xorshift64*): the same sequence on every run, so a
 * failure reproduces.
 */
#pragma once

#include <stdint.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1; /* zero is xorshift's fixed point */
}

static inline uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static inline uint64_t rng(void)
{
	return rng_next();
}
