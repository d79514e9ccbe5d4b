#!/usr/bin/env bash
# The packages as npm will see them: publint (warnings are errors) and Are the Types Wrong?
# (`attw --profile esm-only`: the packages are ESM only, so require() resolution is not asked
# for) on each tarball of pack-all.sh. One line a package; a failing tool's full output. Needs a
# build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for tgz in $(bash scripts/pack-all.sh "$tmp"); do
  name=$(basename "$tgz" .tgz)
  if out=$(node_modules/.bin/publint run "$tgz" --strict --level suggestion 2>&1) && ! grep -q '^Suggestions:' <<<"$out"; then
    p=ok
  else
    printf '%s\n' "$out"
    p=FAILED status=1
  fi
  if out=$(node_modules/.bin/attw "$tgz" --profile esm-only --format table-flipped --no-emoji --no-color 2>&1); then
    a=ok
  else
    printf '%s\n' "$out"
    a=FAILED status=1
  fi
  printf 'check-packages: %-24s publint %s, attw (esm-only) %s\n' "$name" "$p" "$a"
done
exit "$status"
