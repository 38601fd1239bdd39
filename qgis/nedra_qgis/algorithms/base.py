"""What every nedra algorithm shares: running the binary with the feedback, and turning
Processing parameters into nedra's arguments (file paths it reads, CRS strings, enums)."""

import json
import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingUtils,
)
from qgis.PyQt.QtGui import QIcon

from .. import runner
from ..styles import Style

#: Vector formats nedra reads itself (anything else is exported to GeoPackage first).
VECTOR_FORMATS = ["gpkg", "shp", "geojson", "json"]


# Languages of report.html: one Fluent catalogue each in crates/engine/locales/ (the plugin
# test checks that this list and the catalogues agree).
LANGUAGES = ["en", "ru", "be"]

class NedraAlgorithm(QgsProcessingAlgorithm):
    """A nedra command as a Processing algorithm. Subclasses set `command`, `label`, `group_id`
    and `help`, declare parameters in `initAlgorithm`, and implement `arguments` (the command
    line after `nedra COMMAND`) and, if they return more than their destinations, `results`."""

    command = ""
    label = ""
    group_id = "stages"
    help = ""

    _GROUPS = {
        "project": "Projects",
        "assessment": "Resource assessment",
        "stages": "Weights of evidence",
        "evidence": "Evidence layers",
        "geochemistry": "Geochemistry",
    }

    def name(self):
        return self.command.replace(" ", "_").replace("-", "_")

    def displayName(self):  # noqa: N802
        return self.label

    def group(self):
        return self._GROUPS[self.group_id]

    def groupId(self):  # noqa: N802
        return self.group_id

    def shortHelpString(self):  # noqa: N802
        return self.help

    def icon(self):
        return QIcon(os.path.join(os.path.dirname(os.path.dirname(__file__)), "icon.svg"))

    def createInstance(self):  # noqa: N802
        return type(self)()

    # --- running -------------------------------------------------------------------------

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        from ..provider import binary

        parameters = self.resolve_destinations(parameters, context)
        args = self.arguments(parameters, context, feedback)
        try:
            out, _ = runner.run(binary(), self.command.split() + args, feedback)
        except runner.NedraError as e:
            raise QgsProcessingException(f"nedra {self.command}: {e}") from e
        return self.results(parameters, context, feedback, out)

    def arguments(self, parameters, context, feedback):
        raise NotImplementedError

    def results(self, parameters, context, feedback, stdout_lines):
        """The algorithm's outputs: by default every destination parameter's path."""
        results = {}
        for p in self.destinationParameterDefinitions():
            path = self.destination(parameters, p.name())
            if path:
                results[p.name()] = path
        return results

    def resolve_destinations(self, parameters, context):
        """`parameters` with every destination as its path. Each call of parameterAsOutputLayer
        or parameterAsFileOutput on TEMPORARY_OUTPUT makes a new temporary name (and queues
        another layer to load), so they are called once, here."""
        resolved = dict(parameters)
        for p in self.destinationParameterDefinitions():
            if p.type() in ("rasterDestination", "vectorDestination", "sink"):
                path = self.parameterAsOutputLayer(parameters, p.name(), context)
            else:
                path = self.parameterAsFileOutput(parameters, p.name(), context)
            resolved[p.name()] = path or None
        return resolved

    def destination(self, parameters, name):
        """The path of a destination parameter (after resolve_destinations), or None."""
        return parameters.get(name) or None

    # --- parameters ----------------------------------------------------------------------

    def add_enum(self, name, description, options, default=0, optional=False, advanced=False):
        """A choice whose value is the option string itself (TYPE=ascending in qgis_process);
        `advanced` puts it under the dialog's advanced parameters."""
        p = QgsProcessingParameterEnum(name, description, options, False,
                                       options[default] if default is not None else None,
                                       optional)
        p.setUsesStaticStrings(True)
        if advanced:
            p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(p)

    def add_number(self, name, description, default=None, integer=False, optional=False,
                   minimum=None, maximum=None):
        kind = QgsProcessingParameterNumber.Integer if integer else QgsProcessingParameterNumber.Double
        p = QgsProcessingParameterNumber(name, description, kind, default, optional)
        if minimum is not None:
            p.setMinimum(minimum)
        if maximum is not None:
            p.setMaximum(maximum)
        self.addParameter(p)

    def add_deposits(self, name="DEPOSITS", description="Deposit points", optional=False,
                     crs=True):
        self.addParameter(QgsProcessingParameterFeatureSource(
            name, description, [QgsProcessing.TypeVectorPoint], optional=optional))
        if crs:
            self.addParameter(QgsProcessingParameterCrs(
                "DEPOSITS_CRS", "CRS of CSV deposit coordinates (default: the raster's)",
                optional=True))

    # --- values --------------------------------------------------------------------------

    def raster_path(self, parameters, name, context):
        """The file GDAL reads for a raster parameter."""
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            raise QgsProcessingException(self.invalidRasterError(parameters, name))
        if layer.providerType() != "gdal":
            raise QgsProcessingException(
                f"{layer.name()}: nedra reads raster files through GDAL; save the layer as "
                "a GeoTIFF first")
        return layer.source()

    def vector_path(self, parameters, name, context, feedback, with_layer_name=False):
        """The file nedra reads for a vector parameter: a file given by path as it is (nedra
        reads GeoPackage, Shapefile, GeoJSON and CSV with x/y columns itself); a layer of
        another kind, or with a selection or filter, exported to GeoPackage. With
        `with_layer_name`, (path, layer name or None)."""
        value = parameters.get(name)
        if isinstance(value, str) and os.path.isfile(value):
            return (value, None) if with_layer_name else value
        if with_layer_name:
            path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
                parameters, name, context, VECTOR_FORMATS, "gpkg", feedback)
            if not path:
                raise QgsProcessingException(self.invalidSourceError(parameters, name))
            return path, (layer or None)
        path = self.parameterAsCompatibleSourceLayerPath(
            parameters, name, context, VECTOR_FORMATS, "gpkg", feedback)
        if not path:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        return path

    def deposits_arguments(self, parameters, context, feedback,
                           inputs=(("--deposits", "DEPOSITS"),)):
        """`--deposits PATH` for each (flag, parameter) of `inputs` that is set, and
        `--deposits-crs CRS` once when one of them is a CSV file and DEPOSITS_CRS is set."""
        args, csv = [], False
        for flag, name in inputs:
            if not parameters.get(name):
                continue
            path = self.vector_path(parameters, name, context, feedback)
            args += [flag, path]
            csv = csv or path.lower().endswith(".csv")
        crs = self.crs_string(parameters, "DEPOSITS_CRS", context)
        if crs and csv:
            args += ["--deposits-crs", crs]
        return args

    def crs_string(self, parameters, name, context):
        """A CRS parameter as nedra reads it (an authority code, else WKT), or None."""
        if not parameters.get(name):
            return None
        crs = self.parameterAsCrs(parameters, name, context)
        if not crs.isValid():
            return None
        return crs.authid() or crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED)

    def number(self, parameters, name, context, integer=False):
        """A number parameter as nedra's text, or None when an optional one is unset."""
        value = parameters.get(name)
        if (value is None or value == "") and self.parameterDefinition(name).defaultValue() is None:
            return None
        if integer:
            return str(self.parameterAsInt(parameters, name, context))
        return repr(self.parameterAsDouble(parameters, name, context))

    def option(self, flag, value):
        """`[flag, value]`, or nothing for None."""
        return [] if value is None else [flag, value]

    # --- loading outputs -----------------------------------------------------------------

    def load(self, context, path, name, output_name, style=None, vector=False):
        """Loads `path` into the project when the algorithm ends, styled by `style`."""
        if not os.path.exists(path.split("|")[0]) or context.project() is None:
            return
        details = QgsProcessingContext.LayerDetails(name, context.project(), output_name)
        if hasattr(details, "layerTypeHint"):
            details.layerTypeHint = (QgsProcessingUtils.LayerHint.Vector if vector
                                     else QgsProcessingUtils.LayerHint.Raster)
        if style is not None:
            details.setPostProcessor(Style(style))
        context.addLayerToLoadOnCompletion(path, details)

    def style_output(self, context, path, style):
        """Styles a raster destination that Processing loads itself."""
        if context.willLoadLayerOnCompletion(path):
            context.layerToLoadOnCompletionDetails(path).setPostProcessor(Style(style))


def read_json(path):
    """A JSON file nedra wrote, or {} if it is missing."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}
