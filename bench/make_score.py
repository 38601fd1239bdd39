"""Synthetic continuous score map for the validation benchmark: an N×N Float32 raster of 50 m
cells (EPSG:32635) holding a logistic map — a smooth field plus cell noise through the logistic
function, so nearly every cell has its own score, as a data-driven model's map has — with a
NoData border, and deposit points drawn from the map itself (about `deposits` of them).

Run with Debian's python3 (it imports GDAL's osgeo): /usr/bin/python3 make_score.py OUT N [deposits]
Deterministic (numpy seed 17); written in strips of rows, so memory stays small.
"""
import os
import sys

import numpy as np
from osgeo import gdal, osr

out, n = sys.argv[1], int(sys.argv[2])
want = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(17)
srs = osr.SpatialReference()
srs.ImportFromEPSG(32635)
gt = (400000.0, 50.0, 0.0, 6000000.0, 0.0, -50.0)
waves = [(rng.uniform(-12, 12), rng.uniform(-12, 12), rng.uniform(0, 6.3)) for _ in range(6)]
x = np.arange(n, dtype=np.float64) / n
ds = gdal.GetDriverByName("GTiff").Create(
    f"{out}/score.tif", n, n, 1, gdal.GDT_Float32,
    ["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=YES"],
)
ds.SetGeoTransform(gt)
ds.SetProjection(srs.ExportToWkt())
band = ds.GetRasterBand(1)
band.SetNoDataValue(-9999)
# Expected deposits at logit eta: exp(eta + shift); the shift is set from a first strip.
shift = None
points = []
for r0 in range(0, n, 256):
    rows = min(256, n - r0)
    y = (np.arange(r0, r0 + rows, dtype=np.float64) / n)[:, None]
    eta = np.full((rows, n), -4.0)
    for a, b, ph in waves:
        eta += 0.8 * np.sin(a * x[None, :] + b * y + ph)
    eta += rng.normal(0.0, 1.0, (rows, n))
    p = (1.0 / (1.0 + np.exp(-eta))).astype(np.float32)
    border = max(1, n // 100)
    p[:, :border] = -9999
    if r0 < border:
        p[: border - r0, :] = -9999
    if shift is None:
        shift = want / (float(np.exp(eta).mean()) * n * n)
    hits = np.argwhere((rng.random((rows, n)) < shift * np.exp(eta)) & (p != -9999))
    points.extend((r0 + r, c) for r, c in hits)
    band.WriteArray(p, 0, r0)
ds = None
with open(f"{out}/deposits.csv", "w") as fh:
    fh.write("x,y\n")
    for r, c in points:
        fh.write(f"{gt[0] + (c + 0.5) * gt[1]},{gt[3] + (r + 0.5) * gt[5]}\n")
print(f"{n}x{n} logistic score map, {len(points)} deposits in {out}")
