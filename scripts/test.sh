#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (GDAL) and runs nedra's test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --workspace --locked
