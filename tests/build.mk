# Tests: host unit tests (ASan + UBSan) and guest boots, summed up by
# tools/test_summary.py into the final "N passed, N failed" line.
#
# A host test is tests/host/<name>.c plus the sources it exercises; fragments
# tests/host/*.mk declare them with
#	$(eval $(call host_test,<name>,<sources>))

HOST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer $(WARN) \
	-Wno-missing-prototypes $(COMMON_INC) -Ikernel/generic -Ikernel \
	-Itests/host -DHOST_TEST
RESULTS := $(BUILD)/test-results

HOST_TESTS :=
define host_test
HOST_TESTS += $(BUILD)/host/$(1)
$(BUILD)/host/$(1): tests/host/$(1).c $(2) tests/host/check.h
	$$(call msg,HOSTCC,$$@)
	@mkdir -p $$(dir $$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -DCHECK_SUITE='"$(1)"' -o $$@ \
		tests/host/$(1).c $(2)
endef
include $(sort $(wildcard tests/host/*.mk))
include tests/linux/build.mk

.PHONY: host-tests guest-tests test-build
host-tests: $(HOST_TESTS)
	@mkdir -p $(RESULTS)
	$(Q)for t in $(HOST_TESTS); do \
		n=$$(basename $$t); \
		$$t > $(RESULTS)/host-$$n.log 2>&1 || \
			echo "FAIL $$n/exit: exited with status $$?" \
				>> $(RESULTS)/host-$$n.log; \
	done; cat $(RESULTS)/host-*.log | grep -E '^(PASS|FAIL) ' | \
		awk '{c[$$1]++} END {printf "  host    %d passed, %d failed\n", c["PASS"], c["FAIL"]}'

# Every guest boot has a time limit (software emulation on 2 cores). The
# one-CPU boot runs without an HPET, so the PIT calibration path is
# exercised too; the four-CPU boot uses the HPET.
GUEST_TIMEOUT ?= 240
GUEST_ARGS_1 := --qemu-arg=-machine --qemu-arg=hpet=off
GUEST_ARGS_4 :=
# Scenarios: the image `make run` boots, driven through its serial
# console as a user would (tools/qemu_test.py --send/--expect).
SCENARIO_SHELL := --expect 'bash.*\# ' --send 'echo $$((6*7))' --expect '^42' \
	--send 'echo keel | cat' --expect '^keel' \
	--send 'sh -c "exit 3"; echo status=$$?' --expect 'status=3' \
	--send 'sleep 1 & wait; echo waited' --expect '^waited' \
	--send 'mkdir -p /tmp/d/e && echo hi > /tmp/d/e/f && cat /tmp/d/e/f' \
	--expect '^hi' \
	--send 'ls /bin | grep -c busybox' --expect '^1' \
	--send 'cd /tmp/d && pwd' --expect '^/tmp/d' \
	--send 'ls -l /proc/self/ | grep -c keel_trace' --expect '^1' \
	--send 'echo piped | cat /dev/stdin' --expect '^piped' \
	--send 'cat <(echo substituted)' --expect '^substituted' \
	--send 'ps' --expect 'PID +USER +COMMAND' \
	--send "sh -c 'echo started; exec sleep 600'" --expect '^started' \
	--pause 1 --send-raw "$$(printf '\003')" --send 'echo after-ctrl-c' \
	--expect '^after-ctrl-c' \
	--send "sh -c 'echo running; exec sleep 600'" --expect '^running' \
	--pause 1 --send-raw "$$(printf '\032')" --expect 'Stopped' \
	--send 'jobs; echo listed' --expect '^listed' --send 'fg' \
	--expect 'sleep 600' --pause 1 --send-raw "$$(printf '\003')" \
	--send 'echo after-fg' --expect '^after-fg' \
	--send 'poweroff' --expect 'acpi: powering off'

guest-tests: $(TEST_IMAGE) $(IMAGE)
	@mkdir -p $(RESULTS)
	$(Q)python3 tools/qemu_test.py --image $(IMAGE) --smp 2 \
		--timeout $(GUEST_TIMEOUT) --name scenario-shell \
		--log $(RESULTS)/scenario-shell.debug.log $(SCENARIO_SHELL) \
		> $(RESULTS)/scenario-shell.log 2>&1; \
	grep -E '^(PASS|FAIL) ' $(RESULTS)/scenario-shell.log | \
		awk '{c[$$1]++} END {printf "  guest   shell scenario: %d passed, %d failed\n", c["PASS"], c["FAIL"]}'

	$(Q)for n in 1 4; do \
		if [ $$n = 1 ]; then extra="$(GUEST_ARGS_1)"; \
		else extra="$(GUEST_ARGS_4)"; fi; \
		python3 tools/qemu_test.py --image $(TEST_IMAGE) --smp $$n \
			--timeout $(GUEST_TIMEOUT) --name guest-smp$$n \
			--log $(RESULTS)/guest-smp$$n.debug.log $$extra \
			> $(RESULTS)/guest-smp$$n.log 2>&1; \
		grep -E '^(PASS|FAIL) ' $(RESULTS)/guest-smp$$n.log | \
			awk -v n=$$n '{c[$$1]++} END {printf "  guest   smp%s: %d passed, %d failed\n", n, c["PASS"], c["FAIL"]}'; \
	done

test: deps
	$(Q)rm -rf $(RESULTS)
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)$(MAKE) --no-print-directory -k host-tests linux-tests guest-tests \
		|| true
	$(Q)python3 tools/test_summary.py $(RESULTS)

# The image `make run` boots is built too, so a broken default fails here.
test-build: $(HOST_TESTS) $(TEST_IMAGE) $(IMAGE)
