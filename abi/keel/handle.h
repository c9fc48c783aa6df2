/*
 * Handles and rights (kernel <-> user contract).
 *
 * A handle names a kernel object in the calling process's handle table.
 * Its value packs a slot index and a generation, so a handle that was
 * closed (and its slot reused) is detected rather than silently naming
 * another object. Each handle carries rights; an operation checks the
 * rights it needs. A duplicate may have fewer rights, never more.
 */
#pragma once

#include <stdint.h>

typedef uint32_t handle_t;

#define HANDLE_INVALID 0u
#define HANDLE_INDEX_BITS 20
#define HANDLE_INDEX_MASK ((1u << HANDLE_INDEX_BITS) - 1)

/* Rights. */
#define RIGHT_READ (1u << 0)	  /* read data/state */
#define RIGHT_WRITE (1u << 1)	  /* write data/state */
#define RIGHT_MAP (1u << 2)	  /* map a memory object */
#define RIGHT_EXEC (1u << 3)	  /* map executable */
#define RIGHT_DUPLICATE (1u << 4) /* make another handle to it */
#define RIGHT_TRANSFER (1u << 5)  /* send it to another process */
#define RIGHT_WAIT (1u << 6)	  /* submit waits on it */
#define RIGHT_SUPERVISE (1u << 7) /* supervise (threads, processes) */
#define RIGHTS_ALL 0xffffffffu

/* Object types, as handle_info reports them. */
enum object_type {
	OBJECT_NONE = 0,
	OBJECT_QUEUE = 1,
	OBJECT_MEMORY = 2,
	OBJECT_ADDRESS_SPACE = 3,
	OBJECT_THREAD = 4,
	OBJECT_PROCESS = 5,
	OBJECT_STREAM = 6,
	OBJECT_IRQ = 7,
	OBJECT_IO_PORTS = 8,
	OBJECT_TYPE_COUNT
};
