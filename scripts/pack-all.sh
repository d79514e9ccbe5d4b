#!/usr/bin/env bash
# pack-all.sh OUT_DIR: `pnpm pack` of every package under packages/ into OUT_DIR (through pnpm, so
# `workspace:^` becomes the `^0.x.y` npm will see). Prints one tarball path a line. Needs a build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mkdir -p "$1" && cd "$1" && pwd)
bash scripts/pnpm.sh -r --filter './packages/*' pack --pack-destination "$out" >/dev/null
ls "$out"/*.tgz
