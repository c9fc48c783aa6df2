/*
 * Test reporting for guest programs (see ktest.h).
 */
#include <rt/ktest.h>
#include <rt/rt.h>

static int ktest_failed;

void ktest_expect(const char *name, int64_t got, int64_t want)
{
	if (got == want) {
		rt_printf("KTEST PASS %s", name);
	} else {
		ktest_failed++;
		rt_printf("KTEST FAIL %s: got %ld, want %ld", name, got, want);
	}
}

void ktest_check(const char *name, bool ok, const char *why)
{
	if (ok) {
		rt_printf("KTEST PASS %s", name);
	} else {
		ktest_failed++;
		rt_printf("KTEST FAIL %s: %s", name, why);
	}
}

int ktest_failures(void)
{
	return ktest_failed;
}
