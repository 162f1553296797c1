#!/usr/bin/env bash
# The raw-code rule of DESIGN section 0: inline assembly and volatile MMIO
# pointers live only under kernel/arch/ (and the loader, boot/), and every
# such file states its invariants in a SAFETY: comment.
# Tests may use volatile to poke memory on purpose; they are exempt from the
# volatile rule, not from the assembly rule.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
asm_re='(__asm__|\basm[[:space:]]*(volatile|goto)?[[:space:]]*\()'
mmio_re='volatile[[:space:]]+u?int(8|16|32|64)_t[[:space:]]*\*'

# 1. Inline assembly outside kernel/arch/ and boot/.
if stray=$(grep -rnE "$asm_re" kernel include user 2>/dev/null | grep -v '^kernel/arch/'); then
	echo "lint-raw: inline assembly outside kernel/arch/:"
	echo "$stray"
	status=1
fi

# 2. volatile device-register pointers outside kernel/arch/ (tests exempt).
# User programs are not privileged: their volatile accesses are to shared
# memory or to MMIO they were given a capability for, so user/ is exempt.
if stray=$(grep -rnE "$mmio_re" kernel include 2>/dev/null | grep -v '^kernel/arch/' |
           grep -vE '(_test\.c|^kernel/test/)'); then
	echo "lint-raw: volatile MMIO pointer outside kernel/arch/:"
	echo "$stray"
	status=1
fi

# 2b. The raw primitives of arch/x86.h that reach hardware state (port I/O,
# control registers, MSRs) are called only under kernel/arch/; generic code
# goes through a named arch_ function that states its invariant.
prim_re='\b((in|out)[bwl]|write_cr[0-4]|read_cr[0-4]|wrmsr|rdmsr|xsetbv|invlpg)[[:space:]]*\('
if stray=$(grep -rnE "$prim_re" kernel --include='*.c' --include='*.h' 2>/dev/null |
           grep -v '^kernel/arch/' | grep -vE '(_test\.c|^kernel/test/)'); then
	echo "lint-raw: port I/O, control-register or MSR access outside kernel/arch/:"
	echo "$stray"
	status=1
fi

# 3. Every raw file says why it is safe.
while IFS= read -r f; do
	if ! grep -q 'SAFETY:' "$f"; then
		echo "lint-raw: $f has inline assembly or volatile MMIO but no SAFETY: comment"
		status=1
	fi
done < <(grep -rlE "$asm_re|$mmio_re" kernel/arch boot 2>/dev/null | grep -E '\.(c|h|S)$' || true)

# Assembly files are raw by definition.
while IFS= read -r f; do
	grep -q 'SAFETY:' "$f" || { echo "lint-raw: $f has no SAFETY: comment"; status=1; }
done < <(find kernel boot -name '*.S' 2>/dev/null)

[ "$status" -eq 0 ] && echo "lint-raw: ok"
exit "$status"
