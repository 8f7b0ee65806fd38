#!/usr/bin/env bash
# Runs the benchmarks (each measures ovnkit side by side with its peer in one run) and prints their tables.
# Usage: pnpm bench            all benchmarks
#        pnpm bench framing    only bench/framing.bench.ts
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p bench/results
sel=${1:-}
for f in bench/*.bench.ts; do
  name=$(basename "$f" .bench.ts)
  [ -n "$sel" ] && [ "$sel" != "$name" ] && continue
  echo "== $name"
  node --conditions=ovnkit-source --import tsx --expose-gc "$f" | tee "bench/results/$name.txt"
done
