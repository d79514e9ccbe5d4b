#!/usr/bin/env bash
# npm run release: version every package from the pending changesets, build, check the packages,
# publish them to npm through pnpm (pnpm rewrites `workspace:^` to the released `^0.x.y`; npm
# publish would ship `workspace:^`), then tag the release. `npm run release -- --dry-run` stops
# before anything leaves the machine (no commit, no tag, `pnpm publish --dry-run`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dry=
if [ "${1-}" = --dry-run ]; then dry=1; fi
if [ -z "$dry" ] && [ -n "$(git status --porcelain)" ]; then
  echo "release: the working tree is not clean; commit or stash first" >&2
  exit 1
fi
npx changeset version
bash scripts/pnpm.sh run build
bash scripts/check-packages.sh
if [ -n "$dry" ]; then
  bash scripts/pnpm.sh publish -r --dry-run --no-git-checks
  echo "release: dry run; the versioned files are left uncommitted (git checkout . undoes them)"
  exit 0
fi
git add -A
git commit -m "release: $(node -p 'require("./packages/core/package.json").version')"
bash scripts/pnpm.sh publish -r
npx changeset tag
echo "release: published; push the commit and the tags (git push --follow-tags)"
