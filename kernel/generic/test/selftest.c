/*
 * The self-test runner (see selftest.h). Tests are collected by the
 * linker into the .selftests section (kernel.ld).
 */
#include <base/fmt.h>
#include <log/log.h>
#include <test/selftest.h>

extern const struct selftest *const kernel_selftests_start[];
extern const struct selftest *const kernel_selftests_end[];

void selftest_fail(struct selftest_ctx *ctx, const char *file, int line,
		   const char *what)
{
	if (!ctx->failed) {
		fmt_snprintf(ctx->why, sizeof(ctx->why), "%s:%d: %s", file,
			     line, what);
	}
	ctx->failed = true;
}

void selftest_report(const char *name, bool ok, const char *why)
{
	if (ok) {
		log_raw("KTEST PASS %s\n", name);
	} else {
		log_raw("KTEST FAIL %s: %s\n", name, why);
	}
}

unsigned selftest_run_all(void)
{
	unsigned failed = 0;

	for (const struct selftest *const *p = kernel_selftests_start;
	     p < kernel_selftests_end; p++) {
		const struct selftest *t = *p;
		struct selftest_ctx ctx = { .failed = false };
		char name[64];

		t->fn(&ctx);
		fmt_snprintf(name, sizeof(name), "selftest/%s", t->name);
		selftest_report(name, !ctx.failed, ctx.why);
		failed += ctx.failed;
	}
	return failed;
}
