# Host tests of the freestanding libraries (lib/base, lib/elf, lib/cpio)
# and of the pure multiboot2 and log-line code built on them. The lib
# sources use libc's mem*/str* here, except test_string, which includes
# lib/base/string.c itself under renamed symbols so that ours and libc's
# can be compared side by side.
$(eval $(call host_test,test_string,))
$(BUILD)/host/test_string: lib/base/string.c lib/base/string.h

$(eval $(call host_test,test_fmt,lib/base/fmt.c))
$(BUILD)/host/test_fmt: lib/base/fmt.h

$(eval $(call host_test,test_error,lib/base/error.c))
$(BUILD)/host/test_error: abi/keel/errors.def abi/keel/error.h

$(eval $(call host_test,test_elf64,lib/elf/elf64.c))
$(BUILD)/host/test_elf64: lib/elf/elf64.h

$(eval $(call host_test,test_cpio,lib/cpio/cpio.c))
$(BUILD)/host/test_cpio: lib/cpio/cpio.h

$(eval $(call host_test,test_multiboot2,kernel/generic/boot/multiboot2.c))
$(BUILD)/host/test_multiboot2: kernel/generic/boot/multiboot2.h

$(eval $(call host_test,test_log_format,kernel/generic/log/log_format.c \
	lib/base/fmt.c))
$(BUILD)/host/test_log_format: kernel/generic/log/log_format.h lib/base/fmt.h
