# The disk images and the QEMU targets.
#
#   $(IMAGE)       build/image: what `make run` boots (KERNEL_CMDLINE)
#   $(TEST_IMAGE)  build/test-image: the same disk with the test command
#                  line (TEST_CMDLINE), booted by tests/build.mk
#
# Both are made by tools/mkimage.sh from the kernel, the initrd and a
# staged root directory $(BUILD)/rootfs (the initrd's tree, etc/keel-release
# and EXTRA_ROOT). Every QEMU command line lives in tools/qemu.sh.
#
#   make run KERNEL_CMDLINE="init=/bin/fault"   boots with other options
#   make run SMP=4 MEM=512                      another machine size

IMAGE := $(BUILD)/image
TEST_IMAGE := $(BUILD)/test-image
ROOTFS := $(BUILD)/rootfs
KERNEL_CMDLINE ?= daemons=/bin/memfs servers=/bin/posix init=
TEST_CMDLINE ?= selftest poweroff_on_exit daemons=/bin/memfs servers=/bin/bootinfo_test,/bin/posix posix.init=/test/runner posix.oneshot init=/bin/hostile,/bin/queue_test,/bin/vm_test,/bin/stream_test,/bin/thread_test,/bin/fork_test,/bin/fiber_test,/bin/malloc_test,/bin/registry_test,/bin/sched_test,/bin/clock_test,/bin/resize_test,/bin/suspend_test
ROOT_SIZE_MB ?= 64
KEEL_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || \
	echo unknown)

QEMU_ENV = MEM=$(MEM) SMP=$(SMP) BUILD=$(BUILD)

# The staged root file system: the initrd's tree (our programs, busybox
# and its links, bash, init, the tests), etc/keel-release, and then the
# user's own tree when there is one:
#
#   make image EXTRA_ROOT=dir       copies dir's files into the root
#
# (several directories: EXTRA_ROOT="a b"). The stamp stands for the
# whole directory; with EXTRA_ROOT set it is staged again on every run,
# since make cannot see into the user's tree, and $(ROOTFS).extra (the
# value, rewritten when it changes) stages it again when it is dropped.
EXTRA_ROOT ?=
$(ROOTFS).extra: tools-rootfs-extra
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(EXTRA_ROOT)' | cmp -s - $@ || \
		printf '%s\n' '$(EXTRA_ROOT)' > $@

$(ROOTFS).stamp: $(INITRD) tools/build.mk tools/mkrootfs.sh $(ROOTFS).extra \
		$(if $(strip $(EXTRA_ROOT)),tools-rootfs-extra)
	$(call msg,ROOTFS,$(ROOTFS))
	$(Q)tools/mkrootfs.sh --base $(BUILD)/initrd \
		$(foreach d,$(EXTRA_ROOT),--extra $(d)) \
		--release "Keel $(KEEL_VERSION)" --out $(ROOTFS)
	$(Q)touch $@

.PHONY: tools-rootfs-extra
tools-rootfs-extra:

# A command line lives in a file rewritten only when it changes, so that
# `make run KERNEL_CMDLINE=...` rebuilds the image, and only then.
.PHONY: tools-cmdline-check
tools-cmdline-check:

$(IMAGE).cmdline: tools-cmdline-check
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(KERNEL_CMDLINE)' | cmp -s - $@ || \
		printf '%s\n' '$(KERNEL_CMDLINE)' > $@

$(TEST_IMAGE).cmdline: tools-cmdline-check
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(TEST_CMDLINE)' | cmp -s - $@ || \
		printf '%s\n' '$(TEST_CMDLINE)' > $@

IMAGE_INPUTS := $(KERNEL_ELF) $(INITRD) $(ROOTFS).stamp tools/mkimage.sh

$(IMAGE): $(IMAGE_INPUTS) $(IMAGE).cmdline
	$(call msg,IMAGE,$@)
	$(Q)tools/mkimage.sh --kernel $(KERNEL_ELF) --initrd $(INITRD) \
		--rootdir $(ROOTFS) --root-size $(ROOT_SIZE_MB) \
		--cmdline "$(KERNEL_CMDLINE)" --out $@

$(TEST_IMAGE): $(IMAGE_INPUTS) $(TEST_IMAGE).cmdline
	$(call msg,IMAGE,$@)
	$(Q)tools/mkimage.sh --kernel $(KERNEL_ELF) --initrd $(INITRD) \
		--rootdir $(ROOTFS) --root-size $(ROOT_SIZE_MB) \
		--cmdline "$(TEST_CMDLINE)" --out $@

image: $(IMAGE)

# deps first, then the image, even under make -j.
run: deps
	$(Q)$(MAKE) --no-print-directory image
	$(Q)$(QEMU_ENV) tools/qemu.sh run $(IMAGE)

run-gui: deps
	$(Q)$(MAKE) --no-print-directory image
	$(Q)$(QEMU_ENV) tools/qemu.sh gui $(IMAGE)

run-uefi: deps
	$(Q)$(MAKE) --no-print-directory image
	$(Q)$(QEMU_ENV) tools/qemu.sh uefi $(IMAGE)

debug: deps
	$(Q)$(MAKE) --no-print-directory image
	@echo "debug: QEMU is stopped and waits for gdb on localhost:1234."
	@echo "debug: in another terminal, from this directory:" \
		$(if $(filter build,$(BUILD)),"gdb -x tools/keel.gdb", \
		"gdb -ex 'file $(BUILD)/kernel/keel.elf'" \
		"-ex 'target remote :1234'")
	@echo "debug: kernel log in $(BUILD)/debug.log; Ctrl-A x quits QEMU."
	$(Q)$(QEMU_ENV) tools/qemu.sh debug $(IMAGE)
