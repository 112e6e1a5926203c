#!/usr/bin/env bash
# wasm/worker/build.sh: builds the Cloudflare Worker into wasm/worker/build/
# (scripts/build, scripts/worker-dev and scripts/test-worker call it):
#   1. the JS glue of syumai/workers (worker.mjs, runtime.mjs, wasm_exec.js),
#      from the version that go.mod pins, with workers-assets-gen -mode=go;
#   2. app.wasm: GOOS=js GOARCH=wasm go build of wasm/worker.
# It prints the bundle's raw and gzip sizes and fails when the gzip size
# passes the Workers Free plan's 3 MB, which Cloudflare counts compressed.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Cloudflare's Free plan takes a Worker of up to 3 MB compressed (its error
# says 3 MiB; the smaller number is the safe one).
limit=3000000
out=wasm/worker/build

# One build at a time (two scripts/worker-dev may start together):
# workers-assets-gen empties the folder first.
if command -v flock >/dev/null 2>&1; then
  exec 9>wasm/worker/.build.lock
  flock 9
fi

# Built beside, then swapped in, so that a wrangler dev serving the old
# build never sees a half-written one (workers-assets-gen empties its
# folder first).
next="$out.next"
go run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o "$next"
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o "$next/app.wasm" ./wasm/worker
if [[ -d "$out/.wrangler-home" ]]; then
  mv "$out/.wrangler-home" "$next/.wrangler-home"
fi
rm -rf "$out.old"
if [[ -d "$out" ]]; then
  mv "$out" "$out.old"
fi
mv "$next" "$out"
rm -rf "$out.old"

raw=0
gz=0
for f in "$out"/app.wasm "$out"/*.mjs "$out"/*.js; do
  raw=$((raw + $(wc -c <"$f")))
  gz=$((gz + $(gzip -c "$f" | wc -c)))
done
wasm_raw=$(wc -c <"$out/app.wasm")
wasm_gz=$(gzip -c "$out/app.wasm" | wc -c)
mb() { awk -v n="$1" 'BEGIN { printf "%.2f MB", n / 1000000 }'; }
echo "built $out: app.wasm $(mb "$wasm_raw") raw, $(mb "$wasm_gz") gzip; bundle $(mb "$raw") raw, $(mb "$gz") gzip (limit $(mb "$limit") gzip)"
if ((gz > limit)); then
  echo "wasm/worker/build.sh: the Worker is $(mb "$gz") gzipped, past the Free plan's $(mb "$limit"); Cloudflare would refuse it" >&2
  exit 1
fi
