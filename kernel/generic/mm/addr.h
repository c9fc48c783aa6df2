/*
 * Address kinds and the kernel's virtual memory layout.
 *
 * Physical addresses (paddr_t) and user addresses (uaddr_t) are integers,
 * never pointers, so they cannot be dereferenced by mistake: physical
 * memory is reached through the direct map (phys_to_virt), user memory
 * only through the copy-in/copy-out helpers of user/uaccess.h.
 *
 * Layout (x86_64, 4-level paging):
 *   0                  .. USER_TOP            user space (lower half)
 *   DIRECT_MAP_BASE    .. +DIRECT_MAP_SIZE    all physical memory, and MMIO
 *                                             mapped on demand, same offset
 *   KERNEL_VMA         .. (top)               the kernel image (-2 GiB)
 */
#pragma once

#include <stdint.h>

typedef uint64_t paddr_t;
typedef uint64_t uaddr_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define LARGE_PAGE_SIZE (1ul << 21)

#define USER_TOP 0x0000800000000000ul
#define DIRECT_MAP_BASE 0xffff800000000000ul
#define DIRECT_MAP_SIZE 0x0000400000000000ul /* 64 TiB */
#define KERNEL_VMA 0xffffffff80000000ul

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

/* Works for direct-map addresses and for the kernel image. */
static inline paddr_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;

	if (v >= KERNEL_VMA) {
		return v - KERNEL_VMA;
	}
	return v - DIRECT_MAP_BASE;
}
