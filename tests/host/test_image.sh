#!/bin/bash
# Tests of the disk image as built (build/image, what `make run` boots)
# and of the root staging path `make image EXTRA_ROOT=dir` takes
# (tools/mkrootfs.sh, then tools/mkimage.sh): the GPT carries the fixed
# partition identities the system looks its root up by, the ext2 root
# passes `e2fsck -fn`, holds what the initrd holds (bash, busybox and its
# links, init, our programs), owned by root, and an extra tree lands in
# it, replacing files of the same name. Prints PASS/FAIL lines like the C
# host tests (tests/host/check.h).
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
image=${KEEL_IMAGE:-$here/build/image}
initrd_tree=${KEEL_INITRD_TREE:-$here/build/initrd}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-test-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS test_image/$1"; }
fail() {
	echo "FAIL test_image/$1: $2"
	failed=1
}
check() { # $1: name, $2: message, rest: command
	local name=$1 msg=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$msg"; fi
}

# Prints "start size" (sectors) of the partition with unique GUID $2 in
# image $1, or nothing.
part_of() {
	sfdisk --json "$1" 2>/dev/null | python3 -c '
import json, sys
t = json.load(sys.stdin)["partitiontable"]
for p in t.get("partitions", []):
    if p.get("uuid", "").lower() == sys.argv[1]:
        print(p["start"], p["size"])
' "$2"
}

# Extracts the root partition of image $1 into file $2; fails when the
# partition is not where the fixed GUID says.
extract_root() {
	local se
	se=$(part_of "$1" 4b45454c-0000-4000-8000-000000000003)
	[ -n "$se" ] || return 1
	set -- "$1" "$2" $se
	dd if="$1" of="$2" bs=512 skip="$3" count="$4" status=none
}

# debugfs -R on file system $1; prints the output, no banner.
dbg() {
	debugfs -R "$2" "$1" 2>/dev/null
}

if [ ! -f "$image" ]; then
	fail setup "no image at $image (make image first)"
	exit 1
fi

# 1. The partition table: GPT, the disk GUID and the three partitions.
json=$(sfdisk --json "$image" 2>/dev/null)
check gpt_label "not a GPT disk" \
	grep -q '"label": "gpt"' <<<"$json"
check gpt_disk_guid "disk GUID is not 4b45454c-...-000000000000" \
	grep -qi '"id": "4B45454C-0000-4000-8000-000000000000"' <<<"$json"
root_se=$(part_of "$image" 4b45454c-0000-4000-8000-000000000003)
check gpt_root_partition "no partition with the root's unique GUID" \
	test -n "$root_se"
check gpt_root_type "the root is not of type Linux filesystem" \
	grep -qi '"type": "0FC63DAF-8483-4772-8E79-3D69E47DE4E4"' <<<"$json"

# 2. The ext2 root: consistent, labelled, with the initrd's programs.
root=$tmp/root.ext2
if extract_root "$image" "$root"; then
	if e2fsck -fn "$root" >"$tmp/fsck.log" 2>&1; then
		pass root_fsck
	else
		fail root_fsck "e2fsck -fn: $(tail -5 "$tmp/fsck.log")"
	fi
	check root_label "label is not keel-root" \
		test "$(e2label "$root" 2>/dev/null)" = keel-root
	features=$(dumpe2fs -h "$root" 2>/dev/null | grep -i 'features:')
	check root_is_ext2 "has a journal or extents: $features" \
		bash -c '! grep -qE "has_journal|extent" <<<"$1"' _ "$features"
	for f in /bin/bash /bin/busybox /sbin/init /bin/posix \
		/etc/keel-release; do
		check "root_has${f//\//_}" "$f missing from the root" \
			bash -c 'debugfs -R "stat $2" "$1" 2>/dev/null | grep -q "Type: regular"' \
			_ "$root" "$f"
	done
	check root_busybox_links "/bin/ls is not a link to /bin/busybox" \
		bash -c 'debugfs -R "stat /bin/ls" "$1" 2>/dev/null | grep -q "Fast link dest: \"/bin/busybox\""' \
		_ "$root"
	check root_owned_by_root "a file is not owned by 0:0" \
		bash -c 'debugfs -R "stat /bin/bash" "$1" 2>/dev/null | grep -q "User:     0   Group:     0"' \
		_ "$root"
	if [ -d "$initrd_tree" ]; then
		# Every name in the initrd's bin/ is in the root's /bin.
		(cd "$initrd_tree/bin" && ls -A) | LC_ALL=C sort >"$tmp/want"
		dbg "$root" "ls -p /bin" | awk -F/ 'NF > 6 && $6 != "." &&
			$6 != ".." { print $6 }' | LC_ALL=C sort >"$tmp/have"
		missing=$(LC_ALL=C comm -23 "$tmp/want" "$tmp/have" | head -3)
		check root_has_initrd_programs \
			"missing from /bin: ${missing//$'\n'/ }" \
			test -s "$tmp/want" -a -z "$missing"
		cmp_ok=1
		for f in bin/bash sbin/init; do
			dbg "$root" "cat /$f" >"$tmp/f"
			cmp -s "$tmp/f" "$initrd_tree/$f" || cmp_ok=0
		done
		check root_content_matches_initrd \
			"bash or init in the root differ from the initrd's" \
			test $cmp_ok = 1
	fi
