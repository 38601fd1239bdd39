"""nedra predict: apply a trained model to the evidence layers of another area."""

import os

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputRasterLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .base import NedraAlgorithm, read_json


def layer_pairs(text):
    """`NAME=PATH` pairs, one per line or separated by `;`."""
    pairs = []
    for item in text.replace(";", "\n").splitlines():
        item = item.strip()
        if not item:
            continue
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise QgsProcessingException(f"{item!r}: expected NAME=PATH")
        pairs.append(f"{name.strip()}={path.strip()}")
    return pairs


class Predict(NedraAlgorithm):
    command = "predict"
    label = "Predict with a saved model"
    group_id = "project"
    help = (
        "Applies a trained model (model.json of a run with kind = logistic, random_forest or "
        "gradient_boosting) to the evidence layers of another area.\n\n"
        "Layers: one NAME=PATH per line (or separated by ;), one per layer of the model, as "
        "the run had it (run.json → model.features): the values of evidence/NAME_values.tif "
        "for value layers, the class codes for categorical ones. Layers off the grid are "
        "warped onto it (the grid of the first layer unless a grid template is given).\n\n"
        "Writes prospectivity.tif (ensemble mean), uncertainty.tif (ensemble spread), "
        "drivers.tif, contributions/LAYER.tif, predict.json and, with deposits, "
        "validation.json.\n\n"
        "Runs: nedra predict MODEL --layer NAME=PATH … [--grid T.tif] [--mask M.tif] "
        "[--deposits POINTS] [--no-explain] --out FOLDER")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "MODEL", "Model (model.json of a run)", extension="json"))
        self.addParameter(QgsProcessingParameterString(
            "LAYERS", "Layers: NAME=PATH, one per line", multiLine=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "GRID", "Grid template raster (default: the first layer's grid)", optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            "MASK", "Study-area raster on the grid (its valid cells are predicted)",
            optional=True))
        self.add_deposits(description="Known deposits of the new area (validation)",
                          optional=True)
        self.addParameter(QgsProcessingParameterBoolean(
            "NO_EXPLAIN", "Skip drivers.tif and contributions/ (faster)", False))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputRasterLayer("PROSPECTIVITY", "Prospectivity"))
        self.addOutput(QgsProcessingOutputRasterLayer("UNCERTAINTY", "Uncertainty"))
        self.addOutput(QgsProcessingOutputFile("PREDICT_JSON", "predict.json"))
        self.addOutput(QgsProcessingOutputNumber("ROC_AUC", "ROC AUC against the deposits"))

    def arguments(self, parameters, context, feedback):
        args = [self.parameterAsFile(parameters, "MODEL", context)]
        for pair in layer_pairs(self.parameterAsString(parameters, "LAYERS", context)):
            args += ["--layer", pair]
        for name, flag in (("GRID", "--grid"), ("MASK", "--mask")):
            if parameters.get(name):
                args += [flag, self.raster_path(parameters, name, context)]
        args += self.deposits_arguments(parameters, context, feedback)
        if self.parameterAsBoolean(parameters, "NO_EXPLAIN", context):
            args.append("--no-explain")
        args += ["--out", self.destination(parameters, "OUTPUT")]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        folder = self.destination(parameters, "OUTPUT")
        results = {"OUTPUT": folder, "PREDICT_JSON": os.path.join(folder, "predict.json")}
        for output, file, style in (("UNCERTAINTY", "uncertainty.tif", "uncertainty"),
                                    ("PROSPECTIVITY", "prospectivity.tif", "score")):
            path = os.path.join(folder, file)
            if os.path.exists(path):
                self.load(context, path, f"predicted {file[:-4]}", output, style)
                results[output] = path
        validation = read_json(os.path.join(folder, "validation.json"))
        if validation.get("roc_auc") is not None:
            results["ROC_AUC"] = validation["roc_auc"]
        return results
