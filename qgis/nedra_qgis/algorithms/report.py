"""nedra report: rebuild report.html of a run folder."""

import os

from qgis.core import (
    QgsProcessingOutputHtml,
    QgsProcessingParameterFile,
)

from .base import LANGUAGES, NedraAlgorithm


class Report(NedraAlgorithm):
    command = "report"
    label = "Rebuild a run's report"
    group_id = "project"
    help = (
        "(Re)builds report.html of a run folder: maps, validation curves, weights, targets and "
        "provenance in one offline file, shown in the Processing results viewer.\n\n"
        "Language: en, ru or be (empty: the language run.json records).\n\n"
        "Runs: nedra report RUN_FOLDER [--lang LANG]")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFile(
            "RUN", "Run folder", behavior=QgsProcessingParameterFile.Folder))
        self.add_enum("LANG", "Report language (unset: the run's)", LANGUAGES, default=None,
                      optional=True)
        self.addOutput(QgsProcessingOutputHtml("OUTPUT", "Report"))

    def arguments(self, parameters, context, feedback):
        args = [self.parameterAsFile(parameters, "RUN", context)]
        lang = self.parameterAsEnumString(parameters, "LANG", context)
        if lang:
            args += ["--lang", lang]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        return {"OUTPUT": os.path.join(self.parameterAsFile(parameters, "RUN", context),
                                       "report.html")}
