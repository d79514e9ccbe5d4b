#!/usr/bin/env bash
# pnpm at the version package.json pins, through npx: Node and npm are all a machine needs.
# Inside a script pnpm runs (npm_config_user_agent starts "pnpm/<that version>"), the pnpm that
# runs it is on PATH: use it. A second npx there would read the npm_config_* variables pnpm sets
# for its own settings (catalog, verify-deps-before-run, …) and warn "Unknown env config" for each.
version=10.34.8
if [[ "${npm_config_user_agent:-}" == "pnpm/$version "* ]] && command -v pnpm >/dev/null; then
  exec pnpm "$@"
fi
exec npx -y "pnpm@$version" "$@"
