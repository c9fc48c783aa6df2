# Our native user programs for the guest and the initrd that carries them.
# They use lib/rt (crt0 + native call wrappers) and lib/base, no libc.

USER_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-common -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-sse \
	-mgeneral-regs-only $(WARN) $(COMMON_INC) -DUSER -MMD -MP
USER_LDFLAGS := -nostdlib -static -no-pie -Wl,-Ttext-segment=0x400000 \
	-Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack

# Every program links crt0 and, from an archive, what it uses of the
# native runtime, fibers, strings, the ELF, cpio and PCI helpers, the
# protocol helper and the registry's client.
USER_CRT0 := $(BUILD)/user/lib/rt/crt0.S.o
USER_LIB_OBJS := $(filter-out $(USER_CRT0),$(patsubst %,$(BUILD)/user/%.o,\
	$(LIB_RT_SRCS) $(LIB_FIBER_SRCS) $(LIB_BASE_SRCS) $(LIB_ELF_SRCS) \
	$(LIB_CPIO_SRCS) $(LIB_PCI_SRCS) $(LIB_PROTO_SRCS) \
	$(LIB_REGISTRY_SRCS) $(LIB_FSSERVE_SRCS)))
USER_LIB := $(BUILD)/user/libkeel.a
USER_RT_OBJS := $(USER_CRT0) $(USER_LIB)

$(USER_LIB): $(USER_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/user/%.c.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/user/%.S.o: %.S
	$(call msg,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -D__ASSEMBLY__ -c -o $@ $<

# Each program is one folder user/<name>/ (tests, tools) or
# servers/<name>/ (the posix server, the registry...) with its sources.
USER_PROG_DIRS := $(patsubst %/,%,$(sort $(dir $(wildcard user/*/*.c \
	servers/*/*.c))))
USER_PROGS := $(notdir $(USER_PROG_DIRS))
USER_BINS := $(patsubst %,$(BUILD)/user/bin/%,$(USER_PROGS))

define user_prog
$(BUILD)/user/bin/$(notdir $(1)): $(patsubst %,$(BUILD)/user/%.o,$(wildcard $(1)/*.c $(1)/*.S)) $(USER_RT_OBJS)
	$$(call msg,LD,$$@)
	@mkdir -p $$(dir $$@)
	$(Q)$(CC) $(USER_LDFLAGS) -o $$@ $$^
endef
$(foreach d,$(USER_PROG_DIRS),$(eval $(call user_prog,$(d))))

# serial_test runs the posix server's terminal code (serial, tty, line
# discipline) on the real UART.
POSIX_TTY_SRCS := servers/posix/serial.c servers/posix/tty.c \
	servers/posix/ldisc.c
$(BUILD)/user/bin/serial_test: $(patsubst %,$(BUILD)/user/%.o,$(POSIX_TTY_SRCS))

# memfs serves the posix server's tmpfs from a process of its own.
MEMFS_TMPFS_SRCS := servers/posix/tmpfs.c servers/posix/vfs.c servers/posix/vfs_walk.c \
	servers/posix/dirindex.c servers/posix/pagemap.c
$(BUILD)/user/bin/memfs: $(patsubst %,$(BUILD)/user/%.o,$(MEMFS_TMPFS_SRCS))

# The initrd: a cpio "newc" archive of build/initrd/ (bin/ holds our
# programs). Rebuilt whenever a program changes. Other fragments add
# files with INITRD_FILES += SRC:DEST (DEST relative to the initrd's
# root) and a prerequisite $(INITRD): SRC; the list is read when the
# recipe runs, so fragments included later can add to it.
INITRD := $(BUILD)/initrd.cpio
$(INITRD): $(USER_BINS)
	$(call msg,CPIO,$@)
	$(Q)rm -rf $(BUILD)/initrd && mkdir -p $(BUILD)/initrd/bin
	$(Q)$(if $(USER_BINS),cp $(USER_BINS) $(BUILD)/initrd/bin/)
	$(Q)for f in $(INITRD_FILES); do \
		install -D -m 0755 "$${f%%:*}" "$(BUILD)/initrd/$${f#*:}" || \
			exit 1; \
	done
	$(Q)for l in $$(cat $(INITRD_BUSYBOX_LINKS) /dev/null); do \
		[ -e "$(BUILD)/initrd/$$l" ] && continue; \
		mkdir -p "$$(dirname "$(BUILD)/initrd/$$l")" && \
		ln -s /bin/busybox "$(BUILD)/initrd/$$l" || exit 1; \
	done
	$(Q)cd $(BUILD)/initrd && find . -mindepth 1 | LC_ALL=C sort | \
		cpio --quiet -o -H newc -R 0:0 > ../initrd.cpio
