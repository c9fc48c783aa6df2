#!/bin/bash
# Tests of tools/debs.sh without the network (apt's proxy is pointed at a
# closed port through DEBS_APT_OPTS, so any download fails): a cached package whose SHA256
# matches is used and unpacked, a corrupt or missing one stops the build
# with a message, and a package the apt index knows is taken from the
# cache when its file matches the index. Prints PASS/FAIL lines like the
# C host tests (tests/host/check.h).
#
# The real package comes from the build's cache ($DEBS_CACHE, default
# build/debs), which `make test` fills before the host tests run.
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
debs=$here/tools/debs.sh
real_cache=${DEBS_CACHE:-$here/build/debs}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keel-test-debs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=0

# No download can succeed from here on, and apt gives up at once. Cases
# 1-3 also see an empty index (as before the first apt-get update); 4-5
# the host's, parsed once into a binary cache of their own.
mkdir -p "$tmp/lists/partial"
offline="-o Acquire::Retries=0 -o Acquire::http::Proxy=http://127.0.0.1:9
-o Acquire::https::Proxy=http://127.0.0.1:9"
no_index="$offline -o Dir::State::Lists=$tmp/lists
-o Dir::Cache::pkgcache=$tmp/empty.bin"
with_index="$offline -o Dir::Cache::pkgcache=$tmp/pkgcache.bin"
export DEBS_APT_OPTS=${no_index//$'\n'/ }

pass() { echo "PASS test_debs/$1"; }
fail() {
	echo "FAIL test_debs/$1: $2"
	failed=1
}

# A small package of our own, unknown to the apt index.
fake=keel-test-fake
mkdir -p "$tmp/pkg/DEBIAN" "$tmp/pkg/bin"
cat >"$tmp/pkg/DEBIAN/control" <<EOF
Package: $fake
Version: 1.0
Architecture: all
Maintainer: Keel <keel@example.invalid>
Description: test package for tools/debs.sh
EOF
echo hello >"$tmp/pkg/bin/hello"
dpkg-deb --root-owner-group -b "$tmp/pkg" "$tmp/$fake.deb" >/dev/null ||
	fail setup "dpkg-deb -b failed"

# 1. Offline, not in the index, a verified cached copy: used, unpacked.
mkdir -p "$tmp/c1"
cp "$tmp/$fake.deb" "$tmp/c1/${fake}_1.0_all.deb"
echo "1.0 ${fake}_1.0_all.deb $(sha256sum <"$tmp/$fake.deb" | cut -d' ' -f1)" \
	>"$tmp/c1/$fake.info"
if "$debs" --cache "$tmp/c1" --stage "$tmp/s1" "$fake" >"$tmp/out1" 2>&1 &&
	[ "$(cat "$tmp/s1/$fake/bin/hello" 2>/dev/null)" = hello ]; then
	pass offline_cached_copy_used
else
	fail offline_cached_copy_used "$(tail -n1 "$tmp/out1")"
fi

# 2. The same with the cached file corrupted: refused, with a message.
printf 'X' | dd of="$tmp/c1/${fake}_1.0_all.deb" bs=1 seek=100 \
	conv=notrunc status=none
if "$debs" --cache "$tmp/c1" --stage "$tmp/s2" "$fake" >"$tmp/out2" 2>&1; then
	fail corrupt_cached_copy_refused "accepted a file with a wrong SHA256"
elif ! grep -q "no verified copy" "$tmp/out2" || [ -e "$tmp/s2/$fake" ]; then
	fail corrupt_cached_copy_refused "no clear message, or unpacked"
else
	pass corrupt_cached_copy_refused
fi

# 3. Nothing cached, no network: fails and says what to do.
if "$debs" --cache "$tmp/c3" "$fake" >"$tmp/out3" 2>&1; then
	fail empty_cache_offline_fails "succeeded"
elif ! grep -q "connect to the network" "$tmp/out3"; then
	fail empty_cache_offline_fails "message: $(tail -n1 "$tmp/out3")"
else
	pass empty_cache_offline_fails
fi

# 4. A real package in the index, its file cached: no download needed.
export DEBS_APT_OPTS=${with_index//$'\n'/ }
real=busybox-static
real_info=$real_cache/$real.info
if [ ! -f "$real_info" ]; then
	fail index_match_used_offline "no $real in $real_cache (make debs)"
else
	read -r _ real_file _ <"$real_info"
	mkdir -p "$tmp/c4"
	cp "$real_cache/$real_file" "$tmp/c4/"
	if "$debs" --cache "$tmp/c4" --stage "$tmp/s4" "$real" \
		>"$tmp/out4" 2>&1 && [ -x "$tmp/s4/$real/bin/busybox" ] &&
		! grep -q "downloading" "$tmp/out4"; then
		pass index_match_used_offline
	else
		fail index_match_used_offline "$(tail -n1 "$tmp/out4")"
	fi

	# 5. The same file corrupted: a download is tried (and fails here)
	# rather than using a file the index does not vouch for.
	printf 'X' | dd of="$tmp/c4/$real_file" bs=1 seek=1000 conv=notrunc \
		status=none
	if "$debs" --cache "$tmp/c4" "$real" >"$tmp/out5" 2>&1; then
		fail index_mismatch_not_used "used a corrupt file"
	elif ! grep -q "downloading $real" "$tmp/out5"; then
		fail index_mismatch_not_used "no download tried"
	else
		pass index_mismatch_not_used
	fi
fi

# 6. Bad usage.
if "$debs" --cache "$tmp/c6" >/dev/null 2>&1; then
	fail usage_without_packages "accepted"
else
	pass usage_without_packages
fi
exit $failed
