"""nedra validate: success-rate, prediction-rate and ROC AUC of any score raster."""

import os

from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterRasterLayer,
)

from .base import NedraAlgorithm, read_json


class Validate(NedraAlgorithm):
    command = "validate"
    label = "Validate a score map"
    group_id = "stages"
    help = (
        "Validates any score raster (posterior probability, fuzzy score, model output; higher "
        "is more prospective) against deposits: success-rate AUC (and the prediction-rate AUC "
        "with held-out deposits), ROC AUC (Mann–Whitney, ties ½), the fraction of the area "
        "needed to capture 50/80/90 % of the deposits, the prediction–area crossing and "
        "percentile-bootstrap intervals.\n\n"
        "Writes validation.json, success_rate.csv, pa_plot.csv, roc.csv (and "
        "prediction_rate.csv) in the output folder.\n\n"
        "Runs: nedra validate SCORE --deposits POINTS [--test-deposits HELD_OUT] "
        "[--bootstrap N] [--seed S] --out FOLDER")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("SCORE", "Score raster"))
        self.add_deposits(description="Training deposits", crs=False)
        self.add_deposits("TEST_DEPOSITS", "Held-out deposits (prediction rate)",
                          optional=True)  # and the CRS of both, for CSV files
        self.add_number("BOOTSTRAP", "Bootstrap replicates (0: no intervals)", 1000,
                        integer=True, minimum=0)
        self.add_number("SEED", "Bootstrap seed", 42, integer=True, minimum=0)
        self.add_enum("OUTSIDE", "Deposits outside the score's valid cells (error: stop, "
                      "naming them; drop: leave them out with a warning)", ["error", "drop"],
                      advanced=True)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputFile("VALIDATION_JSON", "validation.json"))
        self.addOutput(QgsProcessingOutputNumber("SUCCESS_RATE_AUC", "Success-rate AUC"))
        self.addOutput(QgsProcessingOutputNumber("ROC_AUC", "ROC AUC"))
        self.addOutput(QgsProcessingOutputNumber("PREDICTION_RATE_AUC", "Prediction-rate AUC"))

    def arguments(self, parameters, context, feedback):
        args = [self.raster_path(parameters, "SCORE", context)]
        args += self.deposits_arguments(parameters, context, feedback, (
            ("--deposits", "DEPOSITS"), ("--test-deposits", "TEST_DEPOSITS")))
        args += ["--bootstrap", self.number(parameters, "BOOTSTRAP", context, integer=True)]
        args += ["--seed", self.number(parameters, "SEED", context, integer=True)]
        args += ["--outside", self.parameterAsEnumString(parameters, "OUTSIDE", context)]
        args += ["--out", self.destination(parameters, "OUTPUT")]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        folder = self.destination(parameters, "OUTPUT")
        path = os.path.join(folder, "validation.json")
        validation = read_json(path)
        results = {"OUTPUT": folder, "VALIDATION_JSON": path}
        for key in ("success_rate_auc", "roc_auc", "prediction_rate_auc"):
            if validation.get(key) is not None:
                results[key.upper()] = validation[key]
        return results
