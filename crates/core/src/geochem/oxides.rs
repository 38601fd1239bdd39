//! Element-to-oxide conversion and total rare-earth oxides (TREO).
//!
//! Resource statements report REE as oxides. The factor that turns an element concentration
//! into its oxide's is the oxide's mass over the element's mass in it,
//! `(n·A(RE) + m·A(O)) / (n·A(RE))` for RE_nO_m, computed here from the standard atomic
//! weights ([`Element::atomic_weight`], [`ATOMIC_WEIGHT_OXYGEN`]) rather than typed in. The
//! oxide forms are the conventional ones of REE assays: RE2O3, except CeO2, Pr6O11 and Tb4O7;
//! Sc2O3, ThO2, and U3O8 for uranium.

use super::concentrations::Concentrations;
use super::element::Element;
use super::sums::PartialSum;

/// The conventional standard atomic weight of oxygen, g/mol (CIAAW; the standard value is
/// the interval [15.99903, 15.99977]).
pub const ATOMIC_WEIGHT_OXYGEN: f64 = 15.999;

/// ppm in one percent by mass.
pub const PPM_PER_PERCENT: f64 = 10_000.0;

/// The stoichiometry of an oxide, M_nO_m.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oxide {
    /// The element.
    pub element: Element,
    /// Metal atoms per formula unit (n).
    pub cations: u32,
    /// Oxygen atoms per formula unit (m).
    pub oxygens: u32,
}

impl Oxide {
    /// The conventional oxide of `element` in REE assays.
    pub fn of(element: Element) -> Oxide {
        let (cations, oxygens) = match element {
            Element::Ce | Element::Th => (1, 2),
            Element::Pr => (6, 11),
            Element::Tb => (4, 7),
            Element::U => (3, 8),
            _ => (2, 3),
        };
        Oxide {
            element,
            cations,
            oxygens,
        }
    }

    /// The formula, e.g. `La2O3`, `CeO2`, `Pr6O11`.
    pub fn formula(&self) -> String {
        let n = |k: u32| if k == 1 { String::new() } else { k.to_string() };
        format!(
            "{}{}O{}",
            self.element.symbol(),
            n(self.cations),
            n(self.oxygens)
        )
    }

    /// Molar mass of the formula unit, g/mol.
    pub fn molar_mass(&self) -> f64 {
        f64::from(self.cations) * self.element.atomic_weight()
            + f64::from(self.oxygens) * ATOMIC_WEIGHT_OXYGEN
    }

    /// Mass of oxide per mass of element (e.g. 1.1728 for La → La2O3).
    pub fn factor(&self) -> f64 {
        self.molar_mass() / (f64::from(self.cations) * self.element.atomic_weight())
    }
}

/// Mass of the conventional oxide per mass of `element` (see [`Oxide::of`]).
pub fn oxide_factor(element: Element) -> f64 {
    Oxide::of(element).factor()
}

/// Which elements count in TREO.
///
/// The default, the usual one in resource reporting, is La–Lu oxides plus Y2O3, without Sc2O3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreoElements {
    /// Count Y2O3.
    pub yttrium: bool,
    /// Count Sc2O3.
    pub scandium: bool,
}

impl Default for TreoElements {
    fn default() -> Self {
        Self {
            yttrium: true,
            scandium: false,
        }
    }
}

/// Total rare-earth oxides in ppm: Σ factor(e)·ppm(e) over La–Lu and the elements `which`
/// adds. Divide by [`PPM_PER_PERCENT`] for mass %.
pub fn total_rare_earth_oxides_ppm(c: &Concentrations, which: TreoElements) -> PartialSum {
    let y = which.yttrium.then_some(Element::Y);
    let sc = which.scandium.then_some(Element::Sc);
    PartialSum::over(
        c,
        Element::LANTHANIDES.into_iter().chain(y).chain(sc),
        oxide_factor,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Element-to-oxide factors as published to four decimals (e.g. the conversion table of
    /// the James Cook University Advanced Analytical Centre); ours must round to them.
    const PUBLISHED: [(Element, &str, f64); 18] = [
        (Element::La, "La2O3", 1.1728),
        (Element::Ce, "CeO2", 1.2284),
        (Element::Pr, "Pr6O11", 1.2082),
        (Element::Nd, "Nd2O3", 1.1664),
        (Element::Sm, "Sm2O3", 1.1596),
        (Element::Eu, "Eu2O3", 1.1579),
        (Element::Gd, "Gd2O3", 1.1526),
        (Element::Tb, "Tb4O7", 1.1762),
        (Element::Dy, "Dy2O3", 1.1477),
        (Element::Ho, "Ho2O3", 1.1455),
        (Element::Er, "Er2O3", 1.1435),
        (Element::Tm, "Tm2O3", 1.1421),
        (Element::Yb, "Yb2O3", 1.1387),
        (Element::Lu, "Lu2O3", 1.1372),
        (Element::Y, "Y2O3", 1.2699),
        (Element::Sc, "Sc2O3", 1.5338),
        (Element::Th, "ThO2", 1.1379),
        (Element::U, "U3O8", 1.1792),
    ];

    #[test]
    fn factors_match_published_to_1e4() {
        for (e, formula, published) in PUBLISHED {
            let o = Oxide::of(e);
            assert_eq!(o.formula(), formula);
            let f = o.factor();
            assert!(
                (f - published).abs() < 1e-4,
                "{formula}: {f} vs {published}"
            );
        }
    }

    #[test]
    fn treo_of_a_simple_sample() {
        let c = Concentrations::new()
            .with(Element::La, 1000.0)
            .with(Element::Ce, 2000.0)
            .with(Element::Y, 100.0)
            .with(Element::Sc, 50.0);
        let t = total_rare_earth_oxides_ppm(&c, TreoElements::default());
        let by_hand = 1000.0 * oxide_factor(Element::La)
            + 2000.0 * oxide_factor(Element::Ce)
            + 100.0 * oxide_factor(Element::Y);
        assert!((t.total - by_hand).abs() < 1e-9);
        assert!((t.total / PPM_PER_PERCENT - 0.3757).abs() < 1e-3);
        assert_eq!((t.summed, t.expected), (3, 15));
        let with_sc = TreoElements {
            scandium: true,
            ..TreoElements::default()
        };
        let t2 = total_rare_earth_oxides_ppm(&c, with_sc);
        assert!((t2.total - by_hand - 50.0 * oxide_factor(Element::Sc)).abs() < 1e-9);
    }
}
