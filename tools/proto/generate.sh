#!/usr/bin/env bash
# Regenerates libs/contracts/src/gen from proto/ (buf + ts-proto, offline).
# `npm run generate`. The output is deterministic: same protos, same bytes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

buf="$root/node_modules/.bin/buf"
plugin="$root/node_modules/.bin/protoc-gen-ts_proto"
for bin in "$buf" "$plugin"; do
  if [[ ! -x "$bin" ]]; then
    echo "generate: $bin not found; run npm ci first" >&2
    exit 1
  fi
done

out="libs/contracts/src/gen"
rm -rf "$out"
"$buf" generate
echo "generate: wrote $out ($(find "$out" -name '*.ts' | wc -l | tr -d ' ') files)"
