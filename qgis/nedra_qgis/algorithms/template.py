"""nedra template: a knowledge-driven deposit-model template to paste into a project file."""

from qgis.core import QgsProcessingParameterFileDestination

from .base import NedraAlgorithm

TEMPLATES = ["carbonatite_ree", "ion_adsorption_clay", "heavy_mineral_sands", "pegmatite_li"]


class Template(NedraAlgorithm):
    command = "template"
    label = "Deposit-model template"
    group_id = "project"
    help = (
        "Writes a knowledge-driven deposit-model template — the evidence layers the model "
        "calls for, a fuzzy membership per layer and an inference network, with the cited "
        "sources — as a project-file fragment to paste and edit:\n"
        "carbonatite_ree: REE in carbonatite and alkaline intrusions;\n"
        "ion_adsorption_clay: REE in ion-adsorption clays on weathered granites;\n"
        "heavy_mineral_sands: Ti–Zr–REE heavy-mineral sand placers with monazite;\n"
        "pegmatite_li: LCT pegmatites.\n\n"
        "Runs: nedra template NAME > FILE.toml")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_enum("NAME", "Deposit model", TEMPLATES)
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", "Template", "TOML files (*.toml)"))

    def arguments(self, parameters, context, feedback):
        return [self.parameterAsEnumString(parameters, "NAME", context)]

    def results(self, parameters, context, feedback, stdout_lines):
        path = self.destination(parameters, "OUTPUT")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(line + "\n" for line in stdout_lines))
        return {"OUTPUT": path}
