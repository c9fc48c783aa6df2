/*
 * The memory devices of major 1, as Linux numbers them: /dev/null (3),
 * zero (5), full (7), random (8) and urandom (9). Reads of random and
 * urandom come from csprng.h (never block: the server seeds the
 * generator before the first program runs); writes to them are accepted
 * and mixed in.
 */
#pragma once

#define MEMDEV_MAJOR 1
#define MEMDEV_NULL 3
#define MEMDEV_ZERO 5
#define MEMDEV_FULL 7
#define MEMDEV_RANDOM 8
#define MEMDEV_URANDOM 9

/* Registers the five devices with devfs. 0 or devfs_register's error. */
int memdev_register(void);
