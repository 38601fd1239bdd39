"""nedra template: a knowledge-driven deposit-model template to paste into a project file."""

from qgis.core import QgsProcessingParameterFileDestination

from .base import NedraAlgorithm

TEMPLATES = ["carbonatite_ree", "alkaline_ultramafic_ree_nb", "phosphorite_ree",
             "ion_adsorption_clay", "weathering_crust_ree", "heavy_mineral_sands",
             "ti_zr_placer", "pegmatite_li", "pripyat_play"]


class Template(NedraAlgorithm):
    command = "template"
    label = "Deposit-model template"
    group_id = "project"
    help = (
        "Writes a knowledge-driven deposit-model template — the evidence layers the model "
        "calls for, a fuzzy membership per layer and an inference network, with the cited "
        "sources — as a complete project file to edit:\n"
        "carbonatite_ree: REE in carbonatite and alkaline intrusions;\n"
        "ion_adsorption_clay: REE in ion-adsorption clays on weathered granites;\n"
        "heavy_mineral_sands: Ti–Zr–REE heavy-mineral sand placers with monazite;\n"
        "pegmatite_li: LCT pegmatites;\n"
        "alkaline_ultramafic_ree_nb, phosphorite_ree, weathering_crust_ree, ti_zr_placer: "
        "East European Craton REE–Nb, phosphorite REE, weathering-crust REE, Ti–Zr placers;\n"
        "pripyat_play: a prospects file for nedra prospects (rift play chance maps).\n\n"
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
