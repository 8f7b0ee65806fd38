#!/usr/bin/env bash
# Runs every test suite (unit, integration against real ovsdb-server/OVN daemons, end to end).
# The last line printed is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

# Two checks besides mocha, each counted as one test: the strict typecheck of everything (sources, tests,
# examples, benches) and the per-package build with declarations (what a consumer of the packages gets).
failed_typecheck=0
if pnpm -s exec tsc -p tsconfig.json --noEmit; then echo "typecheck: ok"; else
  echo "typecheck failed" >&2
  failed_typecheck=1
fi
if build_log=$(pnpm -s run build 2>&1); then echo "package build: ok"; else
  echo "$build_log"; echo "package build failed" >&2
  failed_typecheck=$((failed_typecheck + 1))
fi

out=$(mktemp)
pnpm -s exec mocha "$@" 'packages/*/test/**/*.test.ts' 'test/**/*.test.ts' 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^mocha: [0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | sed 's/^mocha: //')
rm -f "$out"
passed=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); passed=${passed:-0}
failed=$(echo "$summary" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p'); failed=${failed:-0}
if [ -z "$summary" ] && [ "$rc" -ne 0 ]; then failed=$((failed + 1)); fi
failed=$((failed + failed_typecheck))
passed=$((passed + 2 - failed_typecheck))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
