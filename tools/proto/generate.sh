#!/usr/bin/env bash
# Regenerates libs/contracts/src/gen from proto/ (buf + ts-proto, offline).
# `npm run generate`. The output is deterministic: same protos, same bytes.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

rm -rf "$gen"
"$buf" generate
echo "generate: wrote $gen ($(find "$gen" -name '*.ts' | wc -l | tr -d ' ') files)"
