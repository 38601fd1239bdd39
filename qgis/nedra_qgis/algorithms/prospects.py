"""nedra prospects: petroleum play and prospect risking."""

import os

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
)

from .base import NedraAlgorithm


class Prospects(NedraAlgorithm):
    command = "prospects"
    label = "Play and prospect risking"
    group_id = "assessment"
    help = (
        "Petroleum play and prospect risking from a prospects file: play chance maps (the "
        "product of source, reservoir, seal and charge chance rasters) with common-risk-segment "
        "minimums, prospect chance of success with shared play risk, STOIIP/GIIP by Monte "
        "Carlo (PRMS P90/P50/P10), risked means, the portfolio and EMV.\n\n"
        "Writes prospects.json and, for plays with maps, play-NAME-chance.tif. "
        "crates/assess/examples/prospects.toml shows every key.\n\n"
        "Runs: nedra prospects PROSPECTS.toml --out FOLDER")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "PROSPECTS", "Prospects file", extension="toml"))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputFile("PROSPECTS_JSON", "prospects.json"))

    def arguments(self, parameters, context, feedback):
        return [self.parameterAsFile(parameters, "PROSPECTS", context),
                "--out", self.destination(parameters, "OUTPUT")]

    def results(self, parameters, context, feedback, stdout_lines):
        folder = self.destination(parameters, "OUTPUT")
        results = {"OUTPUT": folder, "PROSPECTS_JSON": os.path.join(folder, "prospects.json")}
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if name.startswith("play-") and name.endswith("-chance.tif"):
                self.load(context, os.path.join(folder, name), name[:-4], "OUTPUT", "membership")
        return results
