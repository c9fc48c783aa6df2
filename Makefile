# Keel: top-level build. `make run` and `make test` are all a person needs;
# see README.md. Each component adds its rules through its own build.mk.
# `make V=1` shows the commands; the default prints one line per step.

BUILD  ?= build
SMP    ?= 2
MEM    ?= 2048
V      ?= 0
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

.DEFAULT_GOAL := all
.PHONY: all deps image run run-gui run-uefi debug test bench clean format lint
.SUFFIXES:
.DELETE_ON_ERROR:

# Host toolchain for the kernel and our freestanding user programs.
CC      := gcc
LD      := ld
OBJCOPY := objcopy
HOSTCC  := gcc

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow -Wvla
COMMON_INC := -Iabi -Ilib

# Installs the Debian packages the build and tests need (asks first what is
# missing; does nothing when all is there).
deps:
	$(Q)tools/deps.sh

include lib/build.mk
include kernel/build.mk
include user/build.mk
include tools/debs.mk
include tools/build.mk
include tests/build.mk
include bench/build.mk

all: image

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	$(Q)clang-format -i $(FORMAT_FILES)
lint:
	$(Q)clang-format --dry-run -Werror $(FORMAT_FILES)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
