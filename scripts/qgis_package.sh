#!/usr/bin/env bash
# Zips the QGIS plugin (qgis/nedra_qgis) into a file QGIS installs from its plugin manager
# (Plugins → Manage and Install Plugins → Install from ZIP).
# Usage: bash scripts/qgis_package.sh [OUT.zip]   (default: nedra_qgis.zip)
set -euo pipefail
out="$(realpath -m "${1:-nedra_qgis.zip}")"
mkdir -p "$(dirname "$out")"
cd "$(dirname "$0")/../qgis"
python3 - "$out" <<'PY'
import os, sys, zipfile

out = sys.argv[1]
tmp = out + ".tmp"
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, dirs, files in os.walk("nedra_qgis"):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                z.write(os.path.join(folder, name))
os.replace(tmp, out)
PY
echo "$out"
