#!/bin/bash
# Builds Keel's bootable raw disk image from plain files, without root
# rights or loop devices:
#
#   tools/mkimage.sh --kernel K --initrd I [--rootdir DIR] [--cmdline "..."]
#                    [--root-size MIB] [--esp-size MIB] --out FILE
#
# The image is a GPT disk that SeaBIOS and OVMF both boot:
#
#   sector 0      protective MBR carrying GRUB's boot.img (first 440 bytes)
#   1 MiB, 1 MiB  partition 1 "bios-boot": GRUB's i386-pc core.img
#   2 MiB, 32 MiB partition 2 "esp", FAT16: \EFI\BOOT\BOOTX64.EFI,
#                 /boot/grub/grub.cfg, /boot/keel/keel.elf,
#                 /boot/keel/initrd.cpio, /boot/keel/esp.marker
#   34 MiB, 64 MiB partition 3 "keel-root": ext2 made from DIR, label
#                 keel-root, type "Linux filesystem"
#   last MiB      free; the backup GPT lives in its last 33 sectors
#
# Both GRUBs (core.img for BIOS, a standalone BOOTX64.EFI for UEFI) carry
# a small early config: find the partition holding the marker file, then
# read the one grub.cfg there, which loads the kernel by multiboot2 with
# the initrd as a module. Under BIOS, GRUB's console is mirrored on COM1.
#
# Fixed identities, so the system can find its partitions (keep in sync
# with docs and any code that looks them up; "4b45454c" is "KEEL"):
#   disk GUID                 4b45454c-0000-4000-8000-000000000000
#   partition 1 (bios-boot)   4b45454c-0000-4000-8000-000000000001
#   partition 2 (esp)         4b45454c-0000-4000-8000-000000000002
#   partition 3 (keel-root)   4b45454c-0000-4000-8000-000000000003
#     type 0fc63daf-8483-4772-8e79-3d69e47de4e4 (Linux filesystem)
#   ext2 file system UUID     4b45454c-0000-4000-8000-000000000103
#   ext2 label keel-root, FAT label KEEL-ESP, FAT serial 4b45454c
#
# Every file in the root file system is owned by 0:0 (the builder's uid is
# not carried over). Time stamps of the file systems come from
# SOURCE_DATE_EPOCH when set, else from the current time.
set -eu

usage() {
	echo "usage: tools/mkimage.sh --kernel K --initrd I [--rootdir DIR]" \
		"[--cmdline \"...\"] [--root-size MIB] [--esp-size MIB]" \
		"--out FILE" >&2
	exit 2
}

die() {
	echo "mkimage: $*" >&2
	exit 1
}

kernel='' initrd='' rootdir='' cmdline='' out=''
root_mib=64
esp_mib=32
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?"$1 needs a value"}; shift 2 ;;
	--initrd) initrd=${2:?"$1 needs a value"}; shift 2 ;;
	--rootdir) rootdir=${2:?"$1 needs a value"}; shift 2 ;;
	--cmdline) cmdline=${2?"$1 needs a value"}; shift 2 ;; # may be empty
	--root-size) root_mib=${2:?"$1 needs a value"}; shift 2 ;;
	--esp-size) esp_mib=${2:?"$1 needs a value"}; shift 2 ;;
	--out) out=${2:?"$1 needs a value"}; shift 2 ;;
	-h | --help) usage ;;
	*) echo "mkimage: unknown argument '$1'" >&2; usage ;;
	esac
done
if [ -z "$kernel" ] || [ -z "$initrd" ] || [ -z "$out" ]; then
	usage
fi
[ -f "$kernel" ] || die "kernel '$kernel' not found"
[ -f "$initrd" ] || die "initrd '$initrd' not found"
[ -z "$rootdir" ] || [ -d "$rootdir" ] || die "root dir '$rootdir' not found"
case $root_mib,$esp_mib in
*[!0-9,]* | ,* | *,) die "sizes are whole numbers of MiB" ;;
esac
[ "$root_mib" -ge 8 ] || die "the root partition needs at least 8 MiB"
[ "$esp_mib" -ge 32 ] || die "the ESP must be at least 32 MiB (FAT16)"
# grub.cfg is a script: keep the command line to characters GRUB passes
# through unchanged.
case $cmdline in
*[!A-Za-z0-9\ _=./,:+@%-]*)
	die "kernel command line '$cmdline' has characters other than" \
		"letters, digits, space and _=./,:+@%-" ;;
esac

for tool in sfdisk mformat mcopy mmd mke2fs debugfs grub-mkimage \
	grub-mkstandalone; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' is missing (run tools/deps.sh)"
