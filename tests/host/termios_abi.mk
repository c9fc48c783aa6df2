# Host test of the Linux terminal ABI values (abi/linux_abi/termios.h,
# ioctl.h) against the host's UAPI headers. Its own rule, built without
# -Iabi: our abi/linux_abi/ioctl.h would otherwise stand in for the host's
# <linux_abi/ioctl.h>, which the host's asm/ headers include.
HOST_TESTS += $(BUILD)/host/test_termios_abi
$(BUILD)/host/test_termios_abi: tests/host/test_termios_abi.c \
		abi/linux_abi/termios.h abi/linux_abi/ioctl.h tests/host/check.h
	$(call msg,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(filter-out -Iabi,$(HOST_CFLAGS)) \
		-DCHECK_SUITE='"test_termios_abi"' -o $@ $<
