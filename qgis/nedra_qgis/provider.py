"""The nedra Processing provider: one algorithm per nedra command, and the setting that names
the binary."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS
from . import runner

#: ProcessingConfig key of the binary's path (empty: $NEDRA_BIN, then PATH).
SETTING_BINARY = "NEDRA_BIN"


def _config():
    """Processing's settings module (absent only outside QGIS's Python)."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig, Setting
    except ImportError:
        return None, None
    return ProcessingConfig, Setting


def binary():
    """The nedra executable, from the provider setting, $NEDRA_BIN or PATH (runner.NedraError
    saying how to set it when there is none)."""
    config, _ = _config()
    setting = config.getSetting(SETTING_BINARY) if config is not None else None
    return runner.find_binary(setting or None)


class NedraProvider(QgsProcessingProvider):
    def id(self):
        return "nedra"

    def name(self):
        return "nedra"

    def longName(self):  # noqa: N802
        return "nedra exploration targeting"

    def icon(self):
        return QIcon(os.path.join(os.path.dirname(__file__), "icon.svg"))

    def load(self):
        config, setting = _config()
        if config is not None:
            config.settingIcons[self.name()] = self.icon()
            config.addSetting(setting(
                self.name(), SETTING_BINARY,
                "nedra executable (empty: the NEDRA_BIN environment variable, then PATH)",
                "", valuetype=setting.FILE))
            config.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        config, _ = _config()
        if config is not None and SETTING_BINARY in config.settings:
            config.removeSetting(SETTING_BINARY)

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())

    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        return ["tif"]

    def supportedOutputTableExtensions(self):  # noqa: N802
        return ["csv"]
