/*
 * Error code descriptions, generated from the one list in
 * abi/keel/errors.def so that codes and strings cannot drift apart. The
 * table is indexed by value; values the list skips stay NULL.
 */
#include <stddef.h>

#include <keel/error.h>

static const char *const error_strings[] = {
#define X(name, value, text) [value] = text,
#include <keel/errors.def>
#undef X
};

const char *error_str(err_t err)
{
	unsigned long i = (unsigned long)err;

	if (i >= sizeof(error_strings) / sizeof(error_strings[0]) ||
	    !error_strings[i]) {
		return "unknown error";
	}
	return error_strings[i];
}
