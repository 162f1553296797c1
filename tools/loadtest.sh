#!/usr/bin/env bash
# `make loadtest`: the test suite under load, as issue 10 demands of it.
# Runs ROUNDS rounds; in each, two full test runs (tools/testrun.py, what
# `make test` runs after building) side by side, each with its own output
# directory, so every QEMU boot of one competes with the other's for this
# machine's cores. Prints one line per run and a closing count; the logs of a
# failing run stay in build/loadtest/<round>-<side>/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
out=build/loadtest
rm -rf "$out"
mkdir -p "$out"
runs=0 ok=0
for r in $(seq 1 "$rounds"); do
	for side in a b; do
		python3 tools/testrun.py $([ $side = b ] && echo --skip-fuzz) --out "$out/$r-$side" >"$out/$r-$side.log" 2>&1 &
	done
	wait || true
	for side in a b; do
		runs=$((runs + 1))
		last=$(tail -n 1 "$out/$r-$side.log")
		secs=$(grep -o '^# [0-9]* s in all' "$out/$r-$side.log" | grep -o '[0-9]*' || echo '?')
		case "$last" in
		*" 0 failed"*) ok=$((ok + 1)); rm -rf "$out/$r-$side" ;;
		*) grep -E '^not ok|^ +not ok' "$out/$r-$side.log" | head -20 || true ;;
		esac
		echo "round $r run $side: $last (${secs} s)"
	done
done
echo "loadtest: $ok of $runs runs passed"
[ "$ok" -eq "$runs" ]
