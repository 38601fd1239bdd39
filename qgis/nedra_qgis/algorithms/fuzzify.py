"""nedra fuzzify: fuzzy membership of a raster."""

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .base import NedraAlgorithm

MEMBERSHIPS = ["linear", "large", "small", "gaussian", "near", "categorical"]


class Fuzzify(NedraAlgorithm):
    command = "fuzzify"
    label = "Fuzzy membership"
    group_id = "evidence"
    help = (
        "Fuzzy membership of a raster, in [0, 1] (ArcGIS-style functions):\n"
        "linear: 0 at A (minimum), 1 at B (maximum); A > B reverses it;\n"
        "large / small: large (small) values favoured, midpoint A, spread B;\n"
        "gaussian / near: values near the midpoint A favoured, spread B;\n"
        "categorical: a membership per class code, e.g. 1=0.2,3=0.9,default=0.\n\n"
        "Runs: nedra fuzzify RASTER --membership KIND:A,B --out F.tif")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("RASTER", "Raster"))
        self.add_enum("MEMBERSHIP", "Membership function", MEMBERSHIPS)
        self.add_number("A", "A: minimum (linear) or midpoint", optional=True)
        self.add_number("B", "B: maximum (linear) or spread", optional=True)
        self.addParameter(QgsProcessingParameterString(
            "CATEGORIES", "categorical: CODE=MEMBERSHIP,… (e.g. 1=0.2,3=0.9,default=0)",
            optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Membership"))

    def membership(self, parameters, context):
        """The --membership value."""
        kind = self.parameterAsEnumString(parameters, "MEMBERSHIP", context)
        if kind == "categorical":
            categories = self.parameterAsString(parameters, "CATEGORIES", context).replace(" ", "")
            if not categories:
                raise QgsProcessingException("categorical: give CODE=MEMBERSHIP pairs")
            return f"categorical:{categories}"
        a = self.number(parameters, "A", context)
        b = self.number(parameters, "B", context)
        if a is None or b is None:
            raise QgsProcessingException(f"{kind}: set both A and B")
        return f"{kind}:{a},{b}"

    def arguments(self, parameters, context, feedback):
        return [self.raster_path(parameters, "RASTER", context),
                "--membership", self.membership(parameters, context),
                "--out", self.destination(parameters, "OUTPUT")]

    def results(self, parameters, context, feedback, stdout_lines):
        path = self.destination(parameters, "OUTPUT")
        self.style_output(context, path, "membership")
        return {"OUTPUT": path}
