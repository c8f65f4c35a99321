#!/bin/sh
# build-wasm.sh: same as `node scripts/build-wasm.mjs` (kept for shells).
exec node "$(dirname "$0")/build-wasm.mjs" "$@"
