"""nedra for QGIS: a Processing provider that runs the nedra binary."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    """The plugin instance QGIS loads."""
    from .plugin import NedraPlugin

    return NedraPlugin(iface)
