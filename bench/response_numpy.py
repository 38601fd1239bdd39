"""The weights-of-evidence response in plain numpy + GDAL: the reference nedra's response is
timed against (bench/wofe.sh).

Run with Debian's python3 (it imports GDAL's osgeo):
  /usr/bin/python3 response_numpy.py OUT_DIR DEPOSITS.csv UNIT_KM2 CLASSES.tif=WEIGHTS.csv ...

Writes posterior.tif, posterior_std.tif and confidence.tif (Float32, cloud-optimised GeoTIFF,
DEFLATE level 1 with a predictor, as nedra writes them) with the same formulas as nedra
(Bonham-Carter 1994 ch. 9; missing-data variance of Agterberg et al. 1990): prior logit
ln(D / (T - D)) with D the deposit points on study-area cells and T the study area in unit
cells, the study area being every cell where at least one layer has data. Whole arrays in
memory (what a numpy user writes), vectorised: a class -> weight lookup table per layer.
"""
import csv
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
out, deposits_csv, unit_km2 = sys.argv[1], sys.argv[2], float(sys.argv[3])
layers = [a.split("=", 1) for a in sys.argv[4:]]


def read_table(path):
    with open(path) as fh:
        rows = list(csv.DictReader(fh))
    classes = np.array([int(r["CLASS"]) for r in rows])
    weight = np.array([float(r["WEIGHT"]) for r in rows])
    w_std = np.array([float(r["W_STD"]) for r in rows])
    gen = np.array([int(r["GEN_CLASS"]) for r in rows])
    area = np.array([float(r["CLASS_AREA"]) for r in rows])
    # Missing-data summary: (weight, area fraction) per generalised class of non-zero weight.
    summary = []
    for g in dict.fromkeys(gen.tolist()):
        sel = gen == g
        if weight[sel][0] != 0.0:
            summary.append((weight[sel][0], area[sel].sum() / area.sum()))
    return classes, weight, w_std, summary


first = gdal.Open(layers[0][0])
gt, wkt = first.GetGeoTransform(), first.GetProjection()
ny, nx = first.RasterYSize, first.RasterXSize
cell_km2 = abs(gt[1] * gt[5]) / 1e6
logit_sum = np.zeros((ny, nx))
var_sum = np.zeros((ny, nx))
inside = np.zeros((ny, nx), bool)
missing = []
summaries = []
for tif, table in layers:
    ds = gdal.Open(tif)  # kept: GDAL 3.6's band does not keep its dataset alive
    band = ds.GetRasterBand(1)
    cls = band.ReadAsArray()
    valid = cls != band.GetNoDataValue()
    classes, weight, w_std, summary = read_table(table)
    lo = classes.min()
    lut_w = np.zeros(classes.max() - lo + 1)
    lut_s = np.zeros_like(lut_w)
    known = np.zeros(lut_w.shape, bool)
    lut_w[classes - lo], lut_s[classes - lo], known[classes - lo] = weight, w_std, True
    idx = np.clip(cls.astype(np.int64) - lo, 0, len(lut_w) - 1)
    present = valid & known[idx] & (cls >= lo) & (cls <= classes.max())
    logit_sum += np.where(present, lut_w[idx], 0.0)
    var_sum += np.where(present, lut_s[idx] ** 2, 0.0)
    inside |= valid
    missing.append(~present)
    summaries.append(summary)

rows, cols = [], []
with open(deposits_csv) as fh:
    for r in csv.DictReader(fh):
        x, y = float(r["x"]), float(r["y"])
        c, rr = int((x - gt[0]) // gt[1]), int((y - gt[3]) // gt[5])
        if 0 <= rr < ny and 0 <= c < nx:
            rows.append(rr)
            cols.append(c)
d = int(inside[rows, cols].sum())
t = inside.sum() * cell_km2 / unit_km2
logit = np.log(d / (t - d)) + logit_sum
pp = 1.0 / (1.0 + np.exp(-logit))
md = np.zeros_like(pp)
for miss, summary in zip(missing, summaries):
    m = miss & inside
    if m.any():
        for w, frac in summary:
            diff = 1.0 / (1.0 + np.exp(-(logit[m] + w))) - pp[m]
            md[m] += diff * diff * frac
std = np.sqrt(pp * pp * (1.0 / d + var_sum) + md)
conf = pp / std
nodata = -3.4028234663852886e38
for name, a in [("posterior", pp), ("posterior_std", std), ("confidence", conf)]:
    mem = gdal.GetDriverByName("MEM").Create("", nx, ny, 1, gdal.GDT_Float32)
    mem.SetGeoTransform(gt)
    mem.SetProjection(wkt)
    b = mem.GetRasterBand(1)
    b.SetNoDataValue(nodata)
    b.WriteArray(np.where(inside & np.isfinite(a), a, nodata).astype(np.float32))
    gdal.GetDriverByName("COG").CreateCopy(
        f"{out}/{name}.tif",
        mem,
        options=["COMPRESS=DEFLATE", "LEVEL=1", "PREDICTOR=YES", "NUM_THREADS=ALL_CPUS",
                 "BLOCKSIZE=512", "BIGTIFF=IF_SAFER", "OVERVIEW_RESAMPLING=NEAREST"],
    )
