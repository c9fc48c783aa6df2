# Host tests of the posix server's process parts: the initial stack
# layout and the memory map.
$(eval $(call host_test,test_posix_stack,servers/posix/stack.c))
$(BUILD)/host/test_posix_stack: servers/posix/stack.h
$(eval $(call host_test,test_posix_vma,servers/posix/vma.c))
$(BUILD)/host/test_posix_vma: servers/posix/vma.h tests/host/rng.h
