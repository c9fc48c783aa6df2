/*
 * Dies of a page fault at a null pointer: the kernel must kill this
 * process alone (self-test user_fault_kills_process).
 */
#include <rt/rt.h>

int main(void);

int main(void)
{
	volatile int *p = (volatile int *)0;

	rt_printf("about to fault");
	*p = 1;
	rt_printf("still alive after the fault: kernel bug");
	return 0;
}
