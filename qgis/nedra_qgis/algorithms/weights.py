"""nedra weights: the weights-of-evidence table of one class raster."""

from qgis.core import (
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
)

from .base import NedraAlgorithm

TYPES = ["ascending", "descending", "categorical", "binary"]
GENERALISATIONS = ["arcsdm", "ga-r"]


class Weights(NedraAlgorithm):
    command = "weights"
    label = "Weights of evidence (table)"
    group_id = "stages"
    help = (
        "Weights of evidence of one class raster against deposit points: an ArcSDM-style table "
        "(CLASS, CLASS_AREA, AREA_SQ_KM, AREA_UNITS, NO_POINTS, WPLUS, S_WPLUS, WMINUS, "
        "S_WMINUS, CONTRAST, S_CONTRAST, STUDC, GEN_CLASS, WEIGHT, W_STD).\n\n"
        "Type: ascending (value ≤ v is favourable, e.g. distance classes), descending "
        "(value ≥ v), categorical (unit codes) or binary.\n"
        "Generalisation: arcsdm (largest contrast among rows passing the studentised-contrast "
        "threshold) or ga-r (Geoscience Australia's R port: largest contrast overall if any row "
        "passes).\n"
        "Deposits in a CSV file need x/y columns; give their CRS unless it is the raster's.\n\n"
        "Runs: nedra weights RASTER --deposits POINTS --type TYPE … --out TABLE.csv")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("RASTER", "Class raster"))
        self.add_deposits()
        self.add_enum("TYPE", "Type", TYPES)
        self.add_number("THRESHOLD", "Studentised contrast threshold (generalisation)", 2.0)
        self.add_number("UNIT_CELL_KM2", "Unit cell (km²)", 1.0, minimum=0.0)
        self.add_enum("GENERALISATION", "Generalisation", GENERALISATIONS)
        self.addParameter(QgsProcessingParameterBoolean(
            "CATEGORICAL_POOLING",
            "Pool weak categorical classes into class 99 (ArcSDM)", False))
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", "Weights table", "CSV files (*.csv)"))

    def arguments(self, parameters, context, feedback):
        args = [self.raster_path(parameters, "RASTER", context)]
        args += self.deposits_arguments(parameters, context, feedback)
        args += ["--type", self.parameterAsEnumString(parameters, "TYPE", context)]
        args += ["--threshold", self.number(parameters, "THRESHOLD", context)]
        args += ["--unit-cell-km2", self.number(parameters, "UNIT_CELL_KM2", context)]
        args += ["--generalisation",
                 self.parameterAsEnumString(parameters, "GENERALISATION", context)]
        if self.parameterAsBoolean(parameters, "CATEGORICAL_POOLING", context):
            args.append("--categorical-pooling")
        args += ["--out", self.destination(parameters, "OUTPUT")]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        path = self.destination(parameters, "OUTPUT")
        self.load(context, path, "weights " + self.raster_name(parameters, context), "OUTPUT",
                  vector=True)
        return {"OUTPUT": path}

    def raster_name(self, parameters, context):
        layer = self.parameterAsRasterLayer(parameters, "RASTER", context)
        return layer.name() if layer is not None else ""
