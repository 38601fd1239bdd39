"""One Processing algorithm per nedra command."""

from .assess import AssessRun, DepositsPmf
from .classify import Classify
from .compare import Compare
from .density import Density
from .derivative import Derivative
from .distance import Distance
from .fuzzify import Fuzzify
from .geochem import Geochem
from .interpolate import Interpolate
from .predict import Predict
from .prospects import Prospects
from .report import Report
from .response import Response
from .run import Run
from .targets import Targets
from .template import Template
from .validate import Validate
from .weights import Weights

ALGORITHMS = [
    Run, Report, Compare, Predict, Template,
    Weights, Response, Validate, Targets,
    Distance, Density, Classify, Fuzzify, Derivative, Interpolate,
    Geochem,
    AssessRun, DepositsPmf, Prospects,
]
