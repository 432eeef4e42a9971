#!/usr/bin/env bash
# Brings up kanari's sandbox end to end on a fresh machine: installs what is missing, then runs
# one canary rollout. Arguments go to `kanari sandbox` (e.g. --scenario errors --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
[ -d node_modules ] || npm ci
exec node bin/kanari.js sandbox "$@"
