#!/usr/bin/env bash
# Installs the Debian packages the build, `make run` and `make test` need,
# when any is missing. A machine that has them all is checked in well under
# a second, without touching the network.
set -euo pipefail

# package  -> a file (or glob) the package provides, checked without dpkg
declare -A provides=(
	[clang]=/usr/bin/clang
	[lld]=/usr/bin/ld.lld
	[llvm]=/usr/bin/llvm-objcopy
	[make]=/usr/bin/make
	[python3]=/usr/bin/python3
	[qemu-system-x86]=/usr/bin/qemu-system-x86_64
	[ovmf]=/usr/share/OVMF/OVMF_CODE_4M.fd
	[mtools]=/usr/bin/mformat
	[cpio]=/usr/bin/cpio
	[gnu-efi]=/usr/include/efi/efi.h
	[libcmocka-dev]=/usr/include/cmocka.h
	[libclang-rt-14-dev]='/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a'
	[gdb]=/usr/bin/gdb
	[clang-tidy]=/usr/bin/clang-tidy
	[cppcheck]=/usr/bin/cppcheck
	# The independent decoder of the OTLP JSON check (tools/otlp_check.py)
	[python3-protobuf]=/usr/lib/python3/dist-packages/google/protobuf/__init__.py
)

missing=()
present() { compgen -G "$1" >/dev/null; }

for pkg in "${!provides[@]}"; do
	present "${provides[$pkg]}" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "deps: missing packages (${missing[*]}) and no root or passwordless sudo to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
for pkg in "${missing[@]}"; do
	present "${provides[$pkg]}" || { echo "deps: $pkg installed but ${provides[$pkg]} is still missing" >&2; exit 1; }
done
echo "deps: done" >&2
