//! Named colour ramps and the legend of each layer: a continuous ramp between the layer's
//! minimum and maximum, or one colour per class for class rasters.

use serde::Serialize;

/// A named colour ramp: colours at evenly spaced stops from the minimum to the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ramp {
    /// The ramp's name, as shown in the legend.
    pub name: &'static str,
    /// sRGB colours from low to high.
    pub stops: &'static [[u8; 3]],
}

/// Viridis (perceptually uniform, colour-blind safe): the ramp of scores.
pub const VIRIDIS: Ramp = Ramp {
    name: "viridis",
    stops: &[
        [68, 1, 84],
        [72, 40, 120],
        [62, 73, 137],
        [49, 104, 142],
        [38, 130, 142],
        [31, 158, 137],
        [53, 183, 121],
        [109, 205, 89],
        [180, 222, 44],
        [253, 231, 37],
    ],
};

/// Magma: the ramp of uncertainties (dark = sure, bright = unsure).
pub const MAGMA: Ramp = Ramp {
    name: "magma",
    stops: &[
        [0, 0, 4],
        [28, 16, 68],
        [79, 18, 123],
        [129, 37, 129],
        [181, 54, 122],
        [229, 80, 100],
        [251, 135, 97],
        [254, 194, 135],
        [252, 253, 191],
    ],
};

/// Cividis: the ramp of evidence values and every other continuous layer.
pub const CIVIDIS: Ramp = Ramp {
    name: "cividis",
    stops: &[
        [0, 34, 78],
        [18, 53, 112],
        [59, 73, 108],
        [87, 92, 109],
        [112, 113, 115],
        [138, 134, 120],
        [165, 156, 116],
        [195, 179, 105],
        [225, 204, 85],
        [254, 232, 56],
    ],
};

/// Colours of classes, in turn (Tableau 10).
pub const CLASS_COLOURS: [[u8; 3]; 10] = [
    [78, 121, 167],
    [242, 142, 43],
    [225, 87, 89],
    [118, 183, 178],
    [89, 161, 79],
    [237, 201, 72],
    [176, 122, 161],
    [255, 157, 167],
    [156, 117, 95],
    [186, 176, 172],
];

/// The largest number of classes a class legend lists; integer rasters with a wider range of
/// values are drawn with a continuous ramp.
pub const MAX_CLASSES: usize = 32;

/// How a layer is coloured, as the page's legend shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Legend {
    /// Values from `min` to `max` along a ramp (values outside are clamped).
    Continuous {
        /// The ramp's name.
        ramp: &'static str,
        /// Colours (`#rrggbb`) at evenly spaced stops from `min` to `max`.
        stops: Vec<String>,
        /// The value drawn with the first colour.
        min: f64,
        /// The value drawn with the last colour.
        max: f64,
    },
    /// One colour per integer class.
    Classes {
        /// The classes with their colours (`#rrggbb`) and labels.
        classes: Vec<Class>,
    },
}

/// One class of a class legend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Class {
    /// The cell value.
    pub value: i64,
    /// What the page shows.
    pub label: String,
    /// `#rrggbb`.
    pub colour: String,
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

impl Legend {
    /// A continuous legend of `ramp` from `min` to `max`.
    pub fn continuous(ramp: Ramp, min: f64, max: f64) -> Legend {
        Legend::Continuous {
            ramp: ramp.name,
            stops: ramp.stops.iter().copied().map(hex).collect(),
            min,
            max,
        }
    }

    /// A class legend for the integer values `min..=max`, labelled "class V".
    pub fn classes(min: i64, max: i64) -> Legend {
        Legend::Classes {
            classes: (min..=max)
                .enumerate()
                .map(|(i, value)| Class {
                    value,
                    label: format!("class {value}"),
                    colour: hex(CLASS_COLOURS[i % CLASS_COLOURS.len()]),
                })
                .collect(),
        }
    }
}

/// Turns cell values into RGBA pixels by a layer's legend; NaN (no data) is transparent.
pub struct Painter {
    kind: PainterKind,
}

enum PainterKind {
    Ramp {
        stops: Vec<[u8; 3]>,
        min: f64,
        span: f64,
    },
    Classes {
        min: i64,
        colours: Vec<[u8; 3]>,
    },
}

impl Painter {
    /// The painter of `legend`.
    pub fn new(legend: &Legend) -> Painter {
        let parse = |h: &str| -> [u8; 3] {
            let v = u32::from_str_radix(h.trim_start_matches('#'), 16).unwrap_or(0);
            [(v >> 16) as u8, (v >> 8) as u8, v as u8]
        };
        let kind = match legend {
            Legend::Continuous {
                stops, min, max, ..
            } => PainterKind::Ramp {
                stops: stops.iter().map(|s| parse(s)).collect(),
                min: *min,
                span: max - min,
            },
            Legend::Classes { classes } => PainterKind::Classes {
                min: classes.first().map_or(0, |c| c.value),
                colours: classes.iter().map(|c| parse(&c.colour)).collect(),
            },
        };
        Painter { kind }
    }

    /// The RGBA colour of `value`.
    pub fn paint(&self, value: f64) -> [u8; 4] {
        if !value.is_finite() {
            return [0, 0, 0, 0];
        }
        match &self.kind {
            PainterKind::Ramp { stops, min, span } => {
                let t = if *span > 0.0 {
                    ((value - min) / span).clamp(0.0, 1.0)
                } else {
                    0.5
                };
                let position = t * (stops.len() - 1) as f64;
                let i = (position.floor() as usize).min(stops.len() - 2);
                let f = position - i as f64;
                let (a, b) = (stops[i], stops[i + 1]);
                let mix = |k: usize| (a[k] as f64 + (b[k] as f64 - a[k] as f64) * f).round() as u8;
                [mix(0), mix(1), mix(2), 255]
            }
            PainterKind::Classes { min, colours } => {
                let index = value.round() as i64 - min;
                match usize::try_from(index).ok().and_then(|i| colours.get(i)) {
                    Some([r, g, b]) => [*r, *g, *b, 255],
                    None => [0, 0, 0, 0],
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_paints_its_ends_with_its_first_and_last_colours() {
        let painter = Painter::new(&Legend::continuous(VIRIDIS, 0.0, 1.0));
        assert_eq!(painter.paint(0.0), [68, 1, 84, 255]);
        assert_eq!(painter.paint(1.0), [253, 231, 37, 255]);
        assert_eq!(painter.paint(7.0), [253, 231, 37, 255]);
        assert_eq!(painter.paint(f64::NAN), [0, 0, 0, 0]);
        let middle = painter.paint(0.5);
        assert_eq!(middle, [35, 144, 140, 255]);
    }

    #[test]
    fn classes_get_their_own_colours_and_unknown_values_none() {
        let legend = Legend::classes(1, 3);
        let painter = Painter::new(&legend);
        assert_eq!(painter.paint(1.0), [78, 121, 167, 255]);
        assert_eq!(painter.paint(3.0), [225, 87, 89, 255]);
        assert_eq!(painter.paint(4.0), [0, 0, 0, 0]);
        let json = serde_json::to_value(&legend).unwrap();
        assert_eq!(json["kind"], "classes");
        assert_eq!(json["classes"][1]["colour"], "#f28e2b");
    }
}
