# Sourced by generate.sh and check-generated.sh: repo root as cwd, the buf and
# ts-proto binaries from node_modules (no protoc, no network), and the output dir.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

buf="$root/node_modules/.bin/buf"
plugin="$root/node_modules/.bin/protoc-gen-ts_proto"
for bin in "$buf" "$plugin"; do
  if [[ ! -x "$bin" ]]; then
    echo "$(basename "$0"): $bin not found; run npm ci first" >&2
    exit 1
  fi
done

gen="libs/contracts/src/gen"
