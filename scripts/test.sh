#!/usr/bin/env bash
# Root test entry point: installs (fast when already installed), builds (turbo-cached;
# the CLI tests may spawn the built bin), then runs every package's tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/pnpm.sh install --frozen-lockfile
bash scripts/pnpm.sh exec turbo run build --concurrency=2
bash scripts/pnpm.sh exec turbo run test --concurrency=2 "$@"
