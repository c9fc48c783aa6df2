#!/bin/sh
# Generates the kernel's symbol table for panic backtraces:
#   gensyms.sh KERNEL_ELF OUT.S
# With /dev/null as the ELF, writes an empty table. The table is an array
# of {address, name offset} sorted by address, then the names.
set -e
elf=$1
out=$2
{
	echo '	.section .ksyms, "a"'
	echo '	.balign 8'
	echo '	.globl ksyms_table, ksyms_count, ksyms_names'
	if [ "$elf" = /dev/null ]; then
		echo 'ksyms_count: .quad 0'
		echo 'ksyms_table:'
		echo 'ksyms_names: .byte 0'
		exit 0
	fi
	nm -n --defined-only "$elf" | awk '
		$2 ~ /^[tTwW]$/ { addr[n] = $1; name[n] = $3; n++ }
		END {
			printf "ksyms_count: .quad %d\n", n
			print "ksyms_table:"
			off = 0
			for (i = 0; i < n; i++) {
				printf "\t.quad 0x%s, %d\n", addr[i], off
				off += length(name[i]) + 1
			}
			print "ksyms_names:"
			for (i = 0; i < n; i++) {
				printf "\t.asciz \"%s\"\n", name[i]
			}
		}'
} > "$out"
