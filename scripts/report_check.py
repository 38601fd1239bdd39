"""Checks a rendered nedra report: run by scripts/report_check.sh with Debian's python3 (GDAL).

Arguments: REPORT_HTML DOM_DUMP SCREENSHOT_PNG RUN_JSON
Asserts that the report is self-contained (no network references, no script), that the maps,
curves and tables are in the rendered DOM in the expected numbers, and that the screenshot is
not blank and shows the viridis map colours.
"""
import json
import re
import sys

import numpy as np
from osgeo import gdal

html_path, dom_path, png_path, run_json = sys.argv[1:5]
html = open(html_path, encoding="utf-8").read()
dom = open(dom_path, encoding="utf-8").read()
run = json.load(open(run_json, encoding="utf-8"))
passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


refs = re.findall(r'(?:src|href)\s*=\s*"(https?:|//)[^"]*"', html)
check("no network references (src/href)", not refs, refs[:3])
check("no script", "<script" not in html.lower())
maps = dom.count('class="map-svg"')
check("two full maps plus target maps", maps >= 2 + min(6, run["targets"]["count"]), maps)
rasters = len(re.findall(r'<image class="raster" href="data:image/png;base64,', dom))
check("every map embeds its PNG", rasters == maps, (rasters, maps))
used = run["deposits"]["used"]
dots = dom.count('class="deposit"')
check("training deposits drawn on both full maps", dots >= 2 * used, (dots, used))
curves = dom.count('class="curve"')
check("success-rate, random, and two P-A curves", curves == 4, curves)
rows = len(re.findall(r"<tr>", dom))
check("tables rendered", rows > 20, rows)
import os
has_assessment = os.path.exists(os.path.join(os.path.dirname(run_json), "assessment", "assessment.json"))
check("assessment section when the run has one", (not has_assessment) or 'class="assessment"' in dom)
check("synthetic banner when synthetic", (not run["synthetic"]) or 'class="synthetic"' in dom)
check("every warning of run.json shown before the summary",
      dom.count("<li>") >= len(run["warnings"])
      # (the summary is the first table, in every language)
      and ((not run["warnings"]) or dom.find('class="warnings"') < dom.find("<table>")),
      len(run["warnings"]))

img = gdal.Open(png_path).ReadAsArray().astype(np.int32)  # bands × rows × cols
check("screenshot is not blank", img.std() > 20, img.std())
rgb = img[:3].reshape(3, -1).T


def near(colour, tol=40):
    return int((np.abs(rgb - np.array(colour)).sum(axis=1) < tol).sum())


yellow, purple = near((0xFD, 0xE7, 0x25)), near((0x44, 0x01, 0x54))
check("viridis yellow (high posterior) visible", yellow > 200, yellow)
check("viridis purple (low values) visible", purple > 2000, purple)
print(f"report: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
