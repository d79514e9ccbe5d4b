#!/usr/bin/env bash
# The packages as a user gets them: pack every package (pack-all.sh, through pnpm so `workspace:^`
# is rewritten), install the tarballs into a scratch project with npm alone (@vfpu/* can only come
# from the tarballs: their registry is a closed port; third-party dependencies come from npm), then
# `npx vfpu --version`, `npx vfpu run preset:desktop --arch A --json` for every architecture
# (`vfpu list --json`'s, and the testkit's toy through `--backend @vfpu/testkit/toy`), and each
# package README's example marked `<!-- example: test-pack … -->`, as written there. Needs a build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "test-pack: $*" >&2
  exit 1
}

mapfile -t tarballs < <(bash scripts/pack-all.sh "$tmp/tarballs")
mkdir "$tmp/project" && cd "$tmp/project"
printf '{ "name": "vfpu-pack-test", "private": true, "type": "module" }\n' >package.json
printf '@vfpu:registry=http://127.0.0.1:9/\n' >.npmrc
npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}" >npm-install.log 2>&1 ||
  { cat npm-install.log; fail "npm install of the tarballs failed"; }
echo "test-pack: npm installed ${#tarballs[@]} tarballs: $(cd "$tmp/tarballs" && echo *.tgz)"

want=$(node -p 'require("./node_modules/@vfpu/cli/package.json").version')
got=$(npx --no-install vfpu --version)
[ "$got" = "$want" ] || fail "npx vfpu --version printed '$got', the package is $want"
echo "test-pack: npx vfpu --version: $got"
got=$(npx --no-install @vfpu/cli --version)
[ "$got" = "$want" ] || fail "npx @vfpu/cli --version printed '$got', the package is $want"
echo "test-pack: npx @vfpu/cli --version: $got"

check_run() { # ARCH [vfpu options…]: run preset:desktop --json and check the report's arch
  local arch=$1 out
  shift
  out=$(npx --no-install vfpu run preset:desktop --arch "$arch" --json "$@") ||
    fail "npx vfpu run preset:desktop --arch $arch --json $* exited $?"
  node -e '
    const r = JSON.parse(process.argv[1]);
    if (r.format !== "vfpu-report" || r.arch !== process.argv[2])
      throw new Error(`expected a vfpu-report of ${process.argv[2]}, got ${r.format} of ${r.arch}`);
    // the versions a report prints are those of the installed packages (the toy has no package)
    for (const [name, version] of Object.entries(r.config.versions)) {
      if (name === "@vfpu/toy") continue;
      const installed = require(`./node_modules/${name}/package.json`).version;
      if (version !== installed)
        throw new Error(`the report says ${name} ${version}, the installed package is ${installed}`);
    }
    console.log(`test-pack: npx vfpu run preset:desktop --arch ${r.arch} --json: ${r.variant}, ${r.workload.events} events, ${r.check.violations} violations`);
  ' "$out" "$arch"
}
mapfile -t archs < <(npx --no-install vfpu list --json | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    for (const a of JSON.parse(s).archs) console.log(a.id);
  });')
[ "${#archs[@]}" -ge 5 ] || fail "vfpu list --json names ${#archs[@]} architectures"
for arch in "${archs[@]}"; do check_run "$arch"; done
check_run toy --backend @vfpu/testkit/toy

# the README examples: the block after each marker, as written (the core one reads a workload file)
npx --no-install vfpu gen overcommit --events 20000 -o workload.ndjson.gz
node -e '
  const fs = require("node:fs");
  const [root, out] = process.argv.slice(1);
  for (const dir of fs.readdirSync(`${root}/packages`).sort()) {
    const md = fs.readFileSync(`${root}/packages/${dir}/README.md`, "utf8");
    const blocks = [...md.matchAll(/<!-- example: test-pack[^>]*-->\n```(?:ts|js)\n([\s\S]*?)```/g)];
    if (blocks.length === 0) throw new Error(`packages/${dir}/README.md: no <!-- example: test-pack --> block`);
    blocks.forEach((m, i) => fs.writeFileSync(`${out}/example-${dir}-${i + 1}.mjs`, m[1]));
  }' "$root" "$PWD"
for ex in example-*.mjs; do
  out=$(node "$ex" 2>&1) || { printf '%s\n' "$out"; fail "$ex (a README example) failed"; }
  echo "test-pack: $ex ok: $(printf '%s' "$out" | head -c 160 | tr '\n' ' ')"
done
echo "test-pack: every package installs with npm and works from its tarball"
