#!/usr/bin/env bash
# Fuzzes every parser that reads a user's file (crates/cli/examples/fuzz_parsers.rs): project,
# deposit and sample CSV, weights tables, experts' CSV, assessment and prospects TOML,
# grade–tonnage JSON, run.json. Fails if any input panics, hangs or allocates without bound;
# such inputs are saved under fuzz-failures/.
# Usage: bash scripts/fuzz.sh [INPUTS_PER_PARSER [SEED]]   (default 1000000 and 1; CI runs 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
inputs="${1:-1000000}"
seed="${2:-1}"
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base="${TMPDIR:-/tmp}"
work="$(mktemp -d "$base/nedra-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cargo run -q --release --locked -p nedra-cli --example fuzz_parsers -- \
  --inputs "$inputs" --seed "$seed" --work "$work" --failures fuzz-failures
