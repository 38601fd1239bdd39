//! Reference compositions (chondrite, shale composites, upper crust, primitive mantle) for
//! normalising rare-earth data.
//!
//! The numbers are published facts, embedded here in ppm for La–Lu, Y, Sc, Th and U where the
//! source gives them. They were transcribed from the reference-composition tables that the
//! `pyrolite` package ships (pyrolite 0.3.8, `data/geochem/refcomp/*.csv`), which reproduce
//! the cited publications; the conformance suite checks every value against those files.

use super::element::Element;
use super::Error;
use Element::{Ce, Dy, Er, Eu, Gd, Ho, La, Lu, Nd, Pr, Sc, Sm, Tb, Th, Tm, Yb, U, Y};

/// A published composition of a geochemical reservoir, in ppm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceComposition {
    /// Short identifier, the model name of the source table (e.g. `Chondrite_MS95`).
    pub id: &'static str,
    /// The reservoir (e.g. "CI chondrite").
    pub reservoir: &'static str,
    /// Author–year reference.
    pub citation: &'static str,
    /// DOI of the publication, when it has one.
    pub doi: Option<&'static str>,
    /// `(element, ppm)` for the elements the publication gives.
    pub values_ppm: &'static [(Element, f64)],
}

impl ReferenceComposition {
    /// The concentration of `element` in ppm, if the publication gives it.
    pub fn ppm(&self, element: Element) -> Option<f64> {
        self.values_ppm
            .iter()
            .find(|(e, _)| *e == element)
            .map(|&(_, v)| v)
    }
}

/// CI chondrite of McDonough & Sun (1995), *The composition of the Earth*, Chem. Geol.
/// 120:223–253, table 1. The REE, Th and U are published in ppb and stored here ÷ 1000.
pub const CI_CHONDRITE_MCDONOUGH_SUN_1995: ReferenceComposition = ReferenceComposition {
    id: "Chondrite_MS95",
    reservoir: "CI chondrite",
    citation: "McDonough & Sun (1995)",
    doi: Some("10.1016/0009-2541(94)00140-4"),
    values_ppm: &[
        (La, 0.237),
        (Ce, 0.613),
        (Pr, 0.0928),
        (Nd, 0.457),
        (Sm, 0.148),
        (Eu, 0.0563),
        (Gd, 0.199),
        (Tb, 0.0361),
        (Dy, 0.246),
        (Ho, 0.0546),
        (Er, 0.160),
        (Tm, 0.0247),
        (Yb, 0.161),
        (Lu, 0.0246),
        (Y, 1.57),
        (Sc, 5.92),
        (Th, 0.029),
        (U, 0.0074),
    ],
};

/// C1 chondrite of Sun & McDonough (1989), Geol. Soc. London Spec. Publ. 42:313–345.
pub const C1_CHONDRITE_SUN_MCDONOUGH_1989: ReferenceComposition = ReferenceComposition {
    id: "Chondrite_SM89",
    reservoir: "C1 chondrite",
    citation: "Sun & McDonough (1989)",
    doi: Some("10.1144/GSL.SP.1989.042.01.19"),
    values_ppm: &[
        (La, 0.237),
        (Ce, 0.612),
        (Pr, 0.095),
        (Nd, 0.467),
        (Sm, 0.153),
        (Eu, 0.058),
        (Gd, 0.2055),
        (Tb, 0.0374),
        (Dy, 0.254),
        (Ho, 0.0566),
        (Er, 0.1655),
        (Tm, 0.0255),
        (Yb, 0.17),
        (Lu, 0.0254),
        (Y, 1.57),
        (Th, 0.029),
        (U, 0.008),
    ],
};

/// CI chondrite of Palme & O'Neill (2014), Treatise on Geochemistry (2nd ed.) 3:1–39.
pub const CI_CHONDRITE_PALME_ONEILL_2014: ReferenceComposition = ReferenceComposition {
    id: "Chondrite_PON",
    reservoir: "CI chondrite",
    citation: "Palme & O'Neill (2014)",
    doi: Some("10.1016/B978-0-08-095975-7.00201-1"),
    values_ppm: &[
        (La, 0.2414),
        (Ce, 0.6194),
        (Pr, 0.0939),
        (Nd, 0.4737),
        (Sm, 0.1536),
        (Eu, 0.05883),
        (Gd, 0.2069),
        (Tb, 0.03797),
        (Dy, 0.2558),
        (Ho, 0.05644),
        (Er, 0.1655),
        (Tm, 0.02609),
        (Yb, 0.1687),
        (Lu, 0.02503),
        (Y, 1.46),
        (Sc, 5.81),
        (Th, 0.03),
        (U, 0.0081),
    ],
};

