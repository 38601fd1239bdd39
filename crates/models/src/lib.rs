//! nedra-models (work in progress).
