# Linux test programs: tests/linux/<name>.c, one program per file, each a
# group of cases reported through lt.h. They live under tests/ (not user/,
# whose programs are native and use no libc) because they are tests of
# the Linux ABI that run on two systems: built static with musl-gcc into
# $(BUILD)/linux/<name>, run on the host by tests/linux/run.py in
# `make test` (Linux is the reference), and put into the initrd as
# /test/<name> for the guest, where the posix server runs them.

LINUX_CC := musl-gcc
LINUX_CFLAGS := -std=gnu11 -O2 -g -static -D_GNU_SOURCE $(WARN)
LINUX_TESTS := $(patsubst tests/linux/%.c,%,$(sort $(wildcard tests/linux/*.c)))
# wip_<area>: cases that pass on Linux but not yet in Keel. The host runs
# them in `make test`; the guest's runner leaves them out until the posix
# server passes them and they move into <area>.c. They are in the initrd
# all the same, with /test/runner_all, which runs every program: boot with
# posix.init=/test/runner_all to see where Keel stands.
LINUX_GUEST_TESTS := $(filter-out wip_%,$(LINUX_TESTS))
LINUX_TEST_BINS := $(patsubst %,$(BUILD)/linux/%,$(LINUX_TESTS))

$(BUILD)/linux/%: tests/linux/%.c tests/linux/lt.h
	$(call msg,MUSLCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -DLT_GROUP='"$*"' -o $@ $<

# The guest's runner (the test boots' first Linux program) knows the list
# of the guest's programs.
LINUX_RUNNER := $(BUILD)/linux/runner
$(LINUX_RUNNER): tests/linux/runner/runner.c tests/linux/build.mk
	$(call msg,MUSLCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -DLT_TESTS='"$(LINUX_GUEST_TESTS)"' -o $@ $<
LINUX_RUNNER_ALL := $(BUILD)/linux/runner_all
$(LINUX_RUNNER_ALL): tests/linux/runner/runner.c tests/linux/build.mk
	$(call msg,MUSLCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(LINUX_CC) $(LINUX_CFLAGS) -DLT_TESTS='"$(LINUX_TESTS)"' \
		-DRUNNER_TIMEOUT=600 -o $@ $<

INITRD_FILES += $(foreach t,$(LINUX_TESTS),$(BUILD)/linux/$(t):test/$(t)) \
	$(LINUX_RUNNER):test/runner $(LINUX_RUNNER_ALL):test/runner_all
$(INITRD): $(LINUX_TEST_BINS) $(LINUX_RUNNER) $(LINUX_RUNNER_ALL)

test-build: $(LINUX_TEST_BINS) $(LINUX_RUNNER) $(LINUX_RUNNER_ALL)

.PHONY: linux-tests
linux-tests: $(LINUX_TEST_BINS)
	@mkdir -p $(RESULTS)
	$(Q)python3 tests/linux/run.py --name linux-host $(LINUX_TEST_BINS) \
		> $(RESULTS)/linux-host.log 2>&1; \
	grep -E '^(PASS|FAIL) ' $(RESULTS)/linux-host.log | \
		awk '{c[$$1]++} END {printf "  linux   host: %d passed, %d failed\n", c["PASS"], c["FAIL"]}'
