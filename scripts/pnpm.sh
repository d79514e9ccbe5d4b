#!/usr/bin/env bash
exec npx -y pnpm@10.34.8 "$@"
