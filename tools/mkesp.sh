#!/usr/bin/env bash
# Builds a FAT "superfloppy" EFI system partition image (no partition table;
# OVMF boots it from a plain `-drive format=raw,file=OUT.img`) with mtools
# only: no root, no loop devices. Layout (docs/boot.md):
#   \EFI\BOOT\BOOTX64.EFI   the loader
#   \ferrous\kernel.elf     the kernel
#   \ferrous\initrd.cpio    the initial ramdisk
#   \ferrous\cmdline.txt    the kernel command line, exactly CMDLINE_TEXT
# KERNEL or INITRD given as "-" is left out (to test the loader's handling of
# missing files). The output is byte-for-byte reproducible: fixed volume
# serial number, fixed timestamps (SOURCE_DATE_EPOCH, default 1980-01-01).
set -euo pipefail

usage() {
	cat >&2 <<EOF
usage: $(basename "$0") OUT.img LOADER.efi KERNEL.elf|- INITRD.cpio|- CMDLINE_TEXT
  Writes a FAT ESP image OUT.img holding \\EFI\\BOOT\\BOOTX64.EFI (LOADER.efi),
  \\ferrous\\kernel.elf, \\ferrous\\initrd.cpio and \\ferrous\\cmdline.txt
  (containing CMDLINE_TEXT, no newline added). "-" omits the kernel or initrd.
EOF
	exit 2
}

die() {
	echo "mkesp: $*" >&2
	exit 1
}

[ $# -eq 5 ] || usage
out=$1 loader=$2 kernel=$3 initrd=$4 cmdline=$5

for f in "$loader" "$kernel" "$initrd"; do
	[ "$f" = - ] || [ -f "$f" ] || die "no such file: $f"
done
[ "$loader" != - ] || die "the loader cannot be omitted"

# Size: the files plus 1 MiB for FAT tables, directories and cluster
# rounding, plus 1/16 headroom, in whole MiB; at least 2 MiB.
bytes=0
for f in "$loader" "$kernel" "$initrd"; do
	[ "$f" = - ] || bytes=$((bytes + $(stat -c %s "$f")))
done
bytes=$((bytes + ${#cmdline}))
mib=$(((bytes + bytes / 16 + (1 << 20) + (1 << 20) - 1) >> 20))
[ "$mib" -ge 2 ] || mib=2

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-315532800} TZ=UTC
export MTOOLS_SKIP_CHECK=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
img=$tmp/esp.img
printf '%s' "$cmdline" >"$tmp/cmdline.txt"

truncate -s "${mib}M" "$img"
# mformat picks FAT12 or FAT16 from the size; -N fixes the serial number.
mformat -i "$img" -N 46455252 -v FERROUS ::
mmd -i "$img" ::/EFI ::/EFI/BOOT ::/ferrous
mcopy -i "$img" "$loader" ::/EFI/BOOT/BOOTX64.EFI
[ "$kernel" = - ] || mcopy -i "$img" "$kernel" ::/ferrous/kernel.elf
[ "$initrd" = - ] || mcopy -i "$img" "$initrd" ::/ferrous/initrd.cpio
mcopy -i "$img" "$tmp/cmdline.txt" ::/ferrous/cmdline.txt

# Replace OUT only once the image is complete.
mv -f "$img" "$out"
