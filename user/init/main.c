/*
 * /bin/init for now: the first program the kernel starts. Says hello
 * through the kernel log and shows that time passes and the CPU can be
 * shared. The real init (mounts, drivers, the shell) comes with the posix
 * server.
 */
#include <rt/rt.h>

int main(void);

int main(void)
{
	rt_printf("hello from the first user program");
	for (int i = 0; i < 3; i++) {
		rt_yield();
	}
	rt_printf("uptime %lu ms; init has nothing more to do yet",
		  rt_clock_ns() / 1000000);
	return 0;
}
