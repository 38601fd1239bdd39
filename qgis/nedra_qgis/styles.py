"""Styles for what nedra writes, applied when Processing loads the outputs: score maps
(posterior probability, prospectivity, fuzzy membership) with a viridis pseudocolour ramp,
uncertainty with magma, targets as polygons shaded and labelled by rank."""

from qgis.core import (
    QgsColorRampShader,
    QgsFillSymbol,
    QgsGradientColorRamp,
    QgsGradientStop,
    QgsGraduatedSymbolRenderer,
    QgsPalLayerSettings,
    QgsProcessingLayerPostProcessorInterface,
    QgsRasterBandStats,
    QgsRasterLayer,
    QgsRendererRange,
    QgsSingleBandPseudoColorRenderer,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor

# Matplotlib's viridis and magma (van der Walt & Smith), at 9 evenly spaced stops.
VIRIDIS = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
           "#28ae80", "#5ec962", "#addc30", "#fde725"]
MAGMA = ["#000004", "#1c1044", "#4f127b", "#812581", "#b5367a",
         "#e55064", "#fb8761", "#fec287", "#fcfdbf"]


def color_ramp(colors):
    """A gradient through `colors`, evenly spaced."""
    stops = [QgsGradientStop(i / (len(colors) - 1), QColor(colors[i]))
             for i in range(1, len(colors) - 1)]
    return QgsGradientColorRamp(QColor(colors[0]), QColor(colors[-1]), False, stops)


def pseudocolour(layer, colors=VIRIDIS, quantiles=0):
    """Band 1 of `layer` through the ramp: stretched between its minimum and maximum, or with
    `quantiles` equal-area classes (for skewed scores such as the posterior probability, whose
    top few percent would otherwise share one colour)."""
    provider = layer.dataProvider()
    stats = provider.bandStatistics(1, QgsRasterBandStats.Min | QgsRasterBandStats.Max)
    renderer = QgsSingleBandPseudoColorRenderer(provider, 1)
    renderer.setClassificationMin(stats.minimumValue)
    renderer.setClassificationMax(stats.maximumValue)
    if quantiles:
        renderer.createShader(color_ramp(colors), QgsColorRampShader.Interpolated,
                              QgsColorRampShader.Quantile, quantiles, False, layer.extent())
    else:
        renderer.createShader(color_ramp(colors), QgsColorRampShader.Interpolated,
                              QgsColorRampShader.Continuous, 5)
    layer.setRenderer(renderer)
    layer.triggerRepaint()


def targets_by_rank(layer, classes=5):
    """Ranked target polygons: rank 1 darkest red, fading with rank; labelled with the rank."""
    index = layer.fields().indexOf("rank")
    if index < 0:
        return
    ranks = sorted(int(f["rank"]) for f in layer.getFeatures())
    if not ranks:
        return
    reds = ["#67000d", "#a50f15", "#ef3b2c", "#fc9272", "#fee0d2"]
    top = ranks[-1]
    width = max(1, -(-top // classes))  # ceil(top / classes)
    ranges = []
    for i in range(classes):
        low, high = i * width + 1, min((i + 1) * width, top)
        if low > top:
            break
        symbol = QgsFillSymbol.createSimple({
            "color": reds[min(i, len(reds) - 1)], "outline_color": "#000000",
            "outline_width": "0.3"})
        symbol.setOpacity(0.6)
        label = f"rank {low}" if low == high else f"ranks {low}–{high}"
        ranges.append(QgsRendererRange(low - 0.5, high + 0.5, symbol, label))
    layer.setRenderer(QgsGraduatedSymbolRenderer("rank", ranges))
    settings = QgsPalLayerSettings()
    settings.fieldName = "rank"
    text = QgsTextFormat()
    text.setSize(9)
    buffer = text.buffer()
    buffer.setEnabled(True)
    buffer.setColor(QColor("#ffffff"))
    buffer.setSize(0.8)
    settings.setFormat(text)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    layer.triggerRepaint()


class Style(QgsProcessingLayerPostProcessorInterface):
    """Applies one of the styles above to a layer Processing has loaded."""

    _alive = []  # Processing holds post-processors by pointer: keep the Python objects alive

    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        Style._alive.append(self)

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if self.kind == "score" and isinstance(layer, QgsRasterLayer):
            pseudocolour(layer, VIRIDIS, quantiles=10)
        elif self.kind == "membership" and isinstance(layer, QgsRasterLayer):
            pseudocolour(layer, VIRIDIS)
        elif self.kind == "uncertainty" and isinstance(layer, QgsRasterLayer):
            pseudocolour(layer, MAGMA)
        elif self.kind == "targets" and isinstance(layer, QgsVectorLayer):
            targets_by_rank(layer)
