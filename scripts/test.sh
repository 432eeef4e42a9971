#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what is missing, then lint, types and
# every test (unit, integration with DynamoDB Local/Prometheus/Alertmanager/kubectl, e2e with Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh --with-browser
[ -d node_modules ] || npm ci
npm test
