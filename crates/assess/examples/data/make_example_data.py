"""Writes the small example inputs that crates/assess/examples/assessment.toml and
prospects.toml read (already committed; run again only to change them):

  /usr/bin/python3 crates/assess/examples/data/make_example_data.py

A 24 x 16 grid of 500 m cells in WGS 84 / UTM zone 35N (EPSG:32635), top-left corner at
(500 000, 5 900 000): an invented posterior probability map with two highs, two tract
polygons over them, two known occurrences, four petroleum element chance maps and two
common-risk segments. Every value is a closed-form function of the cell: no randomness.
EXAMPLE data for showing the file formats, not a real area.
"""
import json
import math
import os

from osgeo import gdal, osr

gdal.UseExceptions()
here = os.path.dirname(os.path.abspath(__file__))
nx, ny, cell, x0, y0 = 24, 16, 500.0, 500_000.0, 5_900_000.0
srs = osr.SpatialReference()
srs.ImportFromEPSG(32635)


def centre(r, c):
    return x0 + (c + 0.5) * cell, y0 - (r + 0.5) * cell


def write_tif(path, value):
    ds = gdal.GetDriverByName("GTiff").Create(path, nx, ny, 1, gdal.GDT_Float32)
    ds.SetGeoTransform([x0, cell, 0.0, y0, 0.0, -cell])
    ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(-9999.0)
    for r in range(ny):
        row = [float(value(r, c)) for c in range(nx)]
        band.WriteRaster(0, r, nx, 1, __import__("struct").pack(f"<{nx}f", *row))
    ds = None


def bump(r, c, rc, cc, width):
    return math.exp(-((r - rc) ** 2 + (c - cc) ** 2) / (2.0 * width**2))


def posterior(r, c):
    return round(0.002 + 0.45 * bump(r, c, 5, 6, 2.0) + 0.3 * bump(r, c, 10, 17, 2.5), 6)


def box(c0, r0, c1, r1):
    (xa, ya), (xb, yb) = (x0 + c0 * cell, y0 - r0 * cell), (x0 + c1 * cell, y0 - r1 * cell)
    return [[[xa, ya], [xb, ya], [xb, yb], [xa, yb], [xa, ya]]]


def geojson(path, name, features):
    doc = {
        "type": "FeatureCollection",
        "name": name,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32635"}},
        "features": [
            {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": g}}
            for props, g in features
        ],
    }
    with open(path, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


write_tif(os.path.join(here, "posterior.tif"), posterior)
# Tract 1 over the first high (cells 2..10 x 1..9), tract 2 over the second (13..22 x 6..15).
geojson(os.path.join(here, "tracts.geojson"), "tracts",
        [({"rank": 1}, box(2, 1, 10, 9)), ({"rank": 2}, box(13, 6, 22, 15))])
with open(os.path.join(here, "occurrences.csv"), "w") as fh:
    fh.write("name,x,y\n")
    # One known occurrence in tract 1 (cell row 5, col 6), one outside both tracts.
    for name, (r, c) in [("Known-1", (5, 6)), ("Known-2", (14, 3))]:
        x, y = centre(r, c)
        fh.write(f"{name},{x:.1f},{y:.1f}\n")

maps = os.path.join(here, "maps")
os.makedirs(maps, exist_ok=True)
write_tif(os.path.join(maps, "source_chance.tif"), lambda r, c: round(0.5 + 0.4 * c / (nx - 1), 4))
write_tif(os.path.join(maps, "reservoir_chance.tif"), lambda r, c: round(0.9 - 0.5 * r / (ny - 1), 4))
write_tif(os.path.join(maps, "seal_chance.tif"), lambda r, c: 0.8 if c < 12 else 0.6)
write_tif(os.path.join(maps, "charge_chance.tif"), lambda r, c: round(0.3 + 0.6 * bump(r, c, 8, 12, 5.0), 4))
# Segment 1: the west half; segment 2: the east half.
geojson(os.path.join(maps, "segments.geojson"), "segments",
        [({"segment": 1}, box(0, 0, 12, 16)), ({"segment": 2}, box(12, 0, 24, 16))])
