# gdb setup for `make debug`: from the repository root, in a second
# terminal, run
#     gdb -x tools/keel.gdb
# It loads the kernel's symbols (build/kernel/keel.elf; with another BUILD
# use `file BUILD/kernel/keel.elf`) and attaches to QEMU's gdb stub, which
# `make debug` starts stopped at the first instruction of the firmware.
#
# The kernel's higher-half addresses are not mapped until boot.S has set
# up paging, and GRUB loads the kernel over whatever was there, so use
# hardware breakpoints at first (QEMU gives 4):
#     hbreak kmain
#     continue
# Once paging is on, ordinary `break` works too.

set pagination off
set confirm off
set architecture i386:x86-64
file build/kernel/keel.elf
target remote localhost:1234
