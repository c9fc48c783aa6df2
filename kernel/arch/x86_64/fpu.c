/*
 * FPU state handling (see fpu.h). XCR0 is set to every feature among
 * x87, SSE and AVX that the CPU supports; the area size comes from CPUID
 * leaf 0xD for exactly that set.
 *
 * Saving uses XSAVEOPT where the CPU has it: it skips the components a
 * thread left in their initial state or did not change since they were
 * restored from the same area, so a thread that does not touch the FPU
 * (most of the IPC paths: servers built without SSE) costs almost
 * nothing to save. The state is still switched eagerly at every switch:
 * deferring it (CR0.TS) would leak registers across processes to
 * speculation (the "lazy FP" attacks).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/fpu.h>
#include <base/string.h>
#include <log/log.h>

#define LOG_SUBSYS "fpu"
#define XCR0_X87 (1ul << 0)
#define XCR0_SSE (1ul << 1)
#define XCR0_AVX (1ul << 2)

static bool fpu_has_xsave;
static bool fpu_has_xsaveopt;
static uint64_t fpu_xcr0;
static size_t fpu_size = 512;

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv"
			 :
			 : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void fpu_init_cpu(void)
{
	uint32_t a, b, c, d;
	uint64_t cr0 = cpu_read_cr0();

	cr0 &= ~(CR0_EM | CR0_TS);
	cr0 |= CR0_MP | CR0_NE;
	cpu_write_cr0(cr0);
	cpu_write_cr4(cpu_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	cpu_cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1u << 26)) { /* XSAVE */
		bool boot = !fpu_xcr0;

		cpu_write_cr4(cpu_read_cr4() | CR4_OSXSAVE);
		if (boot) {
			fpu_xcr0 = XCR0_X87 | XCR0_SSE;
			if (c & (1u << 28)) {
				fpu_xcr0 |= XCR0_AVX;
			}
		}
		xsetbv(0, fpu_xcr0);
		if (boot) {
			cpu_cpuid(0xd, 0, &a, &b, &c, &d);
			fpu_size = b; /* for the features enabled in XCR0 */
			fpu_has_xsave = true;
			cpu_cpuid(0xd, 1, &a, &b, &c, &d);
			fpu_has_xsaveopt = a & 1;
			LOG("xsave%s, xcr0 %#lx, %zu bytes of state",
			    fpu_has_xsaveopt ? " (xsaveopt)" : "", fpu_xcr0,
			    fpu_size);
		}
	}
	__asm__ volatile("fninit");
}

size_t fpu_state_size(void)
{
	return fpu_size;
}

void fpu_state_init(void *area)
{
	uint8_t *p = area;

	memset(area, 0, fpu_size);
	*(uint16_t *)(p + 0) = 0x037f;	/* FCW: all exceptions masked */
	*(uint32_t *)(p + 24) = 0x1f80; /* MXCSR: likewise */
	/* XSAVE header (offset 512) all zero: components in init state
	 * except what the legacy area above says (XSTATE_BV x87|SSE). */
	if (fpu_has_xsave) {
		*(uint64_t *)(p + 512) = XCR0_X87 | XCR0_SSE;
	}
}

void fpu_save(void *area)
{
	if (fpu_has_xsaveopt) {
		__asm__ volatile("xsaveopt64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	} else if (fpu_has_xsave) {
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
	}
}

void fpu_restore(const void *area)
{
	if (fpu_has_xsave) {
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	} else {
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
	}
}
