#!/usr/bin/env bash
# Gets what the Linux side of `make bench` needs, once:
#   - gcc and glibc's static libraries (Debian packages gcc, libc6-dev), to
#     build the initramfs's /init; installed like tools/deps.sh does;
#   - Debian's linux-image-cloud-amd64 kernel, downloaded with
#     `apt-get download` and unpacked with `dpkg-deb -x` into a cache
#     (nothing is installed on the host): DIR/vmlinuz and DIR/version;
#   - from the same package, the modules the blk rows need (that kernel has
#     virtio, virtio_pci and virtio_blk as modules): DIR/modules/NAME.ko,
#     and DIR/modules/order, their names in load order (each after the ones
#     it depends on), which the initramfs's /init follows.
# `make test` never calls this. A machine that has both is checked without
# touching the network.
#
#   bench/linux/fetch.sh DIR
set -euo pipefail

dir=${1:?usage: fetch.sh CACHE_DIR}
meta=linux-image-cloud-amd64
# In load order: a module's dependencies (its .modinfo `depends=`) first.
modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		echo "bench: need root or passwordless sudo for: $*" >&2
		exit 1
	fi
}

updated=0
apt_update() {
	[ $updated -eq 1 ] && return
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	updated=1
}

# gcc -static needs libc.a, which only libc6-dev provides.
if ! command -v gcc >/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/libc.a ]; then
	echo "bench: installing gcc libc6-dev" >&2
	apt_update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		gcc libc6-dev >/dev/null
fi

[ -s "$dir/vmlinuz" ] && [ -s "$dir/version" ] && [ -e "$dir/modules/order" ] && exit 0

# The metapackage depends on exactly one versioned image package; its
# name says which kernel we get. A fresh machine has no package lists yet.
image=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
if [ -z "$image" ]; then
	apt_update
	image=$(apt-cache depends "$meta" | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
fi
[ -n "$image" ] || { echo "bench: apt knows no $meta" >&2; exit 1; }

echo "bench: downloading $image (Debian's $meta)" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt's download sandbox user (_apt) must be able to write the directory.
chmod 0777 "$tmp"
(cd "$tmp" && apt-get download -qq "$image")
dpkg-deb -x "$tmp"/"$image"_*.deb "$tmp/root"
mkdir -p "$dir"
rm -rf "$dir/modules"
mkdir "$dir/modules"
# A module the kernel has built in (modules.builtin) needs no file.
for m in $modules; do
	ko=$(find "$tmp"/root/lib/modules -name "$m.ko" | head -n1)
	if [ -n "$ko" ]; then
		cp "$ko" "$dir/modules/"
		echo "$m" >> "$dir/modules/order.tmp"
	elif ! grep -q "/$m.ko\$" "$tmp"/root/lib/modules/*/modules.builtin; then
		echo "bench: $image has no module $m, built in or not" >&2
		exit 1
	fi
done
touch "$dir/modules/order.tmp"
cp "$tmp"/root/boot/vmlinuz-* "$dir/vmlinuz"
basename "$tmp"/root/boot/vmlinuz-* | sed 's/^vmlinuz-//' > "$dir/version"
mv "$dir/modules/order.tmp" "$dir/modules/order" # last: the cache is complete
echo "bench: $dir/vmlinuz is Linux $(cat "$dir/version"); modules: $(tr '\n' ' ' < "$dir/modules/order")" >&2
