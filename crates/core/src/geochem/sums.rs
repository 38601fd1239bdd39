//! Sums of rare-earth concentrations: ΣREE and the light/heavy split.

use super::concentrations::Concentrations;
use super::element::Element;
use super::Error;

/// A sum over a set of elements of which some may be missing in the sample.
///
/// Sample tables rarely hold every REE (the GTK till data has only La and Y), so a sum says
/// how many of the elements it was meant to add were present; a caller decides whether a
/// partial sum is useful ([`PartialSum::complete`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartialSum {
    /// The sum of the elements present (0 when none was).
    pub total: f64,
    /// How many elements were present and added.
    pub summed: usize,
    /// How many elements the sum is defined over.
    pub expected: usize,
}

impl PartialSum {
    /// Adds `weight(e) · c(e)` over `elements`.
    pub(crate) fn over(
        c: &Concentrations,
        elements: impl IntoIterator<Item = Element>,
        weight: impl Fn(Element) -> f64,
    ) -> Self {
        let mut s = PartialSum {
            total: 0.0,
            summed: 0,
            expected: 0,
        };
        for e in elements {
            s.expected += 1;
            if let Some(v) = c.get(e) {
                s.total += weight(e) * v;
                s.summed += 1;
            }
        }
        s
    }

    /// The sum when at least one element was present.
    pub fn partial(&self) -> Option<f64> {
        (self.summed > 0).then_some(self.total)
    }

    /// The sum when every element was present.
    pub fn complete(&self) -> Option<f64> {
        (self.summed == self.expected && self.expected > 0).then_some(self.total)
    }
}

/// ΣREE in ppm: La–Lu (14 elements, no Pm), plus Y when `with_yttrium`.
pub fn sum_rare_earths(c: &Concentrations, with_yttrium: bool) -> PartialSum {
    let y = with_yttrium.then_some(Element::Y);
    PartialSum::over(c, Element::LANTHANIDES.into_iter().chain(y), |_| 1.0)
}

/// Where the light REE end and the heavy REE begin.
///
/// The default is LREE = La–Eu, HREE = Gd–Lu, without Y. Definitions differ (e.g. La–Nd light,
/// Sm–Gd middle); a split at Nd or Sm is a common alternative and Y is often counted heavy
/// because its ionic radius is close to Ho's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LreeHreeSplit {
    last_light: Element,
    yttrium_heavy: bool,
}

impl Default for LreeHreeSplit {
    fn default() -> Self {
        Self {
            last_light: Element::Eu,
            yttrium_heavy: false,
        }
    }
}

impl LreeHreeSplit {
    /// A split after `last_light` (light = La…`last_light`, heavy = the rest up to Lu).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `last_light` is a lanthanide from La to Yb.
    pub fn new(last_light: Element) -> Result<Self, Error> {
        if !last_light.is_lanthanide() || last_light == Element::Lu {
            return Err(Error::InvalidParameter {
                reason: format!(
                    "the light/heavy REE split must fall after one of La–Yb, not {last_light}"
                ),
            });
        }
        Ok(Self {
            last_light,
            yttrium_heavy: false,
        })
    }

    /// Counts Y with the heavy REE (or not).
    pub fn yttrium_heavy(mut self, yes: bool) -> Self {
        self.yttrium_heavy = yes;
        self
    }

    /// The last light element.
    pub fn last_light(&self) -> Element {
        self.last_light
    }

    /// The light elements.
    pub fn light(&self) -> impl Iterator<Item = Element> {
        let end = self.last_light.index();
        Element::LANTHANIDES.into_iter().take(end + 1)
    }

    /// The heavy elements (with Y last when it counts as heavy).
    pub fn heavy(&self) -> impl Iterator<Item = Element> {
        let end = self.last_light.index();
        let y = self.yttrium_heavy.then_some(Element::Y);
        Element::LANTHANIDES.into_iter().skip(end + 1).chain(y)
    }
}

/// The light and heavy REE sums of a sample, in ppm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LightHeavy {
    /// ΣLREE.
    pub light: PartialSum,
    /// ΣHREE.
    pub heavy: PartialSum,
}

impl LightHeavy {
    /// ΣLREE/ΣHREE over the elements present, when both sides have an element and ΣHREE > 0.
    pub fn ratio(&self) -> Option<f64> {
        let l = self.light.partial()?;
        let h = self.heavy.partial()?;
        (h > 0.0).then(|| l / h)
    }
}

/// ΣLREE and ΣHREE of a sample under `split`.
pub fn light_heavy(c: &Concentrations, split: LreeHreeSplit) -> LightHeavy {
    LightHeavy {
        light: PartialSum::over(c, split.light(), |_| 1.0),
        heavy: PartialSum::over(c, split.heavy(), |_| 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geochem::reference::PAAS_TAYLOR_MCLENNAN_1985;

    fn paas() -> Concentrations {
        Concentrations::from_pairs(PAAS_TAYLOR_MCLENNAN_1985.values_ppm)
    }

    #[test]
    fn sum_of_paas() {
        // PAAS La–Lu (Taylor & McLennan 1985) add to 183.2 ppm by hand:
        // 38.2+80+8.9+32+5.6+1.1+4.7+0.77+4.4+1.0+2.9+0.4+2.8+0.43.
        let s = sum_rare_earths(&paas(), false);
        assert!((s.complete().unwrap() - 183.2).abs() < 1e-9, "{s:?}");
        let sy = sum_rare_earths(&paas(), true);
        assert!((sy.complete().unwrap() - 210.2).abs() < 1e-9);
        assert_eq!((sy.summed, sy.expected), (15, 15));
    }

    #[test]
    fn partial_sums_say_what_is_missing() {
        let c = Concentrations::new()
            .with(Element::La, 20.0)
            .with(Element::Y, 10.0);
        let s = sum_rare_earths(&c, true);
        assert_eq!(s.partial(), Some(30.0));
        assert_eq!(s.complete(), None);
        assert_eq!((s.summed, s.expected), (2, 15));
        assert_eq!(
            sum_rare_earths(&Concentrations::new(), false).partial(),
            None
        );
    }

    #[test]
    fn default_split_is_la_eu_and_gd_lu() {
        let s = LreeHreeSplit::default();
        assert_eq!(s.light().count(), 6);
        assert_eq!(s.heavy().next(), Some(Element::Gd));
        assert_eq!(s.heavy().count(), 8);
        let lh = light_heavy(&paas(), s);
        // La–Eu = 165.8, Gd–Lu = 17.4.
        assert!((lh.light.total - 165.8).abs() < 1e-9);
        assert!((lh.heavy.total - 17.4).abs() < 1e-9);
        assert!((lh.ratio().unwrap() - 165.8 / 17.4).abs() < 1e-12);
        let with_y = light_heavy(&paas(), s.yttrium_heavy(true));
        assert!((with_y.heavy.total - 44.4).abs() < 1e-9);
        assert!(LreeHreeSplit::new(Element::Lu).is_err());
        assert!(LreeHreeSplit::new(Element::Y).is_err());
        assert_eq!(LreeHreeSplit::new(Element::Nd).unwrap().light().count(), 4);
    }
}
