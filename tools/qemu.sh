#!/bin/bash
# Starts QEMU on a Keel disk image. The one place where our QEMU command
# lines live; `make run/run-gui/run-uefi/debug` and tools/qemu_test.py call
# it.
#
#   tools/qemu.sh MODE IMAGE [EXTRA QEMU ARGS...]
#
# Modes:
#   run        headless; the serial console is this terminal (Ctrl-A x
#              quits, Ctrl-A c toggles the QEMU monitor), the kernel log
#              (port 0xE9) goes to $DEBUG_LOG
#   uefi       as run, under OVMF (NVRAM kept in $BUILD/ovmf-vars.fd)
#   debug      as run, QEMU stopped at the first instruction and waiting
#              for gdb on localhost:1234
#   gui        the stock command line: a window, kernel log on this terminal
#   test       for the test harness: headless, isa-debug-exit on port 0xf4,
#              serial on stdin/stdout, no monitor, the disk opened as a
#              snapshot (the guest's writes are dropped), QEMU's "edu" PCI
#              test device (MSI, for user/msi_test); the caller adds
#              -debugcon
#   test-uefi  as test, under OVMF (NVRAM as a snapshot too)
#
# Environment: MEM (MiB, default 2048), SMP (CPUs, default 2), BUILD
# (default build), DEBUG_LOG (default $BUILD/debug.log), QEMU (default
# qemu-system-x86_64). Uses KVM when /dev/kvm is usable, else -cpu max
# under TCG.
set -eu

die() {
	echo "qemu.sh: $*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: tools/qemu.sh run|uefi|debug|gui|test|test-uefi IMAGE [QEMU ARGS...]"
mode=$1
image=$2
shift 2
[ -f "$image" ] || die "image '$image' not found (make image)"

MEM=${MEM:-2048}
SMP=${SMP:-2}
BUILD=${BUILD:-build}
DEBUG_LOG=${DEBUG_LOG:-$BUILD/debug.log}
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null 2>&1 ||
	die "$QEMU not found (run tools/deps.sh)"

if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	accel=(-enable-kvm -cpu host)
else
	accel=(-cpu max)
fi

ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
firmware=()
ovmf() { # $1: the NVRAM file, $2: extra -drive options for it
	if [ ! -f $ovmf_code ] || [ ! -f $ovmf_vars ]; then
		die "$ovmf_code or $ovmf_vars missing (package ovmf)"
	fi
	firmware=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code"
		-drive "if=pflash,format=raw,unit=1,file=${1//,/,,}$2")
}

disk_opts=
case $mode in
run | uefi | debug)
	mkdir -p "$(dirname "$DEBUG_LOG")"
	io=(-display none -serial mon:stdio -debugcon "file:$DEBUG_LOG"
		-no-reboot)
	;;
gui)
	io=(-debugcon stdio)
	;;
test | test-uefi)
	# shellcheck disable=SC2054 # the commas belong to -device
	io=(-display none -serial stdio -monitor none -no-reboot
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -device edu)
	disk_opts=,snapshot=on
	;;
*)
	die "unknown mode '$mode' (run, uefi, debug, gui, test, test-uefi)"
	;;
esac
case $mode in
uefi)
	vars=$BUILD/ovmf-vars.fd
	if [ ! -f "$vars" ]; then
		mkdir -p "$BUILD"
		cp $ovmf_vars "$vars"
	fi
	ovmf "$vars" ""
	;;
test-uefi)
	ovmf $ovmf_vars ,snapshot=on
	;;
debug)
	io+=(-s -S)
	;;
esac

exec "$QEMU" -m "$MEM" -smp "$SMP" "${accel[@]}" "${firmware[@]}" \
	-device qemu-xhci -device usb-kbd -device usb-tablet \
	-drive "id=hdd,file=${image//,/,,},format=raw,if=none$disk_opts" \
	-device virtio-blk-pci,drive=hdd -vga vmware "${io[@]}" "$@"
