#!/bin/bash
# Stages the tree that becomes the ext2 root file system of the image:
#
#   tools/mkrootfs.sh --base DIR [--extra DIR]... --release TEXT --out DIR
#
# OUT is emptied, then filled with a copy of BASE (the initrd's tree:
# our programs, busybox and its links, bash, init, the tests), then
# etc/keel-release holding TEXT, then each EXTRA directory in turn
# (`make image EXTRA_ROOT=dir`: a user's own programs and files; a file
# there replaces one of the same name). Symbolic links are copied as
# links, modes are kept; owners are not (tools/mkimage.sh makes
# everything root's).
set -eu

die() {
	echo "mkrootfs: $*" >&2
	exit 1
}

usage() {
	echo "usage: tools/mkrootfs.sh --base DIR [--extra DIR]..." \
		"--release TEXT --out DIR" >&2
	exit 2
}

base='' out='' release=''
extras=()
while [ $# -gt 0 ]; do
	case $1 in
	--base) base=${2:?"$1 needs a value"}; shift 2 ;;
	--extra) extras+=("${2:?"$1 needs a value"}"); shift 2 ;;
	--release) release=${2?"$1 needs a value"}; shift 2 ;;
	--out) out=${2:?"$1 needs a value"}; shift 2 ;;
	-h | --help) usage ;;
	*) echo "mkrootfs: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$base" ] && [ -n "$out" ] || usage
[ -d "$base" ] || die "base directory '$base' not found"
for e in "${extras[@]}"; do
	[ -d "$e" ] || die "extra root '$e' is not a directory"
done

rm -rf "$out"
mkdir -p "$out"
cp -a --no-preserve=ownership "$base/." "$out/"
mkdir -p "$out/etc"
printf '%s\n' "$release" >"$out/etc/keel-release"
for e in "${extras[@]}"; do
	cp -a --no-preserve=ownership "$e/." "$out/" ||
		die "copying '$e' into the root failed"
done
