"""nedra interpolate: IDW or ordinary kriging of point samples onto a grid."""

from qgis.core import (
    QgsProcessingParameterCrs,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .base import NedraAlgorithm

METHODS = ["idw", "kriging"]
VARIOGRAMS = ["best", "spherical", "exponential", "gaussian"]


class Interpolate(NedraAlgorithm):
    command = "interpolate"
    label = "Interpolate samples (IDW, kriging)"
    group_id = "evidence"
    help = (
        "Interpolates a column of point samples (CSV; coordinates in the CRS given, else the "
        "template raster's, which nedra notes) onto the template's grid: inverse-distance weighting (Shepard 1968) or ordinary "
        "kriging with an experimental variogram fitted by Cressie-weighted least squares "
        "(or a fixed variogram: nugget, partial sill and range), and the kriging variance as an "
        "uncertainty layer.\n\n"
        "Runs: nedra interpolate SAMPLES.csv --value COLUMN --like GRID.tif [--crs CRS] "
        "[--method idw|kriging] … --out OUT.tif [--variance-out VAR.tif]")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "POINTS", "Sample table (CSV)", extension="csv"))
        self.addParameter(QgsProcessingParameterString("VALUE", "Column to interpolate"))
        self.addParameter(QgsProcessingParameterString(
            "X_COLUMN", "Column of x (default: found by name)", optional=True))
        self.addParameter(QgsProcessingParameterString(
            "Y_COLUMN", "Column of y (default: found by name)", optional=True))
        self.addParameter(QgsProcessingParameterCrs(
            "CRS", "CRS of the sample coordinates (default: the template's)", optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "LIKE", "Template raster (its grid is used)"))
        self.add_enum("METHOD", "Method", METHODS)
        self.add_number("POWER", "IDW power", 2.0, minimum=0.0)
        self.add_number("NEIGHBOURS", "Nearest samples per cell (default: all for IDW, 16 for "
                        "kriging)", integer=True, optional=True, minimum=1)
        self.add_number("SEARCH_RADIUS", "Search radius (CRS units)", optional=True,
                        minimum=0.0)
        self.add_number("MIN_POINTS", "Fewest samples for an estimate", 1, integer=True,
                        minimum=1)
        self.add_enum("VARIOGRAM", "Variogram model to fit (kriging)", VARIOGRAMS)
        self.add_number("NUGGET", "Fixed variogram: nugget", optional=True, minimum=0.0)
        self.add_number("PARTIAL_SILL", "Fixed variogram: partial sill", optional=True,
                        minimum=0.0)
        self.add_number("RANGE", "Fixed variogram: practical range (CRS units)",
                        optional=True, minimum=0.0)
        self.add_number("LAG_WIDTH", "Lag width of the experimental variogram", optional=True,
                        minimum=0.0)
        self.add_number("MAX_LAG", "Largest lag of the experimental variogram", optional=True,
                        minimum=0.0)
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Interpolated"))
        self.addParameter(QgsProcessingParameterRasterDestination(
            "VARIANCE", "Kriging variance", optional=True, createByDefault=False))

    def arguments(self, parameters, context, feedback):
        args = [self.parameterAsFile(parameters, "POINTS", context),
                "--value", self.parameterAsString(parameters, "VALUE", context)]
        for name, flag in (("X_COLUMN", "--x-column"), ("Y_COLUMN", "--y-column")):
            value = self.parameterAsString(parameters, name, context)
            args += self.option(flag, value or None)
        args += self.option("--crs", self.crs_string(parameters, "CRS", context))
        args += ["--like", self.raster_path(parameters, "LIKE", context)]
        method = self.parameterAsEnumString(parameters, "METHOD", context)
        args += ["--method", method, "--power", self.number(parameters, "POWER", context)]
        args += self.option("--neighbours",
                            self.number(parameters, "NEIGHBOURS", context, integer=True))
        args += self.option("--search-radius", self.number(parameters, "SEARCH_RADIUS", context))
        args += ["--min-points", self.number(parameters, "MIN_POINTS", context, integer=True)]
        if method == "kriging":
            args += ["--variogram", self.parameterAsEnumString(parameters, "VARIOGRAM", context)]
            for name, flag in (("NUGGET", "--nugget"), ("PARTIAL_SILL", "--partial-sill"),
                               ("RANGE", "--range"), ("LAG_WIDTH", "--lag-width"),
                               ("MAX_LAG", "--max-lag")):
                args += self.option(flag, self.number(parameters, name, context))
        args += ["--out", self.destination(parameters, "OUTPUT")]
        variance = self.destination(parameters, "VARIANCE")
        if variance:
            args += ["--variance-out", variance]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        results = {"OUTPUT": self.destination(parameters, "OUTPUT")}
        variance = self.destination(parameters, "VARIANCE")
        if variance:
            self.style_output(context, variance, "uncertainty")
            results["VARIANCE"] = variance
        return results
