/*
 * Tests of lib/base/error.c: every code in abi/keel/errors.def has its
 * own text, and values outside the list get "unknown error".
 */
#include <keel/error.h>

#include "check.h"

TEST(every_code_has_its_text)
{
#define X(name, value, text) CHECK_STR_EQ(error_str(ERR_##name), text);
#include <keel/errors.def>
#undef X
}

TEST(known_texts)
{
	CHECK_STR_EQ(error_str(ERR_OK), "success");
	CHECK_STR_EQ(error_str(ERR_CORRUPT), "corrupt or malformed data");
	CHECK_STR_EQ(error_str(ERR_NOT_FOUND), "not found");
}

TEST(unknown_values)
{
	CHECK_STR_EQ(error_str(ERR_COUNT), "unknown error");
	CHECK_STR_EQ(error_str((err_t)1000), "unknown error");
	CHECK_STR_EQ(error_str((err_t)-1), "unknown error");
	CHECK_STR_EQ(error_str((err_t)-(int)ERR_NOT_FOUND), "unknown error");
}

int main(void)
{
	RUN(every_code_has_its_text);
	RUN(known_texts);
	RUN(unknown_values);
	return check_done();
}
