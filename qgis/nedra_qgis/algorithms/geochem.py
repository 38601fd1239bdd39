"""nedra geochem: rare-earth geochemistry of a sample table."""

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from .base import NedraAlgorithm

CENSORED = ["half-dl", "dl", "dl-sqrt2", "zero", "missing", "fraction"]
REFERENCES = ["ci", "sm89", "pon2014", "on2016", "paas", "nasc", "ucc", "pm"]


def pairs(text):
    """`A=B; C=D` (or comma separated) as ["A=B", "C=D"]."""
    items = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    for item in items:
        if "=" not in item:
            raise QgsProcessingException(f"{item!r}: expected SYMBOL=VALUE")
    return items


class Geochem(NedraAlgorithm):
    command = "geochem"
    label = "Rare-earth geochemistry"
    group_id = "geochemistry"
    help = (
        "Rare-earth geochemistry of a sample table (CSV with x/y and element columns in ppm): "
        "censored values by a declared rule, chondrite-normalised values, Eu/Eu*, Ce/Ce*, "
        "(La/Yb)N, ΣREE, LREE/HREE, TREO and median + k·MAD anomaly flags, written as the "
        "table with the computed columns added.\n\n"
        "Censored: what values below detection become — half-dl, dl, dl-sqrt2, zero, missing, "
        "or fraction (F × the detection limit).\n"
        "Reference: ci (CI chondrite, McDonough & Sun 1995), sm89, pon2014, on2016, paas, "
        "nasc, ucc (Rudnick & Gao 2014), pm (primitive mantle).\n"
        "Columns, flag columns and detection limits: SYMBOL=VALUE pairs separated by commas.\n\n"
        "Runs: nedra geochem SAMPLES.csv --out OUT.csv [--censored RULE] [--reference REF] …")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile("TABLE", "Sample table (CSV)",
                                                     extension="csv"))
        self.add_enum("CENSORED", "Censored values become", CENSORED)
        self.add_number("FRACTION", "F of the fraction rule (0 < F ≤ 1)", 0.5, minimum=0.0,
                        maximum=1.0)
        self.add_enum("REFERENCE", "Normalising reference", REFERENCES)
        self.add_number("ANOMALY_K", "k of the median + k·MAD anomaly threshold", 2.0)
        self.addParameter(QgsProcessingParameterBoolean("SUM_WITH_Y", "Include Y in ΣREE",
                                                        False))
        self.addParameter(QgsProcessingParameterBoolean(
            "NEGATIVE_IS_CENSORED", "Negative numbers mean below the detection limit of |value|",
            False))
        for name, description in (
                ("X_COLUMN", "Column of x (default: found by name)"),
                ("Y_COLUMN", "Column of y (default: found by name)"),
                ("ELEMENTS", "Elements to use, by symbol, comma separated (default: all found)"),
                ("COLUMNS", "Element columns by name: SYMBOL=COLUMN, …"),
                ("FLAG_COLUMNS", "Censoring-flag columns: SYMBOL=COLUMN, …"),
                ("DETECTION_LIMITS", "Detection limits in ppm: SYMBOL=PPM, …")):
            self.addParameter(QgsProcessingParameterString(name, description, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", "Output table", "CSV files (*.csv)"))

    def arguments(self, parameters, context, feedback):
        args = [self.parameterAsFile(parameters, "TABLE", context),
                "--out", self.destination(parameters, "OUTPUT")]
        censored = self.parameterAsEnumString(parameters, "CENSORED", context)
        if censored == "fraction":
            censored = "fraction=" + self.number(parameters, "FRACTION", context)
        args += ["--censored", censored,
                 "--reference", self.parameterAsEnumString(parameters, "REFERENCE", context),
                 "--anomaly-k", self.number(parameters, "ANOMALY_K", context)]
        if self.parameterAsBoolean(parameters, "SUM_WITH_Y", context):
            args.append("--sum-with-y")
        if self.parameterAsBoolean(parameters, "NEGATIVE_IS_CENSORED", context):
            args.append("--negative-is-censored")
        for name, flag in (("X_COLUMN", "--x-column"), ("Y_COLUMN", "--y-column")):
            args += self.option(flag, self.parameterAsString(parameters, name, context) or None)
        elements = self.parameterAsString(parameters, "ELEMENTS", context)
        for element in (e.strip() for e in elements.split(",")):
            if element:
                args += ["--element", element]
        for name, flag in (("COLUMNS", "--column"), ("FLAG_COLUMNS", "--flag-column"),
                           ("DETECTION_LIMITS", "--detection-limit")):
            for pair in pairs(self.parameterAsString(parameters, name, context)):
                args += [flag, pair]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        path = self.destination(parameters, "OUTPUT")
        self.load(context, path, "geochemistry", "OUTPUT", vector=True)
        return {"OUTPUT": path}
