"""nedra run: a whole project file into a run folder."""

import os

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputVectorLayer,
    QgsProcessingOutputRasterLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
)

from .base import LANGUAGES, NedraAlgorithm, read_json


class Run(NedraAlgorithm):
    command = "run"
    label = "Run a project"
    group_id = "project"
    help = (
        "Runs a whole nedra project (a project.toml: grid, deposits, evidence layers, model, "
        "targets) into a run folder: the prospectivity map (posterior.tif for weights of "
        "evidence, prospectivity.tif for the data-driven and fuzzy models) and its "
        "uncertainty, evidence/ and weights/ for every layer, validation.json, the ranked "
        "targets (targets.gpkg), report.html and run.json. An earlier run in the folder is "
        "replaced; stages whose inputs did not change are reused from it.\n\n"
        "Dry run: print the plan (stages, inputs, outputs) and check every input, option and "
        "the output folder, without computing anything.\n\n"
        "`nedra demo --out DIR` writes a complete example project.\n\n"
        "Report language: en, ru or be (empty: the project's lang, else en).\n\n"
        "Runs: nedra run PROJECT --out FOLDER [--dry-run] [--lang LANG]")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "PROJECT", "Project file", extension="toml"))
        self.addParameter(QgsProcessingParameterBoolean(
            "DRY_RUN", "Dry run (print the plan and check it; compute nothing)", False))
        self.add_enum("LANG", "Report language (unset: the project's)", LANGUAGES, default=None,
                      optional=True)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Run folder"))
        self.addOutput(QgsProcessingOutputFile("RUN_JSON", "Manifest (run.json)"))
        self.addOutput(QgsProcessingOutputFile("REPORT", "Report (report.html)"))
        self.addOutput(QgsProcessingOutputRasterLayer("SCORE", "Prospectivity map"))
        self.addOutput(QgsProcessingOutputRasterLayer("UNCERTAINTY", "Uncertainty map"))
        self.addOutput(QgsProcessingOutputVectorLayer("TARGETS", "Targets"))
        self.addOutput(QgsProcessingOutputNumber("SUCCESS_RATE_AUC", "Success-rate AUC"))
        self.addOutput(QgsProcessingOutputNumber("ROC_AUC", "ROC AUC"))

    def arguments(self, parameters, context, feedback):
        args = [self.parameterAsFile(parameters, "PROJECT", context)]
        args += ["--out", self.destination(parameters, "OUTPUT")]
        if self.parameterAsBoolean(parameters, "DRY_RUN", context):
            args.append("--dry-run")
        lang = self.parameterAsEnumString(parameters, "LANG", context)
        if lang:
            args += ["--lang", lang]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        folder = self.destination(parameters, "OUTPUT")
        if self.parameterAsBoolean(parameters, "DRY_RUN", context):
            return {"OUTPUT": folder}
        return run_folder_results(self, folder, context)


def run_folder_results(algorithm, folder, context):
    """The outputs of a run folder, its maps and targets queued for loading with styles."""
    manifest = read_json(os.path.join(folder, "run.json"))
    maps = manifest.get("maps") or {}
    validation = manifest.get("validation") or {}
    results = {"OUTPUT": folder, "RUN_JSON": os.path.join(folder, "run.json")}
    report = os.path.join(folder, "report.html")
    if os.path.exists(report):
        results["REPORT"] = report
    project = (manifest.get("project") or {}).get("project") or {}
    name = project.get("name") or os.path.basename(folder)
    uncertainty = maps.get("uncertainty")
    if uncertainty:
        path = os.path.join(folder, uncertainty)
        algorithm.load(context, path, f"{name}: uncertainty", "UNCERTAINTY", "uncertainty")
        results["UNCERTAINTY"] = path
    score = maps.get("score")
    if score:
        path = os.path.join(folder, score)
        label = maps.get("score_label") or "prospectivity"
        algorithm.load(context, path, f"{name}: {label}", "SCORE", "score")
        results["SCORE"] = path
    targets = os.path.join(folder, "targets.gpkg")
    if os.path.exists(targets):
        algorithm.load(context, targets, f"{name}: targets", "TARGETS", "targets", vector=True)
        results["TARGETS"] = targets
    for key, output in (("success_rate_auc", "SUCCESS_RATE_AUC"), ("roc_auc", "ROC_AUC")):
        if validation.get(key) is not None:
            results[output] = validation[key]
    return results
