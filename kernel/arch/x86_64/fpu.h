/*
 * User FPU/SSE/AVX state. The kernel itself never touches these
 * registers (-mgeneral-regs-only), so they only need saving when the CPU
 * switches between user threads: eagerly, with XSAVE when the CPU has it
 * (x87, SSE and AVX state enabled in XCR0) and FXSAVE otherwise.
 */
#pragma once

#include <keel/error.h>

#include <stddef.h>

/* Enables the FPU, SSE and, where present, XSAVE/AVX on this CPU. */
void fpu_init_cpu(void);
/* Size of a state area (64-byte aligned allocation required). */
size_t fpu_state_size(void);
/* Writes the state of a fresh thread (default control words) to @area. */
void fpu_state_init(void *area);
/* Whether @area (fpu_state_size() bytes, from user space) can be
 * restored without a fault. ERR_OK or ERR_INVALID. */
err_t fpu_state_check(const void *area);
void fpu_save(void *area);
void fpu_restore(const void *area);
