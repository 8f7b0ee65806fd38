#!/usr/bin/env bash
# The main job: see README. Installs what is missing, then runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --conditions=ovnkit-source --import tsx examples/demo.ts "$@"