/// CI chondrite REE of O'Neill (2016), J. Petrology 57:1463–1508 (La–Lu only).
pub const CI_CHONDRITE_ONEILL_2016: ReferenceComposition = ReferenceComposition {
    id: "ChondriteREE_ON",
    reservoir: "CI chondrite",
    citation: "O'Neill (2016)",
    doi: Some("10.1093/petrology/egw047"),
    values_ppm: &[
        (La, 0.2472),
        (Ce, 0.6308),
        (Pr, 0.095),
        (Nd, 0.4793),
        (Sm, 0.15419),
        (Eu, 0.0592),
        (Gd, 0.2059),
        (Tb, 0.0375),
        (Dy, 0.254),
        (Ho, 0.0554),
        (Er, 0.1645),
        (Tm, 0.0258),
        (Yb, 0.1684),
        (Lu, 0.0251),
    ],
};

/// Post-Archean Australian Shale of Taylor & McLennan (1985), *The Continental Crust*, with
/// McLennan (2001).
pub const PAAS_TAYLOR_MCLENNAN_1985: ReferenceComposition = ReferenceComposition {
    id: "PAAS_TM1985",
    reservoir: "Post-Archean Australian Shale",
    citation: "Taylor & McLennan (1985); McLennan (2001)",
    doi: None,
    values_ppm: &[
        (La, 38.2),
        (Ce, 80.0),
        (Pr, 8.9),
        (Nd, 32.0),
        (Sm, 5.6),
        (Eu, 1.1),
        (Gd, 4.7),
        (Tb, 0.77),
        (Dy, 4.4),
        (Ho, 1.0),
        (Er, 2.9),
        (Tm, 0.4),
        (Yb, 2.8),
        (Lu, 0.43),
        (Y, 27.0),
        (Sc, 16.0),
        (Th, 14.6),
        (U, 3.1),
    ],
};

/// Post-Archean Australian Shale of Pourmand et al. (2012), Chem. Geol. 291:38–54.
pub const PAAS_POURMAND_2012: ReferenceComposition = ReferenceComposition {
    id: "PAAS_Pourmand2012",
    reservoir: "Post-Archean Australian Shale",
    citation: "Pourmand et al. (2012)",
    doi: Some("10.1016/j.chemgeo.2011.08.011"),
    values_ppm: &[
        (La, 44.56),
        (Ce, 88.25),
        (Pr, 10.15),
        (Nd, 37.32),
        (Sm, 6.884),
        (Eu, 1.215),
        (Gd, 6.043),
        (Tb, 0.8914),
        (Dy, 5.325),
        (Ho, 1.053),
        (Er, 3.075),
        (Tm, 0.451),
        (Yb, 3.012),
        (Lu, 0.4386),
        (Y, 27.31),
        (Sc, 15.89),
    ],
};

/// North American Shale Composite of Gromet et al. (1984), Geochim. Cosmochim. Acta
/// 48:2469–2482.
pub const NASC_GROMET_1984: ReferenceComposition = ReferenceComposition {
    id: "NASC_Gromet1984",
    reservoir: "North American Shale Composite",
    citation: "Gromet et al. (1984)",
    doi: Some("10.1016/0016-7037(84)90298-9"),
    values_ppm: &[
        (La, 32.0),
        (Ce, 67.0),
        (Pr, 7.9),
        (Nd, 27.4),
        (Sm, 5.6),
        (Eu, 1.2),
        (Gd, 5.2),
        (Tb, 0.85),
        (Dy, 5.8),
        (Ho, 1.04),
        (Er, 3.4),
        (Tm, 0.5),
        (Yb, 3.1),
        (Lu, 0.46),
        (Y, 35.0),
        (Sc, 15.0),
        (Th, 12.3),
        (U, 2.7),
    ],
};

/// The REE, Y, Sc, Th and U of the upper continental crust of Rudnick & Gao; identical in the
/// 2003 and 2014 editions.
const UCC_RUDNICK_GAO: &[(Element, f64)] = &[
    (La, 31.0),
    (Ce, 63.0),
    (Pr, 7.1),
    (Nd, 27.0),
    (Sm, 4.7),
    (Eu, 1.0),
    (Gd, 4.0),
    (Tb, 0.7),
    (Dy, 3.9),
    (Ho, 0.83),
    (Er, 2.3),
    (Tm, 0.3),
    (Yb, 1.96),
    (Lu, 0.31),
    (Y, 21.0),
    (Sc, 14.0),
    (Th, 10.5),
    (U, 2.7),
];

/// Upper continental crust of Rudnick & Gao (2003), Treatise on Geochemistry 3:1–64.
pub const UCC_RUDNICK_GAO_2003: ReferenceComposition = ReferenceComposition {
    id: "UCC_RG2003",
    reservoir: "upper continental crust",
    citation: "Rudnick & Gao (2003)",
    doi: Some("10.1016/B0-08-043751-6/03016-4"),
    values_ppm: UCC_RUDNICK_GAO,
};

/// Upper continental crust of Rudnick & Gao (2014), Treatise on Geochemistry (2nd ed.)
/// 4:1–51.
pub const UCC_RUDNICK_GAO_2014: ReferenceComposition = ReferenceComposition {
    id: "UCC_RG2014",
    reservoir: "upper continental crust",
    citation: "Rudnick & Gao (2014)",
    doi: Some("10.1016/B978-0-08-095975-7.00301-6"),
    values_ppm: UCC_RUDNICK_GAO,
};

