"""One Processing algorithm per nedra command."""

from .classify import Classify
from .density import Density
from .derivative import Derivative
from .distance import Distance
from .fuzzify import Fuzzify
from .geochem import Geochem
from .interpolate import Interpolate
from .report import Report
from .response import Response
from .run import Run
from .targets import Targets
from .validate import Validate
from .weights import Weights

ALGORITHMS = [
    Run, Report,
    Weights, Response, Validate, Targets,
    Distance, Density, Classify, Fuzzify, Derivative, Interpolate,
    Geochem,
]
