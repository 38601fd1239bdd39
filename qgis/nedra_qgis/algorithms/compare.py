"""nedra compare: models of runs on the same folds, side by side."""

from qgis.core import (
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
)

from .base import NedraAlgorithm


class Compare(NedraAlgorithm):
    command = "compare"
    label = "Compare runs (models on the same folds)"
    group_id = "project"
    help = (
        "Puts the models of two or more run folders side by side: the cross-validated ROC AUC "
        "with its interval, the fitted AUC (labelled as such), the area holding 50 % of the "
        "deposits and the fold scheme — and says whether the runs used identical folds, which "
        "a fair comparison needs.\n\n"
        "The table is printed in the log and returned as TABLE; the JSON file holds every "
        "figure.\n\n"
        "Runs: nedra compare RUN_A RUN_B [RUN_C RUN_D] --json FILE")

    RUNS = ("RUN_A", "RUN_B", "RUN_C", "RUN_D")

    def initAlgorithm(self, config=None):  # noqa: N802
        for i, name in enumerate(self.RUNS):
            self.addParameter(QgsProcessingParameterFile(
                name, f"Run folder {name[-1]}", behavior=QgsProcessingParameterFile.Folder,
                optional=i >= 2))
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", "Comparison (JSON)", "JSON files (*.json)"))
        self.addOutput(QgsProcessingOutputString("TABLE", "Comparison table (Markdown)"))

    def arguments(self, parameters, context, feedback):
        runs = [self.parameterAsFile(parameters, name, context) for name in self.RUNS]
        return [r for r in runs if r] + ["--json", self.destination(parameters, "OUTPUT")]

    def results(self, parameters, context, feedback, stdout_lines):
        return {"OUTPUT": self.destination(parameters, "OUTPUT"),
                "TABLE": "\n".join(line for line in stdout_lines
                                   if not line.startswith("comparison: "))}