done
grub_bios=/usr/lib/grub/i386-pc
[ -f $grub_bios/boot.img ] || die "$grub_bios/boot.img missing (grub-pc-bin)"
[ -d /usr/lib/grub/x86_64-efi ] ||
	die "/usr/lib/grub/x86_64-efi missing (grub-efi-amd64-bin)"

# Layout in 512-byte sectors; everything aligned to 1 MiB.
MIB=2048
bios_start=$MIB
bios_size=$MIB
esp_start=$((bios_start + bios_size))
esp_size=$((esp_mib * MIB))
root_start=$((esp_start + esp_size))
root_size=$((root_mib * MIB))
total=$((root_start + root_size + MIB))

DISK_GUID=4b45454c-0000-4000-8000-000000000000
BIOS_GUID=4b45454c-0000-4000-8000-000000000001
ESP_GUID=4b45454c-0000-4000-8000-000000000002
ROOT_GUID=4b45454c-0000-4000-8000-000000000003
ROOT_FS_UUID=4b45454c-0000-4000-8000-000000000103
TYPE_BIOS=21686148-6449-6E6F-744E-656564454649
TYPE_ESP=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
TYPE_LINUX=0FC63DAF-8483-4772-8E79-3D69E47DE4E4
MARKER=/boot/keel/esp.marker

tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-mkimage.XXXXXX")
img=$out.tmp
trap 'rm -rf "$tmp"; rm -f "$img"' EXIT
rm -f "$img"

# Writes the 64-bit little-endian VALUE at byte OFFSET of FILE.
put_le64() {
	local file=$1 offset=$2 value=$3 bytes='' i
	for i in 0 1 2 3 4 5 6 7; do
		bytes+=$(printf '\\x%02x' $(((value >> (8 * i)) & 0xff)))
	done
	printf %b "$bytes" | dd of="$file" bs=1 seek="$offset" conv=notrunc \
		status=none
}

# 1. The partition table, on a sparse file.
truncate -s $((total * 512)) "$img"
sfdisk --quiet --no-reread --no-tell-kernel "$img" >/dev/null <<EOF ||
label: gpt
label-id: $DISK_GUID
unit: sectors
start=$bios_start, size=$bios_size, type=$TYPE_BIOS, uuid=$BIOS_GUID, name="bios-boot"
start=$esp_start, size=$esp_size, type=$TYPE_ESP, uuid=$ESP_GUID, name="esp"
start=$root_start, size=$root_size, type=$TYPE_LINUX, uuid=$ROOT_GUID, name="keel-root"
EOF
	die "sfdisk failed to partition $img"

# 2. GRUB. Each carries a small early config that finds the partition
# holding the marker file and reads the one grub.cfg there.
# UEFI: the early config is the standalone image's memdisk grub.cfg, run
# by the normal parser; $prefix stays on the memdisk, which holds every
# module. GRUB autoloads file system modules but not partition maps:
# without the insmod it sees the disk and none of its partitions.
cat >"$tmp/early-efi.cfg" <<EOF
insmod part_gpt
insmod part_msdos
insmod fat
if search --no-floppy --file --set=root $MARKER; then
	configfile /boot/grub/grub.cfg
else
	echo "Keel: no partition holds $MARKER"
fi
EOF
# BIOS: core.img runs its config with the rescue parser (no if/else) and
# has only the modules embedded below. It also mirrors GRUB's console on
# COM1 so that its errors show on a headless run (under OVMF the firmware
# console already does).
cat >"$tmp/early-bios.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_output --append serial
search --no-floppy --file --set=root $MARKER
configfile /boot/grub/grub.cfg
EOF
bios_modules="biosdisk part_gpt part_msdos fat ext2 multiboot2 normal
	configfile search search_fs_file search_fs_uuid search_label echo test
	ls cat boot halt reboot serial terminal all_video video gfxterm"
