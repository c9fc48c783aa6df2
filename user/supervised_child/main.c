/*
 * Runs under user/supervisor: makes raw Linux system calls (getpid,
 * write, an unknown one), raises an invalid-opcode fault its supervisor
 * steps over, then exit_group(7). It checks the answers itself and folds
 * failures into the exit code the supervisor reports.
 */
#include <stdint.h>

int main(void);

static int64_t linux_call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	int64_t ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

int main(void)
{
	static const char hello[] = "hello from a supervised child";
	int bad = 0;

	if (linux_call(39, 0, 0, 0) != 4242) {		/* getpid */
		bad |= 1;
	}
	if (linux_call(1, 1, (uint64_t)hello, sizeof(hello) - 1) !=
	    sizeof(hello) - 1) {			/* write */
		bad |= 2;
	}
	if (linux_call(9999, 0, 0, 0) != -38) {		/* ENOSYS */
		bad |= 4;
	}
	__asm__ volatile("ud2");			/* stepped over */
	linux_call(231, (uint64_t)(7 + 16 * bad), 0, 0); /* exit_group */
	return 99;					/* not reached */
}
