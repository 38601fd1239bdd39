"""Synthetic evidence stack for the prediction benchmark: 8 continuous Float32 layers on an
N×N grid of 50 m cells (EPSG:32635) and deposit points drawn from a known logistic model of
three of them.

Run with Debian's python3 (it imports GDAL's osgeo): /usr/bin/python3 make_stack.py OUT N
Deterministic (numpy seed 11). Each layer is a smooth random field scaled to 0..100.
"""
import os
import sys

import numpy as np
from osgeo import gdal, osr

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)
srs = osr.SpatialReference()
srs.ImportFromEPSG(32635)
gt = (400000.0, 50.0, 0.0, 6000000.0, 0.0, -50.0)
names = [f"l{k}" for k in range(1, 9)]


def smooth_field(k):
    # Sum of k random plane waves, built in strips of rows to bound memory.
    f = np.empty((n, n), np.float32)
    waves = [(rng.uniform(-12, 12), rng.uniform(-12, 12), rng.uniform(0, 6.3)) for _ in range(k)]
    x = np.arange(n, dtype=np.float32) / n
    for r0 in range(0, n, 512):
        y = (np.arange(r0, min(n, r0 + 512), dtype=np.float32) / n)[:, None]
        s = np.zeros((len(y), n), np.float32)
        for a, b, ph in waves:
            s += np.sin(a * x[None, :] + b * y + ph)
        f[r0:r0 + len(y)] = s
    lo, hi = f.min(), f.max()
    return (f - lo) * (100.0 / (hi - lo))


eta = np.full((n, n), -12.5, np.float32)
for k, name in enumerate(names):
    f = smooth_field(6)
    if k == 0:
        eta += 0.06 * f
    elif k == 1:
        eta -= 0.04 * f
    elif k == 2:
        eta += 0.03 * f
    ds = gdal.GetDriverByName("GTiff").Create(
        f"{out}/{name}.tif", n, n, 1, gdal.GDT_Float32,
        ["TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"],
    )
    ds.SetGeoTransform(gt)
    ds.SetProjection(srs.ExportToWkt())
    ds.GetRasterBand(1).SetNoDataValue(-9999)
    ds.GetRasterBand(1).WriteArray(f)
    ds = None
    del f

p = 1.0 / (1.0 + np.exp(-eta))
hits = np.argwhere(rng.random((n, n), dtype=np.float32) < p)
with open(f"{out}/deposits.csv", "w") as fh:
    fh.write("x,y\n")
    for r, c in hits:
        fh.write(f"{gt[0] + (c + 0.5) * gt[1]},{gt[3] + (r + 0.5) * gt[5]}\n")
print(f"{n}x{n}: 8 layers, {len(hits)} deposits in {out}")