# Generated files carry the build's fixed time when there is one.
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	touch -d "@$SOURCE_DATE_EPOCH" "$tmp"/*.cfg
fi
# shellcheck disable=SC2086 # the module list is split on purpose
grub-mkimage -O i386-pc -o "$tmp/core.img" -c "$tmp/early-bios.cfg" \
	-p /boot/grub $bios_modules || die "grub-mkimage failed"
# Every module (trimming them is a trap), but no translations, themes or
# fonts: 3 MiB instead of 10 for OVMF to load.
grub-mkstandalone -O x86_64-efi -o "$tmp/BOOTX64.EFI" --locales= --themes= \
	--fonts= "boot/grub/grub.cfg=$tmp/early-efi.cfg" ||
	die "grub-mkstandalone failed"

core_bytes=$(stat -c %s "$tmp/core.img")
[ "$core_bytes" -le $((bios_size * 512)) ] ||
	die "core.img ($core_bytes bytes) does not fit the BIOS boot partition"
# core.img's first sector (diskboot) loads the rest from the sector
# number at 0x1f4; boot.img loads that first sector from 0x5c.
put_le64 "$tmp/core.img" $((0x1f4)) $((bios_start + 1))
dd if="$tmp/core.img" of="$img" bs=512 seek=$bios_start conv=notrunc \
	status=none
cp $grub_bios/boot.img "$tmp/boot.img"
put_le64 "$tmp/boot.img" $((0x5c)) $bios_start
# Only the code area: bytes 440.. keep the disk signature and the
# protective MBR partition entry that sfdisk wrote.
dd if="$tmp/boot.img" of="$img" bs=440 count=1 conv=notrunc status=none

# 3. The EFI system partition, filled in place by mtools.
cat >"$tmp/grub.cfg" <<EOF
# Written by tools/mkimage.sh; read by GRUB under both BIOS and UEFI.
set timeout=0
insmod all_video
multiboot2 /boot/keel/keel.elf $cmdline
module2 /boot/keel/initrd.cpio initrd
boot
echo "Keel: GRUB could not boot the kernel (errors above)"
EOF
echo "keel esp" >"$tmp/esp.marker"
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	touch -d "@$SOURCE_DATE_EPOCH" "$tmp/grub.cfg" "$tmp/esp.marker" \
		"$tmp/BOOTX64.EFI"
fi
esp_need=$(($(stat -c %s "$kernel") + $(stat -c %s "$initrd") +
	$(stat -c %s "$tmp/BOOTX64.EFI") + (1 << 20)))
[ "$esp_need" -le $((esp_size * 512)) ] ||
	die "kernel, initrd and GRUB ($((esp_need >> 20)) MiB) do not fit" \
		"the $esp_mib MiB ESP; raise --esp-size"
export MTOOLS_SKIP_CHECK=1 MTOOLSRC=/dev/null
esp="$img@@$((esp_start * 512))"
mformat -i "$esp" -T $esp_size -h 64 -s 32 -H $esp_start -v KEEL-ESP \
	-N 4b45454c :: || die "mformat failed on the ESP"
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/boot ::/boot/grub ::/boot/keel ||
	die "mmd failed on the ESP"
esp_copy() { # $1: host file, $2: path in the ESP
	mcopy -i "$esp" -m "$1" "::$2" || die "mcopy of $1 to the ESP failed"
}
esp_copy "$tmp/BOOTX64.EFI" /EFI/BOOT/BOOTX64.EFI
esp_copy "$tmp/grub.cfg" /boot/grub/grub.cfg
esp_copy "$tmp/esp.marker" $MARKER
esp_copy "$kernel" /boot/keel/keel.elf
esp_copy "$initrd" /boot/keel/initrd.cpio

# 4. The ext2 root, written straight into partition 3.
if [ -z "$rootdir" ]; then
	rootdir=$tmp/emptyroot
	mkdir "$rootdir"
fi
export E2FSPROGS_FAKE_TIME=${SOURCE_DATE_EPOCH:-$(date +%s)}
mke2fs -q -F -t ext2 -L keel-root -U $ROOT_FS_UUID -d "$rootdir" \
	-E "root_owner=0:0,offset=$((root_start * 512)),hash_seed=$ROOT_FS_UUID,nodiscard" \
	"$img" $((root_mib * 1024))k || die "mke2fs failed on the root partition" \
	"(does $rootdir fit in $root_mib MiB? see --root-size)"

# mke2fs -d copies the builder's uid/gid; make everything root's. One
# debugfs session, only when some file is owned by someone else.
if [ -n "$(find "$rootdir" -mindepth 1 \( ! -uid 0 -o ! -gid 0 \) \
	-print -quit)" ]; then
	(cd "$rootdir" && find . -mindepth 1 \( ! -uid 0 -o ! -gid 0 \)) |
		sed 's|^\.||' | while IFS= read -r f; do
			printf 'sif "%s" uid 0\nsif "%s" gid 0\n' "$f" "$f"
		done >"$tmp/chown.cmd"
	debugfs -w -f "$tmp/chown.cmd" "$img?offset=$((root_start * 512))" \
		>/dev/null 2>"$tmp/debugfs.err" || {
		cat "$tmp/debugfs.err" >&2
		die "debugfs failed to set owners in the root file system"
	}
	if grep -v '^debugfs ' "$tmp/debugfs.err" | grep -q .; then
		cat "$tmp/debugfs.err" >&2
		die "debugfs failed to set owners in the root file system"
	fi
fi

mv -f "$img" "$out"
