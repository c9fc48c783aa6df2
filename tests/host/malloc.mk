# Host tests of the allocator core behind lib/rt's malloc, over a fake
# page source (mmap); the kernel page source and the lock (malloc.c) are
# tested in the guest (user/malloc_test).
$(eval $(call host_test,test_malloc,lib/rt/heap.c))
$(BUILD)/host/test_malloc: lib/rt/heap.h
