#!/bin/bash
# Fetches Debian binary packages for the image and unpacks them:
#
#   tools/debs.sh --cache DIR [--stage DIR] PACKAGE...
#
# For each PACKAGE, the candidate version in apt's package index (the
# Debian mirrors in the host's apt sources; `apt-get update` fills the
# index, tools/deps.sh does it once when it is missing) is downloaded with
# `apt-get download` (no root needed) into the cache DIR, unless a file of
# that version with the right SHA256 is already there. Every file is
# checked against the SHA256 the index gives (a wrong one is downloaded
# again). With --stage, each package is unpacked with `dpkg-deb -x` into
# STAGE/PACKAGE/ (emptied first).
#
# The cache keeps one line per package in DIR/PACKAGE.info: version, file
# and SHA256 as the index gave them at download time. It lets the build
# go on without network and without an index: when the download is
# impossible, a cached file that still matches its recorded SHA256 is
# used (with a warning if the index now names another version). With
# neither, it stops with a message saying what to do.
#
# Downloads come only from the configured Debian mirrors, through apt.
set -eu

die() {
	echo "debs: $*" >&2
	exit 1
}

usage() {
	echo "usage: tools/debs.sh --cache DIR [--stage DIR] PACKAGE..." >&2
	exit 2
}

cache='' stage=''
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:?"$1 needs a value"}; shift 2 ;;
	--stage) stage=${2:?"$1 needs a value"}; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "debs: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done
[ -n "$cache" ] && [ $# -gt 0 ] || usage
for tool in apt-get apt-cache dpkg-deb sha256sum; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "'$tool' is missing (run tools/deps.sh)"
done
mkdir -p "$cache"
cache=$(cd "$cache" && pwd) # the download runs in a subdirectory

# DEBS_APT_OPTS: more options for apt-get and apt-cache, split at blanks
# (tests use it to point apt at a dead proxy or an empty index).
read -r -a apt_opts <<<"${DEBS_APT_OPTS:-}"
apt_opts+=(-q)
# apt drops to user _apt for downloads; as root into a directory _apt
# cannot write, it warns and goes on as root. Say so up front instead.
if [ "$(id -u)" -eq 0 ]; then
	apt_opts+=(-o APT::Sandbox::User=root)
fi

sha_of() {
	sha256sum "$1" | cut -d' ' -f1
}

# The index records of all the packages asked for, in one apt-cache call
# (apt may be set up without its binary cache, and then every call
# parses the whole index again). Unknown packages just have no record.
index=$(apt-cache "${apt_opts[@]}" show --no-all-versions "$@" \
	2>/dev/null) || index=''

# Sets idx_version, idx_file (base name) and idx_sha from the index;
# returns 1 when the index does not know package $1.
index_lookup() {
	local rec
	idx_version='' idx_file='' idx_sha=''
	rec=$(awk -v p="Package: $1" 'BEGIN { RS = "" } {
		n = split($0, line, "\n")
		for (i = 1; i <= n; i++) {
			if (line[i] == p) { print; exit }
		}
	}' <<<"$index")
	idx_version=$(sed -n 's/^Version: //p' <<<"$rec" | head -n1)
	idx_file=$(sed -n 's/^Filename: //p' <<<"$rec" | head -n1)
	idx_file=${idx_file##*/}
	idx_sha=$(sed -n 's/^SHA256: //p' <<<"$rec" | head -n1)
	[ -n "$idx_version" ] && [ -n "$idx_file" ] && [ -n "$idx_sha" ]
}

# Downloads version $2 of package $1 as $cache/$3; true when it arrived.
download() {
	local pkg=$1 version=$2 file=$3 tmp got
	tmp=$(mktemp -d "$cache/.download.XXXXXX")
	if (cd "$tmp" && apt-get "${apt_opts[@]}" download "$pkg=$version" \
		>"$tmp/log" 2>&1); then
		got=$(find "$tmp" -maxdepth 1 -name '*.deb' -print -quit)
		if [ -n "$got" ]; then
			mv -f "$got" "$cache/$file"
			rm -rf "$tmp"
			return 0
		fi
	fi
	sed 's/^/debs:   /' "$tmp/log" >&2
	rm -rf "$tmp"
	return 1
}

# Makes $cache hold a verified .deb of package $1; sets deb to its path.
fetch() {
	local pkg=$1 info=$cache/$1.info rec_version='' rec_file='' rec_sha=''
	if [ -f "$info" ]; then
		read -r rec_version rec_file rec_sha <"$info" || true
	fi
	if index_lookup "$pkg"; then
		deb=$cache/$idx_file
		if [ -f "$deb" ] && [ "$(sha_of "$deb")" = "$idx_sha" ]; then
			echo "$idx_version $idx_file $idx_sha" >"$info"
			return 0
		fi
		echo "debs: downloading $pkg $idx_version"
		if download "$pkg" "$idx_version" "$idx_file"; then
			if [ "$(sha_of "$deb")" != "$idx_sha" ]; then
				rm -f "$deb"
				die "$pkg: $idx_file does not have the SHA256" \
					"the package index gives ($idx_sha)"
			fi
			echo "$idx_version $idx_file $idx_sha" >"$info"
			return 0
		fi
		echo "debs: could not download $pkg $idx_version" >&2
	else
		echo "debs: the apt index does not know $pkg" \
			"(no 'apt-get update' yet?)" >&2
	fi
	# Offline: the copy recorded at its download, if it is intact.
	deb=$cache/$rec_file
	if [ -n "$rec_file" ] && [ -f "$deb" ] &&
		[ "$(sha_of "$deb")" = "$rec_sha" ]; then
		echo "debs: warning: using the cached $pkg $rec_version" >&2
		return 0
	fi
	die "$pkg: no verified copy in $cache and no way to download one;" \
		"connect to the network and run tools/deps.sh (it runs" \
		"apt-get update when the index is missing), then build again"
}

for pkg in "$@"; do
	fetch "$pkg"
	if [ -n "$stage" ]; then
		rm -rf "${stage:?}/$pkg"
		mkdir -p "$stage/$pkg"
		dpkg-deb -x "$deb" "$stage/$pkg" ||
			die "$pkg: dpkg-deb could not unpack $deb"
	fi
done
