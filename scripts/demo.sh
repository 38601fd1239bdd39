#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (GDAL), builds nedra and runs the SYNTHETIC demo.
# Usage: bash scripts/demo.sh [OUT_DIR]   (default: nedra-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --locked -p nedra-cli
./target/release/nedra demo --out "${1:-nedra-demo}"
