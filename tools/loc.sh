#!/usr/bin/env bash
# Line counts of the privileged code, and the share that is raw (DESIGN
# section 0's stand-in for the charter's "unsafe < 5%"): assembly files,
# inline-assembly statements and volatile (MMIO) accesses. Tests
# (*_test.c, kernel/test/) are not in release kernels and are counted apart.
set -euo pipefail
cd "$(dirname "$0")/.."

nonblank() { if [ $# -eq 0 ]; then echo 0; else cat "$@" | grep -cv '^[[:space:]]*$' || true; fi; }

# Raw lines in C: every line of an __asm__ statement, and lines using volatile.
raw_c() {
	[ $# -eq 0 ] && { echo 0; return; }
	awk '
		/^[[:space:]]*(\/\*|\*|\/\/)/ { next }
		/__asm__/ { inasm = 1 }
		inasm { n++; if ($0 ~ /\);/) inasm = 0; next }
		/volatile/ { n++ }
		END { print n + 0 }' "$@"
}
# Raw lines in assembly: everything but comments, blank lines and directives-only preprocessor lines.
raw_s() {
	[ $# -eq 0 ] && { echo 0; return; }
	cat "$@" | grep -vE '^[[:space:]]*($|/\*|\*|//|#)' | wc -l
}

mapfile -t all < <(find kernel -name '*.[chS]' ! -name '*_test.c' ! -path 'kernel/test/*' | sort)
mapfile -t arch < <(find kernel/arch -name '*.[chS]' ! -name '*_test.c' | sort)
mapfile -t cfiles < <(printf '%s\n' "${all[@]}" | grep -E '\.[ch]$')
mapfile -t sfiles < <(printf '%s\n' "${all[@]}" | grep -E '\.S$')
mapfile -t tests < <(find kernel \( -name '*_test.c' -o -path 'kernel/test/*' \) -name '*.[ch]' | sort)
mapfile -t boot < <(find boot -name '*.[chS]' | sort)

k=$(nonblank "${all[@]}")
a=$(nonblank "${arch[@]}")
r=$(( $(raw_c "${cfiles[@]}") + $(raw_s "${sfiles[@]}") ))
pct() { printf '%d.%d%%' $(($1 * 100 / $2)) $(($1 * 1000 / $2 % 10)); }

printf 'kernel, privileged (no tests):  %6d lines\n' "$k"
printf '  in kernel/arch/:              %6d lines (%s)\n' "$a" "$(pct "$a" "$k")"
printf '  raw (asm, inline asm, MMIO):  %6d lines (%s; DESIGN section 0 bound: < 5%%)\n' "$r" "$(pct "$r" "$k")"
printf 'in-kernel tests:                %6d lines\n' "$(nonblank "${tests[@]}")"
printf 'UEFI loader (boot/):            %6d lines\n' "$(nonblank "${boot[@]}")"
