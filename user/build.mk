# Our native user programs for the guest and the initrd that carries them.
# They use lib/rt (crt0 + native call wrappers) and lib/base, no libc.

USER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-common -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-sse \
	-mgeneral-regs-only $(WARN) $(COMMON_INC) -DUSER -MMD -MP
USER_LDFLAGS := -nostdlib -static -no-pie -Wl,-Ttext-segment=0x400000 \
	-Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack

USER_RT_OBJS := $(patsubst %,$(BUILD)/user/%.o,$(LIB_RT_SRCS) \
	$(LIB_FIBER_SRCS) $(LIB_BASE_SRCS))

$(BUILD)/user/%.c.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/user/%.S.o: %.S
	$(call msg,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# Each program is one folder user/<name>/ with its sources.
USER_PROGS := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard user/*/*.c)))))
USER_BINS := $(patsubst %,$(BUILD)/user/bin/%,$(USER_PROGS))

define user_prog
$(BUILD)/user/bin/$(1): $(patsubst %,$(BUILD)/user/%.o,$(wildcard user/$(1)/*.c)) $(USER_RT_OBJS)
	$$(call msg,LD,$$@)
	@mkdir -p $$(dir $$@)
	$(Q)$(CC) $(USER_LDFLAGS) -o $$@ $$^
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog,$(p))))

# serial_test runs the posix server's terminal code (serial, tty, line
# discipline) on the real UART.
POSIX_TTY_SRCS := servers/posix/serial.c servers/posix/tty.c \
	servers/posix/ldisc.c
$(BUILD)/user/bin/serial_test: $(patsubst %,$(BUILD)/user/%.o,$(POSIX_TTY_SRCS))

# The initrd: a cpio "newc" archive of build/initrd/ (bin/ holds our
# programs). Rebuilt whenever a program changes.
INITRD := $(BUILD)/initrd.cpio
$(INITRD): $(USER_BINS)
	$(call msg,CPIO,$@)
	$(Q)rm -rf $(BUILD)/initrd && mkdir -p $(BUILD)/initrd/bin
	$(Q)$(if $(USER_BINS),cp $(USER_BINS) $(BUILD)/initrd/bin/)
	$(Q)cd $(BUILD)/initrd && find . -mindepth 1 | LC_ALL=C sort | \
		cpio --quiet -o -H newc -R 0:0 > ../initrd.cpio
