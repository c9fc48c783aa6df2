# Our own Linux programs for the image (built static with musl-gcc like
# the Linux tests): linux/<name>/<name>.c. So far /sbin/init.

LINUX_PROG_CFLAGS := -std=gnu11 -O2 -g -static -D_GNU_SOURCE $(WARN)

$(BUILD)/linux-progs/init: linux/init/init.c
	$(call msg,MUSLCC,$@)
	@mkdir -p $(dir $@)
	$(Q)musl-gcc $(LINUX_PROG_CFLAGS) -o $@ $<

INITRD_FILES += $(BUILD)/linux-progs/init:sbin/init
$(INITRD): $(BUILD)/linux-progs/init
