"""nedra density: line length or point count per area in a moving circle."""

from qgis.core import (
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterRasterDestination,
)

from .base import NedraAlgorithm
from .distance import add_features, features_arguments


class Density(NedraAlgorithm):
    command = "density"
    label = "Density of features"
    group_id = "evidence"
    help = (
        "Density of features in a circle around each cell centre of the template raster's "
        "grid: line length per area (km/km², segments clipped exactly to the circle) or, with "
        "Points, the point count per km² (for CRSs in metres).\n\n"
        "Runs: nedra density FEATURES --like GRID.tif --radius R [--points] --out DENSITY.tif")

    def initAlgorithm(self, config=None):  # noqa: N802
        add_features(self, "Features (lines, or points)")
        self.add_number("RADIUS", "Radius of the circle (CRS units, metres)", 2000.0,
                        minimum=0.0)
        self.addParameter(QgsProcessingParameterBoolean(
            "POINTS", "Count points instead of measuring line length", False))
        self.addParameter(QgsProcessingParameterCrs(
            "CRS", "CRS of the features (overrides the file's own)", optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Density"))

    def arguments(self, parameters, context, feedback):
        args = features_arguments(self, parameters, context, feedback)
        args += ["--like", self.raster_path(parameters, "LIKE", context)]
        args += ["--radius", self.number(parameters, "RADIUS", context)]
        if self.parameterAsBoolean(parameters, "POINTS", context):
            args.append("--points")
        args += ["--out", self.destination(parameters, "OUTPUT")]
        return args
