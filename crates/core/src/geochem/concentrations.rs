//! One sample's concentrations, by element, with missing values allowed.

use super::element::{Element, ELEMENT_COUNT};

/// The element concentrations of one sample in ppm (mg/kg); an element may be missing.
///
/// Values are taken as given: censored values must already have been resolved by a
/// [`CensoringRule`](super::CensoringRule).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Concentrations {
    ppm: [Option<f64>; ELEMENT_COUNT],
}

impl Concentrations {
    /// A sample with no element.
    pub fn new() -> Self {
        Self::default()
    }

    /// A sample from `(element, ppm)` pairs; a later pair for the same element wins.
    pub fn from_pairs(pairs: &[(Element, f64)]) -> Self {
        let mut c = Self::new();
        for &(e, v) in pairs {
            c.set(e, Some(v));
        }
        c
    }

    /// Builder form of [`Concentrations::set`].
    pub fn with(mut self, element: Element, ppm: f64) -> Self {
        self.set(element, Some(ppm));
        self
    }

    /// Sets (or, with `None`, clears) the concentration of `element` in ppm.
    pub fn set(&mut self, element: Element, ppm: Option<f64>) {
        self.ppm[element.index()] = ppm;
    }

    /// The concentration of `element` in ppm, if present.
    pub fn get(&self, element: Element) -> Option<f64> {
        self.ppm[element.index()]
    }

    /// The elements present with their values, in [`Element::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Element, f64)> + '_ {
        Element::ALL
            .into_iter()
            .filter_map(|e| self.get(e).map(|v| (e, v)))
    }

    /// How many elements are present.
    pub fn len(&self) -> usize {
        self.ppm.iter().filter(|v| v.is_some()).count()
    }

    /// Whether no element is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_iter() {
        let mut c = Concentrations::from_pairs(&[(Element::Yb, 2.0), (Element::La, 30.0)]);
        assert_eq!(c.get(Element::La), Some(30.0));
        assert_eq!(c.get(Element::Ce), None);
        let order: Vec<Element> = c.iter().map(|(e, _)| e).collect();
        assert_eq!(order, vec![Element::La, Element::Yb]);
        c.set(Element::La, None);
        assert_eq!(c.len(), 1);
        assert!(!c.is_empty());
    }
}
