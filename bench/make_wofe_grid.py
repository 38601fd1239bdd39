"""Synthetic benchmark data for nedra: N×N cells, 4 class rasters (Int32) and deposit points.

Run with Debian's python3 (it imports GDAL's osgeo): /usr/bin/python3 make_wofe_grid.py OUT N
Deterministic (numpy seed 7). Layers: smooth random fields cut into 20 classes (two ascending,
one descending-like, one categorical with 12 units); deposits drawn with higher odds where
layer classes are favourable.
"""
import os
import sys

import numpy as np
from osgeo import gdal, osr

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
srs = osr.SpatialReference()
srs.ImportFromEPSG(32635)
gt = (400000.0, 50.0, 0.0, 6000000.0, 0.0, -50.0)


def smooth_field(k):
    # Sum of k random plane waves: smooth, cheap, deterministic.
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
    f = np.zeros((n, n), np.float32)
    for _ in range(k):
        a, b, ph = rng.uniform(-12, 12), rng.uniform(-12, 12), rng.uniform(0, 6.3)
        f += np.sin(a * x + b * y + ph).astype(np.float32)
    return f


layers = {}
for name, classes in [("a", 20), ("b", 20), ("c", 20), ("units", 12)]:
    f = smooth_field(6)
    q = np.quantile(f[:: max(1, n // 500), :: max(1, n // 500)], np.linspace(0, 1, classes + 1)[1:-1])
    cls = (np.searchsorted(q, f) + 1).astype(np.int32)
    layers[name] = cls
    ds = gdal.GetDriverByName("GTiff").Create(
        f"{out}/{name}.tif", n, n, 1, gdal.GDT_Int32, ["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"]
    )
    ds.SetGeoTransform(gt)
    ds.SetProjection(srs.ExportToWkt())
    ds.GetRasterBand(1).SetNoDataValue(-1)
    ds.GetRasterBand(1).WriteArray(cls)
    ds = None

score = (layers["a"] <= 5) * 1.5 + (layers["b"] >= 15) * 1.0 + (layers["units"] == 3) * 1.2
p = 2e-6 * np.exp(score)
hits = np.argwhere(rng.random((n, n)) < p)
with open(f"{out}/deposits.csv", "w") as fh:
    fh.write("x,y\n")
    for r, c in hits:
        fh.write(f"{gt[0] + (c + 0.5) * gt[1]},{gt[3] + (r + 0.5) * gt[5]}\n")
print(f"{n}x{n}: 4 layers, {len(hits)} deposits in {out}")
