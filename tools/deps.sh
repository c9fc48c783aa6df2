#!/bin/bash
# Installs the Debian packages that building, running and testing Keel need.
#
# Asks dpkg which of them are missing. When none is, it prints nothing and
# exits 0 at once (it runs before every `make run` and `make test`).
# Otherwise it says what it is about to install and runs apt-get update and
# apt-get install -y, through sudo when not root. It never downloads from
# anywhere but the configured Debian mirrors.
#
# The image carries Debian packages (tools/debs.sh) found through apt's
# package index: when the index is missing (a fresh container), it runs
# apt-get update once. Without network that only warns: a filled
# package cache (build/debs) lets the build go on.
set -eu

packages=(
	gcc make binutils			# kernel and user programs
	musl-tools				# static test programs (musl-gcc)
	dpkg apt				# Debian packages in the image
	python3 cpio gdb			# harness, initrd, debugging
	grub-common grub-pc-bin grub-efi-amd64-bin	# boot loader
	xorriso mtools dosfstools e2fsprogs fdisk	# the disk image
	qemu-system-x86 ovmf			# the virtual machine
)

# One dpkg-query call for all: it prints the status of the installed ones
# and complains on stderr about the ones it has never heard of.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
	"${packages[@]}" 2>/dev/null | awk '$2 ~ /^ii/ { print $1 }') || true

# Runs apt-get (update or install) as root: directly, or through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive "$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo env DEBIAN_FRONTEND=noninteractive "$@"
	else
		return 1
	fi
}

# apt's index: present when some Packages file is in its lists.
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
	echo "deps: no apt package index yet; running apt-get update"
	as_root apt-get update -q ||
		echo "deps: warning: apt-get update failed; Debian packages" \
			"for the image must already be in build/debs" >&2
fi

missing=()
for p in "${packages[@]}"; do
	if ! grep -qxF "$p" <<<"$installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "deps: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "deps: not root and no sudo; install them by hand:" >&2
	echo "  apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"
