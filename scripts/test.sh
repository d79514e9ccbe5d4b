#!/usr/bin/env bash
# The whole test suite, as the README gives it: installs (fast when already installed), builds
# (the CLI tests also run the built bin), runs every package's tests, then prints one closing
# line "N passed, N failed" summed over all packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/pnpm.sh install --frozen-lockfile
bash scripts/pnpm.sh exec turbo run build --concurrency=2
rm -f packages/*/test-results.json examples/*/test-results.json
status=0
bash scripts/pnpm.sh exec turbo run test --concurrency=2 "$@" || status=$?
node scripts/test-summary.mjs || status=1
exit $status
