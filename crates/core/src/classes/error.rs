//! The error type of [`crate::classes`].

/// What can go wrong when classifying a continuous layer; each variant says what to check.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The histogram holds no valid value (every cell was NoData, NaN or infinite).
    #[error("no valid values to classify: check the layer's NoData value and the study-area mask")]
    EmptyHistogram,
    /// Manual breaks are empty, not finite or not strictly increasing.
    #[error("invalid breaks {breaks:?}: {reason}")]
    InvalidBreaks {
        /// The breaks as given.
        breaks: Vec<f64>,
        /// Why they were rejected.
        reason: String,
    },
    /// The requested number of classes is outside what the method accepts.
    #[error("{requested} classes requested; {method} accepts {min} to {max}")]
    ClassCount {
        /// The method (`quantiles`, `natural breaks`, `manual breaks`, `C-A segments`).
        method: &'static str,
        /// Classes (or segments) requested.
        requested: usize,
        /// Smallest accepted count.
        min: usize,
        /// Largest accepted count.
        max: usize,
    },
    /// Exact natural breaks were asked for more distinct values than the declared limit.
    #[error(
        "{distinct} distinct values exceed the limit of {limit} for exact natural breaks \
         (time grows with the square of the distinct values); allow grouping of the values, \
         raise the limit, or use quantiles"
    )]
    TooManyDistinctValues {
        /// Distinct values in the histogram.
        distinct: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The concentration–area curve has too few points for the requested fit.
    #[error(
        "the concentration–area curve has {points} points above zero but {segments} segments \
         of at least {min_points} points need {needed}; use fewer segments or more thresholds, \
         and check that the layer holds positive concentrations"
    )]
    TooFewPoints {
        /// Points on the log–log curve.
        points: usize,
        /// Segments requested.
        segments: usize,
        /// Smallest number of points per segment.
        min_points: usize,
        /// Points needed.
        needed: usize,
    },
    /// A numeric parameter is out of its range.
    #[error("invalid parameter: {reason}")]
    InvalidParameter {
        /// Why the parameter was rejected.
        reason: String,
    },
}
