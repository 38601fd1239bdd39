"""nedra response: posterior probability, its standard deviation and confidence."""

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputRasterLayer,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
)

from .base import NedraAlgorithm


class Response(NedraAlgorithm):
    command = "response"
    label = "Posterior probability (response)"
    group_id = "stages"
    help = (
        "Combines weights tables into the posterior probability, its standard deviation "
        "(with the missing-data variance of Agterberg et al. 1990) and the confidence "
        "(posterior / s.d.).\n\n"
        "Give one weights table (CSV with CLASS, WEIGHT, W_STD; ArcSDM and GA tables work) per "
        "class raster, in the same order. The rasters share one grid; the study area is every "
        "cell where at least one of them has data. The deposits set the prior (D / T).\n\n"
        "Writes posterior.tif, posterior_std.tif and confidence.tif in the output folder.\n\n"
        "Runs: nedra response --weights T1.csv T2.csv … --evidence R1.tif R2.tif … "
        "--deposits POINTS [--unit-cell-km2 1] --out FOLDER")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMultipleLayers(
            "WEIGHTS", "Weights tables (CSV, in the order of the rasters)", QgsProcessing.TypeFile))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            "EVIDENCE", "Class rasters (one per table)", QgsProcessing.TypeRaster))
        self.add_deposits()
        self.add_number("UNIT_CELL_KM2", "Unit cell (km²)", 1.0, minimum=0.0)
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputRasterLayer("POSTERIOR", "Posterior probability"))
        self.addOutput(QgsProcessingOutputRasterLayer("POSTERIOR_STD", "Posterior s.d."))
        self.addOutput(QgsProcessingOutputRasterLayer("CONFIDENCE", "Confidence"))

    def arguments(self, parameters, context, feedback):
        tables = self.parameterAsFileList(parameters, "WEIGHTS", context)
        layers = self.parameterAsLayerList(parameters, "EVIDENCE", context)
        if len(tables) != len(layers):
            raise QgsProcessingException(
                f"{len(tables)} weights tables but {len(layers)} class rasters: give one "
                "table per raster, in the same order")
        rasters = []
        for layer in layers:
            if layer.providerType() != "gdal":
                raise QgsProcessingException(
                    f"{layer.name()}: nedra reads raster files through GDAL; save the layer as "
                    "a GeoTIFF first")
            rasters.append(layer.source())
        args = ["--weights"] + tables + ["--evidence"] + rasters
        args += self.deposits_arguments(parameters, context, feedback)
        args += ["--unit-cell-km2", self.number(parameters, "UNIT_CELL_KM2", context)]
        args += ["--out", self.destination(parameters, "OUTPUT")]
        return args

    def results(self, parameters, context, feedback, stdout_lines):
        folder = self.destination(parameters, "OUTPUT")
        results = {"OUTPUT": folder}
        for output, file, style, label in (
                ("POSTERIOR_STD", "posterior_std.tif", "uncertainty", "posterior s.d."),
                ("CONFIDENCE", "confidence.tif", None, "confidence"),
                ("POSTERIOR", "posterior.tif", "score", "posterior probability")):
            path = os.path.join(folder, file)
            if os.path.exists(path):
                self.load(context, path, label, output, style)
                results[output] = path
        return results
