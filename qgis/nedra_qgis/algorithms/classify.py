"""nedra classify: classes of a continuous raster."""

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .base import NedraAlgorithm

METHODS = ["quantiles", "jenks", "ca", "manual"]
# nedra's default --jenks-limit.
JENKS_LIMIT = 4096


class Classify(NedraAlgorithm):
    command = "classify"
    label = "Classify a continuous raster"
    group_id = "evidence"
    help = (
        "Classes 1…k of a continuous raster (Int32), from one streaming histogram:\n"
        "quantiles: equal-count classes (ties may give fewer);\n"
        "jenks: natural breaks, exact (Fisher 1958) up to the distinct-value limit (advanced "
        "parameter, default 4096, at most 65536: time grows with its square); above it the "
        "'grouped fallback' gathers the values into that many runs of nearly equal count;\n"
        "ca: concentration–area fractal thresholds (Cheng et al. 1994): breakpoints of log "
        "area against log threshold, with SEGMENTS straight segments fitted over THRESHOLDS "
        "candidate thresholds;\n"
        "manual: inclusive upper edges B1,B2,… (strictly increasing).\n\n"
        "The JSON report holds the breaks, the class counts and, for jenks and ca, the fit.\n\n"
        "Runs: nedra classify RASTER --method quantiles:K|jenks:K|ca:S:T|manual:B1,B2 "
        "[--jenks-limit N] --out C.tif --report C.json")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("RASTER", "Continuous raster"))
        self.add_enum("METHOD", "Method", METHODS)
        self.add_number("CLASSES", "Classes (quantiles, jenks)", 5, integer=True, minimum=1)
        self.addParameter(QgsProcessingParameterBoolean(
            "GROUP", "jenks: grouped fallback above the distinct-value limit", False))
        limit = QgsProcessingParameterNumber(
            "JENKS_LIMIT", "jenks: most distinct values solved exactly",
            QgsProcessingParameterNumber.Integer, JENKS_LIMIT)
        limit.setMinimum(2)
        limit.setMaximum(65536)
        limit.setFlags(limit.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(limit)
        self.add_number("SEGMENTS", "ca: segments", 2, integer=True, minimum=1)
        self.add_number("THRESHOLDS", "ca: candidate thresholds", 100, integer=True, minimum=2)
        self.addParameter(QgsProcessingParameterString(
            "BREAKS", "manual: upper class edges, comma separated (e.g. 10,20,50)",
            optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Classes"))
        self.addParameter(QgsProcessingParameterFileDestination(
            "REPORT", "Report (breaks, counts, fit)", "JSON files (*.json)"))

    def method(self, parameters, context):
        """The --method value."""
        method = self.parameterAsEnumString(parameters, "METHOD", context)
        classes = self.number(parameters, "CLASSES", context, integer=True)
        if method == "quantiles":
            return f"quantiles:{classes}"
        if method == "jenks":
            group = self.parameterAsBoolean(parameters, "GROUP", context)
            return f"jenks:{classes}" + (":group" if group else "")
        if method == "ca":
            segments = self.number(parameters, "SEGMENTS", context, integer=True)
            thresholds = self.number(parameters, "THRESHOLDS", context, integer=True)
            return f"ca:{segments}:{thresholds}"
        breaks = self.parameterAsString(parameters, "BREAKS", context).replace(" ", "")
        if not breaks:
            raise QgsProcessingException("manual: give the class edges, e.g. 10,20,50")
        return f"manual:{breaks}"

    def arguments(self, parameters, context, feedback):
        method = self.method(parameters, context)
        args = [self.raster_path(parameters, "RASTER", context), "--method", method]
        limit = self.number(parameters, "JENKS_LIMIT", context, integer=True)
        # nedra refuses a limit with another method; it only applies to natural breaks.
        if method.startswith("jenks:") and limit != str(JENKS_LIMIT):
            args += ["--jenks-limit", limit]
        return args + ["--out", self.destination(parameters, "OUTPUT"),
                       "--report", self.destination(parameters, "REPORT")]
