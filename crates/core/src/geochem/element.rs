//! The elements of rare-earth work: the lanthanides (La–Lu, without Pm), Y and Sc, and the
//! radioelements Th and U that come with them.

use std::fmt;
use std::str::FromStr;

use super::Error;

/// A chemical element handled by the geochemistry module.
///
/// Promethium is absent: it has no stable isotope and no reference composition lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    /// Lanthanum.
    La,
    /// Cerium.
    Ce,
    /// Praseodymium.
    Pr,
    /// Neodymium.
    Nd,
    /// Samarium.
    Sm,
    /// Europium.
    Eu,
    /// Gadolinium.
    Gd,
    /// Terbium.
    Tb,
    /// Dysprosium.
    Dy,
    /// Holmium.
    Ho,
    /// Erbium.
    Er,
    /// Thulium.
    Tm,
    /// Ytterbium.
    Yb,
    /// Lutetium.
    Lu,
    /// Yttrium.
    Y,
    /// Scandium.
    Sc,
    /// Thorium.
    Th,
    /// Uranium.
    U,
}

/// How many elements [`Element`] has.
pub const ELEMENT_COUNT: usize = 18;

impl Element {
    /// Every element, lanthanides in atomic-number order, then Y, Sc, Th, U.
    pub const ALL: [Element; ELEMENT_COUNT] = [
        Element::La,
        Element::Ce,
        Element::Pr,
        Element::Nd,
        Element::Sm,
        Element::Eu,
        Element::Gd,
        Element::Tb,
        Element::Dy,
        Element::Ho,
        Element::Er,
        Element::Tm,
        Element::Yb,
        Element::Lu,
        Element::Y,
        Element::Sc,
        Element::Th,
        Element::U,
    ];

    /// The 14 naturally occurring lanthanides La–Lu (Pm excluded), in atomic-number order.
    pub const LANTHANIDES: [Element; 14] = [
        Element::La,
        Element::Ce,
        Element::Pr,
        Element::Nd,
        Element::Sm,
        Element::Eu,
        Element::Gd,
        Element::Tb,
        Element::Dy,
        Element::Ho,
        Element::Er,
        Element::Tm,
        Element::Yb,
        Element::Lu,
    ];

    /// Position in [`Element::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The chemical symbol, e.g. `"La"`.
    pub fn symbol(self) -> &'static str {
        match self {
            Element::La => "La",
            Element::Ce => "Ce",
            Element::Pr => "Pr",
            Element::Nd => "Nd",
            Element::Sm => "Sm",
            Element::Eu => "Eu",
            Element::Gd => "Gd",
            Element::Tb => "Tb",
            Element::Dy => "Dy",
            Element::Ho => "Ho",
            Element::Er => "Er",
            Element::Tm => "Tm",
            Element::Yb => "Yb",
            Element::Lu => "Lu",
            Element::Y => "Y",
            Element::Sc => "Sc",
            Element::Th => "Th",
            Element::U => "U",
        }
    }

    /// The element whose symbol is `symbol`, ignoring case (`"la"`, `"LA"` and `"La"` are La).
    pub fn from_symbol(symbol: &str) -> Option<Element> {
        let s = symbol.trim();
        Element::ALL
            .into_iter()
            .find(|e| e.symbol().eq_ignore_ascii_case(s))
    }

    /// Whether the element is one of La–Lu.
    pub fn is_lanthanide(self) -> bool {
        self.index() < Element::LANTHANIDES.len()
    }

    /// The IUPAC standard atomic weight in g/mol.
    ///
    /// Values of the CIAAW table "Standard atomic weights 2024" (Prohaska et al. 2022, Pure Appl.
    /// Chem. 94:573–600, with the 2024 revisions of Gd and Lu). None of these elements has an
    /// interval; Th and U are the tabulated values for their natural isotopic composition.
    pub fn atomic_weight(self) -> f64 {
        match self {
            Element::La => 138.905_47,
            Element::Ce => 140.116,
            Element::Pr => 140.907_66,
            Element::Nd => 144.242,
            Element::Sm => 150.36,
            Element::Eu => 151.964,
            Element::Gd => 157.249,
            Element::Tb => 158.925_354,
            Element::Dy => 162.500,
            Element::Ho => 164.930_329,
            Element::Er => 167.259,
            Element::Tm => 168.934_219,
            Element::Yb => 173.045,
            Element::Lu => 174.966_69,
            Element::Y => 88.905_838,
            Element::Sc => 44.955_907,
            Element::Th => 232.037_7,
            Element::U => 238.028_91,
        }
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl FromStr for Element {
    type Err = Error;

    /// Parses a symbol, ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Element::from_symbol(s).ok_or_else(|| Error::UnknownElement {
            name: s.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_index_order() {
        for (i, e) in Element::ALL.into_iter().enumerate() {
            assert_eq!(e.index(), i);
            assert_eq!(Element::from_symbol(e.symbol()), Some(e));
        }
        assert_eq!(Element::LANTHANIDES[..], Element::ALL[..14]);
    }

    #[test]
    fn symbols_parse_ignoring_case() {
        assert_eq!("la".parse::<Element>(), Ok(Element::La));
        assert_eq!(" YB ".parse::<Element>(), Ok(Element::Yb));
        assert!(matches!(
            "Pm".parse::<Element>(),
            Err(Error::UnknownElement { name }) if name == "Pm"
        ));
        assert!(Element::Lu.is_lanthanide());
        assert!(!Element::Y.is_lanthanide());
    }
}
