# Host tests of fibers and their mutex/condvar (lib/fiber), context
# switches included: it is plain x86_64 user code, under ASan and UBSan
# (fiber.c announces each stack switch to ASan). The event loop needs a
# kernel queue and is tested in the guest (user/fiber_test).
$(eval $(call host_test,test_fiber,lib/fiber/fiber.c lib/fiber/sync.c \
	lib/fiber/switch.S))
$(BUILD)/host/test_fiber: lib/fiber/fiber.h lib/fiber/sync.h
