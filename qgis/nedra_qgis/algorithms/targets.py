"""nedra targets: ranked target polygons from any score raster."""

import csv
import os

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputRasterLayer,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
)

from .base import NedraAlgorithm

RULES = ["top-percent", "threshold", "pa"]
RANKS = ["mean_score", "expected", "deposit_density"]
OUTSIDE = ["error", "drop"]


class Targets(NedraAlgorithm):
    command = "targets"
    label = "Targets from a score map"
    group_id = "stages"
    help = (
        "Connected regions (8-connected) of a score raster above a cut become ranked target "
        "polygons with area, centroid, mean and peak score, mean uncertainty and the deposits "
        "inside.\n\n"
        "Rule: top-percent (the highest-scoring percent of the valid area), threshold (score ≥ "
        "value) or pa (the prediction–area crossing; needs deposits).\n\n"
        "Writes targets.gpkg, targets.geojson, targets.csv and the region raster targets.tif "
        "in the output folder; the polygons are loaded shaded by rank.\n\n"
        "Ranking: mean_score (then peak), expected (the sum of the score: for a probability "
        "map the expected deposits the target holds) or deposit_density (training deposits "
        "per km², brownfields first). Deposits outside the score's valid cells: error (stop, "
        "naming them) or drop (leave them out with a warning).\n\n"
        "Runs: nedra targets SCORE [--uncertainty U] [--deposits POINTS] "
        "[--top-percent P | --threshold T | --pa] [--min-area-km2 1] [--rank R] "
        "[--outside error|drop] --out FOLDER")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("SCORE", "Score raster"))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "UNCERTAINTY", "Uncertainty raster (same grid)", optional=True))
        self.add_deposits(description="Deposit points (counted per target; needed for pa)",
                          optional=True)
        self.add_enum("RULE", "Rule", RULES)
        self.add_number("TOP_PERCENT", "Top percent of the area (rule top-percent)", 5.0,
                        minimum=0.0, maximum=100.0)
        self.add_number("THRESHOLD", "Score threshold (rule threshold)", optional=True)
        self.add_number("MIN_AREA_KM2", "Smallest target (km²)", 1.0, minimum=0.0)
        self.add_enum("RANK", "Rank targets by", RANKS)
        self.add_enum("OUTSIDE", "Deposits outside the score's valid cells", OUTSIDE,
                      advanced=True)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputVectorLayer("TARGETS", "Targets"))
        self.addOutput(QgsProcessingOutputRasterLayer("REGIONS", "Target regions (targets.tif)"))
        self.addOutput(QgsProcessingOutputNumber("COUNT", "Number of targets"))

    def arguments(self, parameters, context, feedback):
        args = [self.raster_path(parameters, "SCORE", context)]
        if parameters.get("UNCERTAINTY"):
            args += ["--uncertainty", self.raster_path(parameters, "UNCERTAINTY", context)]
        args += self.deposits_arguments(parameters, context, feedback)
        rule = self.parameterAsEnumString(parameters, "RULE", context)
        if rule == "top-percent":
            args += ["--top-percent", self.number(parameters, "TOP_PERCENT", context)]
        elif rule == "threshold":
            threshold = self.number(parameters, "THRESHOLD", context)
            if threshold is None:
                raise QgsProcessingException("rule threshold: set the score threshold")
            args += ["--threshold", threshold]
        else:
            if not parameters.get("DEPOSITS"):
                raise QgsProcessingException("rule pa: give the deposit points")
            args.append("--pa")
        args += ["--min-area-km2", self.number(parameters, "MIN_AREA_KM2", context)]
        args += ["--rank", self.parameterAsEnumString(parameters, "RANK", context)]
        args += ["--outside", self.parameterAsEnumString(parameters, "OUTSIDE", context)]
        args += ["--out", self.destination(parameters, "OUTPUT")]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        folder = self.destination(parameters, "OUTPUT")
        results = {"OUTPUT": folder}
        regions = os.path.join(folder, "targets.tif")
        if os.path.exists(regions):
            results["REGIONS"] = regions
        gpkg = os.path.join(folder, "targets.gpkg")
        if os.path.exists(gpkg):
            self.load(context, gpkg, "targets", "TARGETS", "targets", vector=True)
            results["TARGETS"] = gpkg
            table = os.path.join(folder, "targets.csv")
            if os.path.exists(table):
                with open(table, encoding="utf-8", newline="") as f:
                    results["COUNT"] = max(0, sum(1 for _ in csv.reader(f)) - 1)
        return results
