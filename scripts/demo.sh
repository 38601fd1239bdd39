#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (GDAL), installs nedra and runs the SYNTHETIC demo.
# Usage: bash scripts/demo.sh [OUT_DIR]   (default: nedra-demo)
#
# `cargo install --path crates/cli --locked` puts the `nedra` binary into cargo's bin folder
# (~/.cargo/bin, which rustup's setup puts on PATH), so the README's commands run as `nedra …`.
# --target-dir target builds in this repository's target/ (target/release/nedra), shared with
# `cargo build --release` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo install --path crates/cli --locked --target-dir target
bin="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
if [ "$(command -v nedra || true)" = "$bin/nedra" ]; then
  echo "nedra is installed in $bin and on PATH: run it as \`nedra …\`"
else
  echo "nedra is installed in $bin, which is not first on PATH: add it with" >&2
  echo "  export PATH=\"$bin:\$PATH\"" >&2
fi
"$bin/nedra" demo --out "${1:-nedra-demo}"
