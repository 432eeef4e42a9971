#!/usr/bin/env bash
# Brings up kanari's sandbox end to end on a fresh machine: installs what is missing, then runs
# one canary rollout. Arguments go to `kanari sandbox` (e.g. --scenario errors --keep).
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci, without the EBADENGINE blocks (five lines a package) that dependencies asking for a
# newer Node print on Node 20; one line says how many. Every other line, errors included, shows,
# and npm's exit status is kept (pipefail).
npm_ci() {
  { npm ci 2>&1 1>&3 3>&- | awk '
      /^npm warn EBADENGINE/ { if ($0 ~ /package:/) n++; next }
      { print; fflush() }
      END { if (n) printf "npm: %d packages ask for a newer Node than this one; kanari runs on Node >=20.19 (the engine warnings npm prints for them are not shown)\n", n }
    ' >&2; } 3>&1
}

bash scripts/install-system.sh
[ -d node_modules ] || npm_ci
exec node bin/kanari.js sandbox "$@"