/// Primitive mantle of Sun & McDonough (1989), Geol. Soc. London Spec. Publ. 42:313–345.
pub const PRIMITIVE_MANTLE_SUN_MCDONOUGH_1989: ReferenceComposition = ReferenceComposition {
    id: "PM_SM89",
    reservoir: "primitive mantle",
    citation: "Sun & McDonough (1989)",
    doi: Some("10.1144/GSL.SP.1989.042.01.19"),
    values_ppm: &[
        (La, 0.687),
        (Ce, 1.775),
        (Pr, 0.276),
        (Nd, 1.354),
        (Sm, 0.444),
        (Eu, 0.168),
        (Gd, 0.596),
        (Tb, 0.108),
        (Dy, 0.737),
        (Ho, 0.164),
        (Er, 0.48),
        (Tm, 0.074),
        (Yb, 0.493),
        (Lu, 0.074),
        (Y, 4.55),
        (Th, 0.085),
        (U, 0.021),
    ],
};

/// Every embedded reference composition.
pub const REFERENCES: [&ReferenceComposition; 10] = [
    &CI_CHONDRITE_MCDONOUGH_SUN_1995,
    &C1_CHONDRITE_SUN_MCDONOUGH_1989,
    &CI_CHONDRITE_PALME_ONEILL_2014,
    &CI_CHONDRITE_ONEILL_2016,
    &PAAS_TAYLOR_MCLENNAN_1985,
    &PAAS_POURMAND_2012,
    &NASC_GROMET_1984,
    &UCC_RUDNICK_GAO_2003,
    &UCC_RUDNICK_GAO_2014,
    &PRIMITIVE_MANTLE_SUN_MCDONOUGH_1989,
];

/// Short names accepted by [`reference_by_name`] besides the ids.
const ALIASES: [(&str, &str); 10] = [
    ("ms95", "Chondrite_MS95"),
    ("ci", "Chondrite_MS95"),
    ("chondrite", "Chondrite_MS95"),
    ("sm89", "Chondrite_SM89"),
    ("pon2014", "Chondrite_PON"),
    ("on2016", "ChondriteREE_ON"),
    ("paas", "PAAS_TM1985"),
    ("nasc", "NASC_Gromet1984"),
    ("ucc", "UCC_RG2014"),
    ("pm", "PM_SM89"),
];

/// The embedded reference whose id (e.g. `Chondrite_MS95`, `PAAS_TM1985`) or short name
/// (`ci` = `chondrite` = `ms95`, `sm89`, `pon2014`, `on2016`, `paas`, `nasc`, `ucc` = UCC 2014,
/// `pm`) is `name`, ignoring case.
///
/// # Errors
/// [`Error::UnknownReference`] listing the known ids.
pub fn reference_by_name(name: &str) -> Result<&'static ReferenceComposition, Error> {
    let n = name.trim();
    let id = ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(n))
        .map_or(n, |(_, id)| id);
    REFERENCES
        .into_iter()
        .find(|r| r.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| Error::UnknownReference {
            name: name.to_string(),
            known: REFERENCES.map(|r| r.id).join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// McDonough & Sun (1995) table 1, typed from the paper's CI column (ppb → ppm).
    #[test]
    fn ci_chondrite_mcdonough_sun_1995_published_values() {
        let ci = &CI_CHONDRITE_MCDONOUGH_SUN_1995;
        for (e, v) in [
            (La, 0.237),
            (Ce, 0.613),
            (Eu, 0.0563),
            (Yb, 0.161),
            (Lu, 0.0246),
        ] {
            assert_eq!(ci.ppm(e), Some(v), "{e}");
        }
    }

    #[test]
    fn shale_and_crust_published_values() {
        assert_eq!(PAAS_TAYLOR_MCLENNAN_1985.ppm(La), Some(38.2));
        assert_eq!(PAAS_TAYLOR_MCLENNAN_1985.ppm(Eu), Some(1.1));
        assert_eq!(UCC_RUDNICK_GAO_2014.ppm(Yb), Some(1.96));
        assert_eq!(C1_CHONDRITE_SUN_MCDONOUGH_1989.ppm(Gd), Some(0.2055));
        assert_eq!(C1_CHONDRITE_SUN_MCDONOUGH_1989.ppm(Sc), None);
    }

    #[test]
    fn every_reference_has_all_fourteen_lanthanides_once() {
        for r in REFERENCES {
            for e in Element::LANTHANIDES {
                let n = r.values_ppm.iter().filter(|(x, _)| *x == e).count();
                assert_eq!(n, 1, "{} {e}", r.id);
            }
            assert!(r.values_ppm.iter().all(|(_, v)| *v > 0.0));
        }
    }

    #[test]
    fn names_and_aliases() {
        assert_eq!(reference_by_name("CI").unwrap().id, "Chondrite_MS95");
        assert_eq!(reference_by_name("paas_tm1985").unwrap().id, "PAAS_TM1985");
        let e = reference_by_name("moon").unwrap_err();
        assert!(e.to_string().contains("Chondrite_MS95"), "{e}");
    }
}
