#!/usr/bin/env bash
# CONTRIBUTING.md stays true: runs its steps 2–4 exactly as written (copy and rename the template,
# its conformance tests, running it in `vfpu run --backend`), checks the run found no violation,
# then undoes them (the copy, the workload, the lockfile entry). Needs a built checkout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
cleanup() {
  cd "$root"
  rm -rf examples/my-arch w.ndjson
  git checkout -q -- pnpm-lock.yaml
  bash scripts/pnpm.sh install --frozen-lockfile >/dev/null
}
trap cleanup EXIT
# the ```sh blocks of sections 2, 3 and 4, in order
steps=$(node -e '
  const md = require("fs").readFileSync("CONTRIBUTING.md", "utf8");
  const part = md.slice(md.indexOf("\n## 2."), md.indexOf("\n## 5."));
  const blocks = [...part.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length < 3) throw new Error("CONTRIBUTING.md: expected the sh blocks of steps 2-4");
  process.stdout.write(blocks.join("\n"));
')
# a newcomer's shell: not CI (pnpm would refuse to add the copy to the lockfile)
out=$(env -u CI bash -euo pipefail -c "$steps" 2>&1) || { printf '%s\n' "$out"; exit 1; }
printf '%s\n' "$out" | tail -4
if ! printf '%s\n' "$out" | grep -Eq '^state violations +0 +0$'; then
  echo "check-contributing: the run of the copied backend did not end with 0 violations" >&2
  exit 1
fi
echo "check-contributing: CONTRIBUTING.md steps 2-4 work as written"
