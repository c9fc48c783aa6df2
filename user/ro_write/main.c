/*
 * Maps a memory object read-only and writes to it: the kernel must refuse
 * the page fault and kill this process alone (self-test
 * write_to_read_only_mapping_kills).
 */
#include <rt/rt.h>

int main(void);

int main(void)
{
	int64_t mem = rt_syscall2(SYS_MEMORY_CREATE, 4096, 0);
	int64_t addr = rt_syscall6(SYS_VM_MAP, 0, (uint64_t)mem, 0, 4096, 0,
				   VM_READ);
	volatile uint64_t *p = (volatile uint64_t *)addr;

	if (mem < 0 || addr < 0) {
		rt_printf("setup failed: %ld %ld", mem, addr);
		return 2;
	}
	rt_printf("read %lu, now writing", (unsigned long)p[0]);
	p[0] = 1;
	rt_printf("the write went through: kernel bug");
	return 1;
}
