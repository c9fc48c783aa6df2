# Host tests of pure kernel code: the buddy and slab allocators and the
# ACPI table parser (kernel/generic/mm, kernel/generic/acpi).
$(eval $(call host_test,test_buddy,kernel/generic/mm/buddy.c))
$(eval $(call host_test,test_slab,kernel/generic/mm/slab.c))
$(eval $(call host_test,test_acpi,kernel/generic/acpi/tables.c))
$(eval $(call host_test,test_timer_heap,kernel/generic/time/timer_heap.c))
