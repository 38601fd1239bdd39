"""nedra derivative: derivatives of a potential-field grid."""

from qgis.core import QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer

from .base import NedraAlgorithm

KINDS = ["gradient", "vertical", "tilt"]


class Derivative(NedraAlgorithm):
    command = "derivative"
    label = "Potential-field derivative"
    group_id = "evidence"
    help = (
        "Derivatives of a magnetic or gravity grid (north-up, square cells), block by block "
        "with a halo of neighbour cells: the horizontal gradient magnitude, the first "
        "vertical derivative (FFT, |k|·F{f}, Blakely 1995) or the tilt derivative in radians "
        "(Miller & Singh 1994).\n\n"
        "Runs: nedra derivative GRID --kind gradient|vertical|tilt [--halo 64] --out OUT.tif")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer("RASTER", "Potential-field grid"))
        self.add_enum("KIND", "Derivative", KINDS)
        self.add_number("HALO", "Halo of neighbour cells around each 512 × 512 block", 64,
                        integer=True, minimum=0)
        self.addParameter(QgsProcessingParameterRasterDestination("OUTPUT", "Derivative"))

    def arguments(self, parameters, context, feedback):
        return [self.raster_path(parameters, "RASTER", context),
                "--kind", self.parameterAsEnumString(parameters, "KIND", context),
                "--halo", self.number(parameters, "HALO", context, integer=True),
                "--out", self.destination(parameters, "OUTPUT")]
