#!/usr/bin/env bash
# Start-up time of the fullstop CLI against bare Node, in one hyperfine run (so every command sees the same
# machine load): `node -e 0`, `fullstop --version` and `fullstop list-violations --help`, each for the
# shipped (bundled) executable and for the plain transpiled one, to show what bundling buys.
# Usage: bench/cli-startup/run.sh            (RUNS=100 WARMUP=10 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${RUNS:-100}"
WARMUP="${WARMUP:-10}"
work=bench/.data/cli-startup
results=bench/results
mkdir -p "$work" "$results"

# Measure a private copy of dist/, so a rebuild by someone else cannot change it mid-run. Packages still
# resolve from the repository's node_modules, two levels up.
flock /tmp/build.lock sh -c "npm run --silent build && rm -rf '$work/dist' && cp -r dist '$work/dist'"
# The unbundled variant: bin/fullstop.ts transpiled alone (no version inlined, so even --version loads the whole
# CLI), importing the transpiled dist/src modules.
npx esbuild bin/fullstop.ts --format=esm --platform=node --target=node20 --log-level=warning \
  --outfile="$work/dist/bin-unbundled/fullstop.js"

hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$results/cli-startup.json" \
  -n 'node -e 0' 'node -e 0' \
  -n 'fullstop --version' "node $work/dist/bin/fullstop.js --version" \
  -n 'fullstop list-violations --help' "node $work/dist/bin/fullstop.js list-violations --help" \
  -n 'unbundled fullstop --version' "node $work/dist/bin-unbundled/fullstop.js --version" \
  -n 'unbundled fullstop list-violations --help' "node $work/dist/bin-unbundled/fullstop.js list-violations --help" \
  >&2

node bench/cli-startup/ratios.mjs "$results/cli-startup.json"
