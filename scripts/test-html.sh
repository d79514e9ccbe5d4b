#!/usr/bin/env bash
# The browser test of `vfpu report … -o report.html` (issue 15): installs Debian's chromium when
# /usr/bin/chromium is missing (apt-get update once), then runs packages/cli/test/html-chromium.ts,
# which writes a report from a run, a comparison, a compare document and a sample sweep, opens it
# in headless Chromium through playwright-core and checks it (no console or page errors, every
# chart has marks) and saves a screenshot to $VFPU_REPORT_PNG (default /tmp/vfpu-report.png).
# Needs a build (dist/). VFPU_SKIP_HTML_TEST=1 skips it (machines without root or apt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "${VFPU_SKIP_HTML_TEST:-}" = 1 ]; then
  echo "test-html: skipped (VFPU_SKIP_HTML_TEST=1)"
  exit 0
fi
start=$(date +%s)
if [ ! -x /usr/bin/chromium ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium
fi
installed=$(date +%s)
node --conditions=@vfpu/source --import tsx packages/cli/test/html-chromium.ts
end=$(date +%s)
echo "test-html: chromium install $((installed - start)) s, browser test $((end - installed)) s"
