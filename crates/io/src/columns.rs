//! Coordinate columns of point tables (CSV): the column the user named, or the first of the
//! usual names — one rule for deposits, geochemical samples and interpolation points.

/// A coordinate axis of a point table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    /// Easting or longitude.
    X,
    /// Northing or latitude.
    Y,
}

impl Axis {
    /// The header names tried, in order, when no column is named (compared ignoring case).
    pub fn usual_names(self) -> &'static [&'static str] {
        match self {
            Axis::X => &["x", "easting", "east", "lon", "longitude"],
            Axis::Y => &["y", "northing", "north", "lat", "latitude"],
        }
    }

    /// `"x"` or `"y"`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Axis::X => "x",
            Axis::Y => "y",
        }
    }
}

/// The index of the `axis` coordinate column among `headers`, or `None` when there is none.
///
/// With `named`, that column ([`named_column`]). Without, the first of [`Axis::usual_names`]
/// present, ignoring case. Headers are compared without their surrounding spaces.
pub fn coordinate_column<S: AsRef<str>>(
    headers: &[S],
    named: Option<&str>,
    axis: Axis,
) -> Option<usize> {
    match named {
        Some(name) => named_column(headers, name),
        None => axis
            .usual_names()
            .iter()
            .find_map(|n| position_ignoring_case(headers, n)),
    }
}

/// The index of the column called `name`: an exact match first, then one ignoring ASCII case
/// (headers without their surrounding spaces).
pub fn named_column<S: AsRef<str>>(headers: &[S], name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.as_ref().trim() == name)
        .or_else(|| position_ignoring_case(headers, name))
}

fn position_ignoring_case<S: AsRef<str>>(headers: &[S], name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.as_ref().trim().eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_names_in_order_ignoring_case_and_spaces() {
        let headers = ["id", " Lat ", "Longitude", "EASTING", "north"];
        assert_eq!(coordinate_column(&headers, None, Axis::X), Some(3));
        assert_eq!(coordinate_column(&headers, None, Axis::Y), Some(4));
        assert_eq!(coordinate_column(&["id", " Lat "], None, Axis::Y), Some(1));
        assert_eq!(coordinate_column(&["id", "value"], None, Axis::X), None);
    }

    #[test]
    fn a_named_column_matches_exactly_first() {
        let headers = ["X", "x", "utm_e"];
        assert_eq!(coordinate_column(&headers, Some("x"), Axis::X), Some(1));
        assert_eq!(coordinate_column(&headers, Some("UTM_E"), Axis::X), Some(2));
        assert_eq!(coordinate_column(&headers, Some("east"), Axis::X), None);
    }
}
