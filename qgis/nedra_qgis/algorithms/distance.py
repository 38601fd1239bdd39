"""nedra distance: exact distance to vector features on a template raster's grid."""

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from .base import NedraAlgorithm


def features_arguments(algorithm, parameters, context, feedback):
    """FEATURES as a path (with --layer for a layer inside a file) and --crs from CRS."""
    path, layer = algorithm.vector_path(parameters, "FEATURES", context, feedback,
                                        with_layer_name=True)
    args = [path] + algorithm.option("--layer", layer)
    args += algorithm.option("--crs", algorithm.crs_string(parameters, "CRS", context))
    return args


def add_features(algorithm, description):
    algorithm.addParameter(QgsProcessingParameterFeatureSource(
        "FEATURES", description, [QgsProcessing.TypeVectorAnyGeometry]))
    algorithm.addParameter(QgsProcessingParameterRasterLayer(
        "LIKE", "Template raster (its grid: CRS, cell size, extent)"))


class Distance(NedraAlgorithm):
    command = "distance"
    label = "Distance to features"
    group_id = "evidence"
    help = (
        "Exact Euclidean distance (CRS units) from each cell centre of the template raster's "
        "grid to the nearest feature: line segment, polygon boundary or point — measured to "
        "the true geometry, not to rasterised cells.\n\n"
        "Signed: distance to polygon boundaries, negative inside the polygons (contacts).\n"
        "CRS overrides the features' own (required for CSV points).\n\n"
        "Runs: nedra distance FEATURES --like GRID.tif [--signed] [--max-distance D] "
        "--out D.tif")

    def initAlgorithm(self, config=None):  # noqa: N802
        add_features(self, "Features (lines, polygons or points)")
        self.addParameter(QgsProcessingParameterCrs(
            "CRS", "CRS of the features (overrides the file's own)", optional=True))
        self.add_number("MAX_DISTANCE", "Maximum distance (farther cells are NoData)",
                        optional=True, minimum=0.0)
        self.addParameter(QgsProcessingParameterBoolean(
            "SIGNED", "Signed (negative inside polygons)", False))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Distance"))

    def arguments(self, parameters, context, feedback):
        args = features_arguments(self, parameters, context, feedback)
        args += ["--like", self.raster_path(parameters, "LIKE", context)]
        args += self.option("--max-distance", self.number(parameters, "MAX_DISTANCE", context))
        if self.parameterAsBoolean(parameters, "SIGNED", context):
            args.append("--signed")
        args += ["--out", self.destination(parameters, "OUTPUT")]
        return args
