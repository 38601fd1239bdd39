"""The plugin through QGIS's Python API, as the Processing toolbox runs it: outputs loaded
into the project with their styles, layers that are not files nedra reads (a delimited-text
layer with a selection, a layer inside a GeoPackage) exported or passed with --layer and
giving the same bytes as nedra on the equivalent files, cancellation, and the binary setting.

Usage (QGIS_CUSTOM_CONFIG_PATH set to a temporary profile, the plugin installed in it):
    /usr/bin/python3 qgis/tests/test_plugin.py PLUGINS_DIR DEMO_DIR [MAP.png]
"""

import csv
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time

from qgis.core import (
    QgsApplication,
    QgsGraduatedSymbolRenderer,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProcessingContext,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingUtils,
    QgsProject,
    QgsSingleBandPseudoColorRenderer,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize

plugins, demo = sys.argv[1], sys.argv[2]
picture = sys.argv[3] if len(sys.argv) > 3 else None
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
sys.path[:0] = ["/usr/share/qgis/python/plugins", plugins]
from processing.core.Processing import Processing  # noqa: E402
from processing.core.ProcessingConfig import ProcessingConfig  # noqa: E402
from processing.gui.Postprocessing import handleAlgorithmResults  # noqa: E402

Processing.initialize()
import nedra_qgis  # noqa: E402

plugin = nedra_qgis.classFactory(None)
plugin.initProcessing()
registry = QgsApplication.processingRegistry()
nedra = os.environ["NEDRA_BIN"]
work = tempfile.mkdtemp()
project = QgsProject.instance()
failures = []


def check(condition, what):
    print(("  ok: " if condition else "  FAILED: ") + what)
    if not condition:
        failures.append(what)


def execute(algorithm_id, parameters, feedback=None):
    """Runs an algorithm as the toolbox does, loading its layers; (results, ok, feedback)."""
    algorithm = registry.createAlgorithmById(algorithm_id)
    context = QgsProcessingContext()
    context.setProject(project)
    feedback = feedback or QgsProcessingFeedback()
    results, ok = algorithm.run(parameters, context, feedback)
    if ok:
        handleAlgorithmResults(algorithm, context, feedback, False, parameters)
    return results, ok, feedback


def direct(*args):
    subprocess.run([nedra, *args], check=True, capture_output=True)


# --- a run: progress, then the posterior in viridis, uncertainty in magma, targets by rank -
class Recorder(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.percents = []
        self.progressChanged.connect(self.percents.append)


results, ok, feedback = execute("nedra:run", {"PROJECT": os.path.join(demo, "project.toml"),
                                              "OUTPUT": os.path.join(work, "run")}, Recorder())
check(ok, "nedra:run succeeds")
steps = sorted(set(round(p, 6) for p in feedback.percents))
check(len(steps) > 10 and steps[0] == 0 and steps[-1] == 100 and
      any(p != round(p / (100 / 7)) * (100 / 7) for p in steps[1:-1]),
      f"progress in {len(steps)} steps from 0 to 100, within the 7 steps from block passes")
layers = {layer.source(): layer for layer in project.mapLayers().values()}
posterior = layers.get(os.path.join(work, "run", "posterior.tif"))
check(posterior is not None, "posterior.tif loaded into the project")
renderer = posterior.renderer() if posterior else None
check(isinstance(renderer, QgsSingleBandPseudoColorRenderer), "posterior: pseudocolour renderer")
if isinstance(renderer, QgsSingleBandPseudoColorRenderer):
    items = renderer.shader().rasterShaderFunction().colorRampItemList()
    check(len(items) >= 5, f"posterior: {len(items)} colour classes")
    check(items[0].color.name() == "#440154" and items[-1].color.name() == "#fde725",
          "posterior: viridis, dark purple to yellow")
std = layers.get(os.path.join(work, "run", "posterior_std.tif"))
check(std is not None and isinstance(std.renderer(), QgsSingleBandPseudoColorRenderer),
      "posterior_std.tif loaded with a pseudocolour ramp")
targets = [layer for source, layer in layers.items() if "targets.gpkg" in source]
check(len(targets) == 1, "targets.gpkg loaded")
if targets:
    t = targets[0]
    check(isinstance(t.renderer(), QgsGraduatedSymbolRenderer)
          and t.renderer().classAttribute() == "rank", "targets: graduated by rank")
    check(t.labelsEnabled(), "targets: labelled")
    check(t.featureCount() == 15, f"targets: {t.featureCount()} polygons (15 in the demo)")
    check(results.get("SUCCESS_RATE_AUC") is not None, "run: success-rate AUC returned")
if picture and posterior and targets:
    settings = QgsMapSettings()
    settings.setLayers([targets[0], posterior])
    settings.setDestinationCrs(posterior.crs())
    settings.setExtent(posterior.extent())
    settings.setOutputSize(QSize(746, 694))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(picture)
    print(f"  map drawn: {picture}")

# --- a raster destination as the toolbox gives it: loaded once, styled ----------------------
definition = QgsProcessingOutputLayerDefinition("TEMPORARY_OUTPUT", project)
definition.destinationName = "magnetic membership"
results, ok, _ = execute("nedra:fuzzify", {
    "RASTER": os.path.join(demo, "run", "evidence", "magnetic_values.tif"),
    "MEMBERSHIP": "large", "A": 150, "B": 3, "OUTPUT": definition})
check(ok and os.path.isfile(results["OUTPUT"]), "fuzzify to a temporary output")
loaded = [layer for layer in project.mapLayers().values() if layer.source() == results["OUTPUT"]]
check(len(loaded) == 1 and loaded[0].name() == "magnetic membership",
      "… loaded once, under its name")
check(bool(loaded) and isinstance(loaded[0].renderer(), QgsSingleBandPseudoColorRenderer),
      "… with the viridis ramp")

# --- deposits from a delimited-text layer, a selection only: exported, same table ---------
occurrences = os.path.join(demo, "data", "occurrences.csv")
uri = f"file://{occurrences}?delimiter=,&xField=x&yField=y&crs=EPSG:32635"
points = QgsVectorLayer(uri, "occurrences", "delimitedtext")
check(points.isValid() and points.featureCount() == 61, "delimited-text deposits layer")
project.addMapLayer(points)
chosen = [f for f in points.getFeatures() if f.id() % 2 == 0]
points.selectByIds([f.id() for f in chosen])
subset = os.path.join(work, "subset.csv")
with open(subset, "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["x", "y"])
    for feature in chosen:
        p = feature.geometry().asPoint()
        writer.writerow([repr(p.x()), repr(p.y())])
faults = os.path.join(demo, "run", "evidence", "faults.tif")
results, ok, _ = execute("nedra:weights", {
    "RASTER": faults, "DEPOSITS": QgsProcessingFeatureSourceDefinition(points.id(), True),
    "TYPE": "ascending", "OUTPUT": os.path.join(work, "selected.csv")})
check(ok, f"weights on {len(chosen)} selected deposits of a delimited-text layer")
direct("weights", faults, "--deposits", subset, "--type", "ascending",
       "--out", os.path.join(work, "subset_direct.csv"))
check(filecmp.cmp(os.path.join(work, "selected.csv"), os.path.join(work, "subset_direct.csv"),
                  shallow=False), "… the same table as nedra weights on those points")
check(any(layer.source().endswith("selected.csv") for layer in project.mapLayers().values()),
      "weights table loaded into the project")

# --- features inside a GeoPackage: --layer, same distances ---------------------------------
package = os.path.join(work, "both.gpkg")
for name in ("units", "faults"):
    layer = QgsVectorLayer(os.path.join(demo, "data", f"{name}.geojson"), name, "ogr")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    if os.path.exists(package):
        options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
    error = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, package, project.transformContext(), options)
    check(error[0] == QgsVectorFileWriter.NoError, f"{name} written into a GeoPackage")
faults_layer = QgsVectorLayer(f"{package}|layername=faults", "faults", "ogr")
project.addMapLayer(faults_layer)
mask = os.path.join(demo, "run", "mask.tif")
results, ok, feedback = execute("nedra:distance", {
    "FEATURES": faults_layer.id(), "LIKE": mask, "OUTPUT": os.path.join(work, "d.tif")})
check(ok, "distance to a layer inside a GeoPackage")
direct("distance", os.path.join(demo, "data", "faults.geojson"), "--like", mask,
       "--out", os.path.join(work, "d_direct.tif"))
check(filecmp.cmp(os.path.join(work, "d.tif"), os.path.join(work, "d_direct.tif"),
                  shallow=False), "… the same raster as nedra distance on faults.geojson")


# --- cancellation: nedra is stopped and leaves no run folder -------------------------------
class CancelAtStep(QgsProcessingFeedback):
    def pushInfo(self, info):  # noqa: N802
        super().pushInfo(info)
        if info.startswith("[3/"):
            self.cancel()


started = time.monotonic()
cancelled = os.path.join(work, "cancelled")
results, ok, feedback = execute(
    "nedra:run", {"PROJECT": os.path.join(demo, "project.toml"), "OUTPUT": cancelled},
    CancelAtStep())
check(not ok, "a cancelled run fails")
check(not os.path.exists(os.path.join(cancelled, "run.json")), "… and wrote no run.json")
check(time.monotonic() - started < 10, "… at once")

# --- the languages offered are the report's catalogues -------------------------------------
from nedra_qgis.algorithms.base import LANGUAGES  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
locales = os.path.join(here, "..", "..", "crates", "engine", "locales")
catalogues = sorted(f[:-4] for f in os.listdir(locales) if f.endswith(".ftl"))
check(sorted(LANGUAGES) == catalogues, f"report languages {LANGUAGES} = catalogues {catalogues}")
results, ok, _ = execute("nedra:report", {"RUN": os.path.join(demo, "run"), "LANG": "ru"})
check(ok, "report in Russian from the language choice")
with open(os.path.join(demo, "run", "report.html"), encoding="utf-8") as f:
    check('lang="ru"' in f.read(), "… report.html is in Russian")
direct("report", os.path.join(demo, "run"), "--lang", "en")

# --- ranking, deposits outside the map, and two runs compared ------------------------------
score = os.path.join(demo, "run", "posterior.tif")
results, ok, _ = execute("nedra:targets", {
    "SCORE": score, "DEPOSITS": occurrences, "RANK": "expected", "OUTSIDE": "drop",
    "OUTPUT": os.path.join(work, "t_expected")})
check(ok, "targets ranked by expected deposits, deposits outside dropped")
direct("targets", score, "--deposits", occurrences, "--rank", "expected", "--outside", "drop",
       "--out", os.path.join(work, "t_direct"))
check(filecmp.cmp(os.path.join(work, "t_expected", "targets.csv"),
                  os.path.join(work, "t_direct", "targets.csv"), shallow=False),
      "… the same targets.csv as nedra targets --rank expected --outside drop")
runs = [os.path.join(demo, "run"), os.path.join(demo, "run-gbt")]
if all(os.path.isdir(r) for r in runs):
    results, ok, _ = execute("nedra:compare", {
        "RUN_A": runs[0], "RUN_B": runs[1], "OUTPUT": os.path.join(work, "compare.json")})
    check(ok, "compare the demo's weights-of-evidence and gradient-boosting runs")
    table = subprocess.run([nedra, "compare", *runs, "--json", os.path.join(work, "c.json")],
                           check=True, capture_output=True, text=True).stdout
    table = "\n".join(line for line in table.splitlines() if not line.startswith("comparison: "))
    check(results.get("TABLE", "").strip() == table.strip(), "… the table nedra compare prints")
    check(filecmp.cmp(os.path.join(work, "compare.json"), os.path.join(work, "c.json"),
                      shallow=False), "… the same JSON")
else:
    check(False, f"the demo has both runs: {runs}")

# --- the binary: the provider setting wins, and a wrong one is named ----------------------
not_a_binary = os.path.join(demo, "README.txt")
ProcessingConfig.setSettingValue("NEDRA_BIN", not_a_binary)


class Errors(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.errors = []

    def reportError(self, error, fatalError=False):  # noqa: N802
        self.errors.append(error)


results, ok, feedback = execute("nedra:weights", {
    "RASTER": faults, "DEPOSITS": occurrences, "TYPE": "ascending",
    "OUTPUT": os.path.join(work, "never.csv")}, Errors())
check(not ok and any(f"{not_a_binary} (from the provider setting)" in e
                     for e in feedback.errors), "a wrong binary setting is named in the error")
ProcessingConfig.setSettingValue("NEDRA_BIN", "")

plugin.unload()
shutil.rmtree(work, ignore_errors=True)
shutil.rmtree(QgsProcessingUtils.tempFolder(), ignore_errors=True)
if failures:
    print(f"{len(failures)} check(s) failed")
sys.stdout.flush()
os._exit(1 if failures else 0)  # QGIS's own teardown crashes a standalone script at exit