else
	fail root_partition "could not extract the root partition"
fi

# 3. EXTRA_ROOT: a base tree and two extra trees staged, then an image
# made of them; the later tree wins, links and modes survive.
mkdir -p "$tmp/base/bin" "$tmp/x1/opt/app" "$tmp/x1/bin" "$tmp/x2/etc"
printf 'base\n' >"$tmp/base/bin/tool"
chmod 0755 "$tmp/base/bin/tool"
printf 'replaced\n' >"$tmp/x1/bin/tool"
chmod 0750 "$tmp/x1/bin/tool"
printf 'hello\n' >"$tmp/x1/opt/app/greeting"
ln -s app/greeting "$tmp/x1/opt/link"
printf 'user config\n' >"$tmp/x2/etc/app.conf"
if "$here/tools/mkrootfs.sh" --base "$tmp/base" --extra "$tmp/x1" \
	--extra "$tmp/x2" --release "Keel test" --out "$tmp/stage" \
	2>"$tmp/mkrootfs.err"; then
	pass extra_stage
else
	fail extra_stage "mkrootfs failed: $(cat "$tmp/mkrootfs.err")"
fi
check extra_replaces "bin/tool not replaced by the extra tree" \
	grep -qx replaced "$tmp/stage/bin/tool"
check extra_keeps_mode "bin/tool lost its mode" \
	test "$(stat -c %a "$tmp/stage/bin/tool")" = 750
check extra_keeps_link "opt/link is not a link" \
	test "$(readlink "$tmp/stage/opt/link")" = app/greeting
check extra_release "etc/keel-release not written" \
	grep -qx 'Keel test' "$tmp/stage/etc/keel-release"
check extra_second_tree "etc/app.conf of the second tree missing" \
	grep -qx 'user config' "$tmp/stage/etc/app.conf"
if "$here/tools/mkrootfs.sh" --base "$tmp/base" --extra "$tmp/nonexistent" \
	--out "$tmp/stage2" 2>"$tmp/err"; then
	fail extra_missing_dir "a missing extra directory was accepted"
else
	check extra_missing_dir "no clear message for a missing directory" \
		grep -q "is not a directory" "$tmp/err"
fi

# The staged tree through mkimage into a small image, read back.
kernel=$(ls "$here"/build/kernel/keel.elf 2>/dev/null || true)
initrd=$here/build/initrd.cpio
if [ -n "$kernel" ] && [ -f "$initrd" ]; then
	if "$here/tools/mkimage.sh" --kernel "$kernel" --initrd "$initrd" \
		--rootdir "$tmp/stage" --root-size 16 --out "$tmp/small.img" \
		>"$tmp/mkimage.log" 2>&1 && extract_root "$tmp/small.img" \
		"$tmp/small.ext2"; then
		if e2fsck -fn "$tmp/small.ext2" >/dev/null 2>&1; then
			pass extra_image_fsck
		else
			fail extra_image_fsck "e2fsck -fn reports errors"
		fi
		check extra_image_content "opt/app/greeting not in the image" \
			test "$(dbg "$tmp/small.ext2" "cat /opt/app/greeting")" = hello
		check extra_image_replaced "bin/tool in the image is not the extra one" \
			test "$(dbg "$tmp/small.ext2" "cat /bin/tool")" = replaced
	else
		fail extra_image "mkimage failed: $(tail -3 "$tmp/mkimage.log")"
	fi
else
	fail extra_image "no kernel or initrd in build/ (make image first)"
fi
exit $failed
