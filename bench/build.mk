# Benchmarks: `make bench`, run by hand, never by `make test`.
#
#   $(BENCH_IMAGE)  build/bench-image: the usual disk with the command line
#                   BENCH_CMDLINE, which runs /bin/bench (user/bench) and
#                   powers off
#
# bench/run.py boots it twice through tools/qemu_test.py, in plain TCG and
# with -icount shift=0, and prints one "BENCH name=... mode=..." line per
# figure. See docs/benchmarks.md.
#
#   make bench BENCH_TIMEOUT=600      a longer limit per boot (seconds)
#   make bench BENCH_MODES=icount     only one of the two runs

BENCH_IMAGE := $(BUILD)/bench-image
BENCH_CMDLINE := poweroff_on_exit init=/bin/bench
BENCH_SMP ?= 2
BENCH_TIMEOUT ?= 240
BENCH_MODES ?= tcg icount

$(BENCH_IMAGE).cmdline: tools-cmdline-check
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(BENCH_CMDLINE)' | cmp -s - $@ || \
		printf '%s\n' '$(BENCH_CMDLINE)' > $@

$(BENCH_IMAGE): $(IMAGE_INPUTS) $(BENCH_IMAGE).cmdline
	$(call msg,IMAGE,$@)
	$(Q)tools/mkimage.sh --kernel $(KERNEL_ELF) --initrd $(INITRD) \
		--rootdir $(ROOTFS) --root-size $(ROOT_SIZE_MB) \
		--cmdline "$(BENCH_CMDLINE)" --out $@

.PHONY: bench-image
bench-image: $(BENCH_IMAGE)

# deps first, then the image, even under make -j.
bench: deps
	$(Q)$(MAKE) --no-print-directory bench-image
	$(Q)python3 bench/run.py --image $(BENCH_IMAGE) --smp $(BENCH_SMP) \
		--timeout $(BENCH_TIMEOUT) --logs $(BUILD)/bench \
		--modes "$(BENCH_MODES)"

# bench/profile.py: a bench program that runs one figure (BENCH_DEFS, in
# its own build directory), traced by QEMU. See docs/benchmarks.md.
BENCH_DEFS ?=
$(BUILD)/user/user/bench/main.c.o: USER_CFLAGS += $(BENCH_DEFS)
