#!/usr/bin/env bash
# Fails when libs/contracts/src/gen is not exactly what proto/ generates, or
# when the protos fail `buf lint`. `npm run generate:check` (CI runs it).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

echo "generate:check: buf lint"
if ! "$buf" lint; then
  echo "generate:check: buf lint failed (see above)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# -o prefixes every plugin's `out` (buf.gen.yaml) with the temp directory.
"$buf" generate -o "$tmp"

if [[ ! -d "$gen" ]]; then
  echo "generate:check: $gen is missing: run npm run generate" >&2
  exit 1
fi

if ! diff -r -u "$tmp/$gen" "$gen" >"$tmp/changes.diff" 2>&1; then
  # Show what differs (bounded), then the one-line verdict.
  head -n 60 "$tmp/changes.diff" >&2
  echo >&2
  echo "generate:check: generated code is stale: run npm run generate" >&2
  exit 1
fi
echo "generate:check: $gen is up to date"
