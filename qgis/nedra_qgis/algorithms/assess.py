"""nedra assess run and nedra assess deposits-pmf: the USGS three-part resource assessment."""

import os

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputRasterLayer,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
)

from .base import NedraAlgorithm


class AssessRun(NedraAlgorithm):
    command = "assess run"
    label = "Resource assessment (three-part)"
    group_id = "assessment"
    help = (
        "A whole mineral resource assessment from an assessment file (USGS three-part "
        "method): permissive tracts (polygons such as targets.gpkg, or a posterior threshold), "
        "the number of undiscovered deposits per tract (expert estimates, or the posterior sum "
        "minus the known deposits as a Poisson mean), a grade–tonnage model and a seeded Monte "
        "Carlo of contained tonnage, reported as F95/F50/F5 with the analytic moments.\n\n"
        "Writes assessment.json and tracts.tif. `nedra demo` writes an example "
        "assessment.toml; crates/assess/examples/assessment.toml shows every key.\n\n"
        "Runs: nedra assess run ASSESSMENT.toml --out FOLDER")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "ASSESSMENT", "Assessment file", extension="toml"))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputFile("ASSESSMENT_JSON", "assessment.json"))
        self.addOutput(QgsProcessingOutputRasterLayer("TRACTS", "Tracts"))

    def arguments(self, parameters, context, feedback):
        return [self.parameterAsFile(parameters, "ASSESSMENT", context),
                "--out", self.destination(parameters, "OUTPUT")]

    def results(self, parameters, context, feedback, stdout_lines):
        folder = self.destination(parameters, "OUTPUT")
        results = {"OUTPUT": folder,
                   "ASSESSMENT_JSON": os.path.join(folder, "assessment.json")}
        tracts = os.path.join(folder, "tracts.tif")
        if os.path.exists(tracts):
            results["TRACTS"] = tracts
        return results


class DepositsPmf(NedraAlgorithm):
    command = "assess deposits-pmf"
    label = "Undiscovered deposits from expert estimates"
    group_id = "assessment"
    help = (
        "The number of undiscovered deposits: expert estimates at the 90/50/10 % levels "
        "(CSV with columns name, weight, n90, n50, n10; \"90 % chance of n90 or more\") → a "
        "probability mass function, by the negative-binomial fit of MapMark4 (Ellefsen 2017; "
        "several weighted experts) or the legacy Mark3 rule (one consensus row). The JSON "
        "holds the pmf and its mean, variance, sd, mode, min, max and entropy.\n\n"
        "Runs: nedra assess deposits-pmf --experts EXPERTS.csv --rule RULE --out PMF.json")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "EXPERTS", "Expert estimates (CSV)", extension="csv"))
        self.add_enum("RULE", "Rule", ["negative-binomial", "mark3"])
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", "Probability mass function", "JSON files (*.json)"))

    def arguments(self, parameters, context, feedback):
        return ["--experts", self.parameterAsFile(parameters, "EXPERTS", context),
                "--rule", self.parameterAsEnumString(parameters, "RULE", context),
                "--out", self.destination(parameters, "OUTPUT")]
