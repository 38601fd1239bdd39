//! nedra-assess: resource assessment (being written).
