/*
 * Keel error codes (kernel <-> user contract). Functions that can fail
 * return an err_t and deliver results through out-parameters. Syscalls
 * return the negated value in rax on failure.
 */
#pragma once

typedef enum {
#define X(name, value, text) ERR_##name = value,
#include <keel/errors.def>
#undef X
	ERR_COUNT
} err_t;

/* Returns a short English description of @err ("unknown error" if none). */
const char *error_str(err_t err);
