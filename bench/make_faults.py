"""A synthetic but realistic fault network and a template grid for the distance benchmark.

Run with Debian's python3 (GDAL's osgeo): /usr/bin/python3 make_faults.py OUT N
N×N cells of 50 m in EPSG:32635; ~400 curved fault traces of 2–60 km (persistent random walks
in three preferred directions), deterministic (numpy seed 11).
"""
import json
import os
import sys

import numpy as np
from osgeo import gdal, osr

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)
cell = 50.0
x0, y1 = 400000.0, 6000000.0
size = n * cell
features = []
for k in range(400):
    azimuth = rng.choice([np.radians(40), np.radians(130), np.radians(80)]) + rng.normal(0, 0.15)
    length = rng.uniform(2000, 60000)
    steps = max(3, int(length / 800))
    x, y = x0 + rng.uniform(0, size), y1 - rng.uniform(0, size)
    pts = [[x, y]]
    for _ in range(steps):
        azimuth += rng.normal(0, 0.08)
        x += 800 * np.sin(azimuth)
        y += 800 * np.cos(azimuth)
        pts.append([round(x, 2), round(y, 2)])
    features.append({"type": "Feature", "properties": {"id": k}, "geometry": {"type": "LineString", "coordinates": pts}})
with open(f"{out}/faults.geojson", "w") as f:
    json.dump({"type": "FeatureCollection", "name": "synthetic faults",
               "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32635"}},
               "features": features}, f)
srs = osr.SpatialReference()
srs.ImportFromEPSG(32635)
ds = gdal.GetDriverByName("GTiff").Create(f"{out}/template.tif", n, n, 1, gdal.GDT_Byte, ["TILED=YES", "COMPRESS=DEFLATE"])
ds.SetGeoTransform((x0, cell, 0, y1, 0, -cell))
ds.SetProjection(srs.ExportToWkt())
ds = None
print(f"{len(features)} faults, {sum(len(f['geometry']['coordinates']) - 1 for f in features)} segments, grid {n}x{n}")
