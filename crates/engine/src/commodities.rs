//! Critical-minerals lists as data: for each commodity its element symbols, the lists it is on
//! (USGS 2022, the EU's 2023 critical and strategic raw materials), its typical deposit models
//! and the [templates](crate::templates) that map them; and the light/heavy rare-earth split.
//!
//! The data is `crates/engine/data/commodities.toml`, built into the binary; its header cites
//! the documents the lists are written from: 87 FR 10381 (USGS, 24 February 2022; 50 minerals)
//! and Regulation (EU) 2024/1252, Annexes I and II (17 strategic, 34 critical). Rare earths
//! follow Van Gosen et al. (2017, USGS Prof. Paper 1802-O): light La–Eu, heavy Gd–Lu and Y,
//! Sc apart.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::templates::Template;

const DATA: &str = include_str!("../data/commodities.toml");

/// One commodity: an element or an industrial mineral.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commodity {
    /// Its usual English name ("niobium", "phosphate rock").
    pub name: String,
    /// The elements it is valued for, the main one first (`["Nb"]`, `["K", "Na", "Al"]`).
    pub symbols: Vec<String>,
    /// Its entry on the USGS 2022 list, in the list's words.
    #[serde(default)]
    pub usgs_2022: Option<String>,
    /// Its entry on the EU's critical raw materials (Regulation (EU) 2024/1252, Annex II).
    #[serde(default)]
    pub eu_2023: Option<String>,
    /// Its entry on the EU's strategic raw materials (Regulation (EU) 2024/1252, Annex I).
    #[serde(default)]
    pub eu_2023_strategic: Option<String>,
    /// Typical deposit models, commonest first.
    pub deposit_models: Vec<String>,
    /// nedra templates for it (`nedra template NAME`).
    #[serde(default)]
    pub templates: Vec<String>,
}

/// A critical-minerals list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// USGS 2022 final list of critical minerals (87 FR 10381).
    Usgs2022,
    /// EU critical raw materials, Regulation (EU) 2024/1252, Annex II Section 1.
    Eu2023,
    /// EU strategic raw materials, Regulation (EU) 2024/1252, Annex I Section 1.
    Eu2023Strategic,
}

impl List {
    /// Every list.
    pub const ALL: [List; 3] = [List::Usgs2022, List::Eu2023, List::Eu2023Strategic];

    /// Its title, short.
    pub fn title(self) -> &'static str {
        match self {
            List::Usgs2022 => "USGS 2022 critical minerals",
            List::Eu2023 => "EU 2023 critical raw materials",
            List::Eu2023Strategic => "EU 2023 strategic raw materials",
        }
    }

    /// The document it is written from.
    pub fn citation(self) -> &'static str {
        match self {
            List::Usgs2022 => {
                "U.S. Geological Survey, 2022 Final List of Critical Minerals, 87 FR 10381 (24 Feb 2022)"
            }
            List::Eu2023 => "Regulation (EU) 2024/1252 (Critical Raw Materials Act), Annex II",
            List::Eu2023Strategic => {
                "Regulation (EU) 2024/1252 (Critical Raw Materials Act), Annex I"
            }
        }
    }
}

impl Commodity {
    /// Its entry on `list`, in the list's words, if it is on it.
    pub fn entry(&self, list: List) -> Option<&str> {
        match list {
            List::Usgs2022 => self.usgs_2022.as_deref(),
            List::Eu2023 => self.eu_2023.as_deref(),
            List::Eu2023Strategic => self.eu_2023_strategic.as_deref(),
        }
    }

    /// Its main element symbol.
    pub fn symbol(&self) -> &str {
        &self.symbols[0]
    }
}

/// The rare-earth split: light La–Eu (with Pm), heavy Gd–Lu and Y, Sc apart (Van Gosen et al.
/// 2017, USGS Prof. Paper 1802-O).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RareEarths {
    /// Light rare earths (LREE), by symbol.
    pub light: Vec<String>,
    /// Heavy rare earths (HREE), by symbol.
    pub heavy: Vec<String>,
    /// Rare earths in neither group (scandium).
    pub separate: Vec<String>,
}

/// The whole table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commodities {
    /// The light/heavy rare-earth split.
    pub rare_earths: RareEarths,
    /// Every commodity.
    #[serde(rename = "commodity")]
    pub commodities: Vec<Commodity>,
}

/// The built-in table (parsed once).
pub fn commodities() -> &'static Commodities {
    static TABLE: OnceLock<Commodities> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str(DATA).expect("data/commodities.toml is checked by the crate's tests")
    })
}

impl Commodities {
    /// The distinct entries of `list` (50, 34 and 17 for the three lists).
    pub fn entries(&self, list: List) -> BTreeSet<&str> {
        self.commodities
            .iter()
            .filter_map(|c| c.entry(list))
            .collect()
    }

    /// The commodities a name given by a user means, in the table's order: case-insensitively
    /// a commodity's name, its main symbol, its entry on a list ("platinum group metals": all
    /// six), or a rare-earth group — "REE" (with Y and Sc), "LREE", "HREE". Empty when none.
    pub fn lookup(&self, query: &str) -> Vec<&Commodity> {
        let q = query.trim();
        let same = |s: &str| s.eq_ignore_ascii_case(q);
        let r = &self.rare_earths;
        let group: Option<Vec<&String>> = match q.to_ascii_uppercase().as_str() {
            "REE" => Some(r.light.iter().chain(&r.heavy).chain(&r.separate).collect()),
            "LREE" => Some(r.light.iter().collect()),
            "HREE" => Some(r.heavy.iter().collect()),
            _ => None,
        };
        self.commodities
            .iter()
            .filter(|c| match &group {
                Some(members) => members.iter().any(|m| *m == c.symbol()),
                None => {
                    same(&c.name)
                        || same(c.symbol())
                        || List::ALL.iter().any(|l| c.entry(*l).is_some_and(same))
                }
            })
            .collect()
    }

    /// The templates for these commodities, once each, in the order `nedra template` lists
    /// them.
    pub fn templates_for(&self, of: &[&Commodity]) -> Vec<&'static Template> {
        crate::templates::TEMPLATES
            .iter()
            .filter(|t| of.iter().any(|c| c.templates.iter().any(|n| n == t.name)))
            .collect()
    }

    /// "light" or "heavy" for a rare-earth symbol, "separate" for Sc; `None` otherwise.
    pub fn rare_earth_group(&self, symbol: &str) -> Option<&'static str> {
        let r = &self.rare_earths;
        let has = |v: &Vec<String>| v.iter().any(|s| s == symbol);
        if has(&r.light) {
            Some("light")
        } else if has(&r.heavy) {
            Some("heavy")
        } else if has(&r.separate) {
            Some("separate")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_have_their_published_lengths() {
        let t = commodities();
        assert_eq!(t.entries(List::Usgs2022).len(), 50);
        assert_eq!(t.entries(List::Eu2023).len(), 34);
        assert_eq!(t.entries(List::Eu2023Strategic).len(), 17);
        // Every strategic raw material (Annex I) is on the critical list (Annex II) too.
        for c in &t.commodities {
            if c.eu_2023_strategic.is_some() {
                assert!(c.eu_2023.is_some(), "{}", c.name);
            }
        }
    }

    #[test]
    fn every_named_template_exists_and_every_commodity_is_complete() {
        let t = commodities();
        let mut names = BTreeSet::new();
        for c in &t.commodities {
            assert!(names.insert(&c.name), "{} twice", c.name);
            assert!(
                !c.symbols.is_empty() && !c.deposit_models.is_empty(),
                "{}",
                c.name
            );
            assert!(
                List::ALL.iter().any(|l| c.entry(*l).is_some()),
                "{} is on no list",
                c.name
            );
            for n in &c.templates {
                assert!(
                    crate::templates::template(n).is_some(),
                    "{}: no template {n}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn every_rare_earth_is_light_xor_heavy_and_scandium_is_apart() {
        let t = commodities();
        let lanthanides = [
            "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
            "Lu",
        ];
        let r = &t.rare_earths;
        for s in lanthanides.iter().chain(&["Y"]) {
            let light = r.light.iter().any(|x| x == s);
            let heavy = r.heavy.iter().any(|x| x == s);
            assert!(light ^ heavy, "{s}");
        }
        assert_eq!(r.light.len() + r.heavy.len(), 16);
        assert_eq!(r.separate, ["Sc"]);
        assert_eq!(t.rare_earth_group("Eu"), Some("light"));
        assert_eq!(t.rare_earth_group("Gd"), Some("heavy"));
        assert_eq!(t.rare_earth_group("Y"), Some("heavy"));
        assert_eq!(t.rare_earth_group("Sc"), Some("separate"));
        assert_eq!(t.rare_earth_group("Nb"), None);
        // Every rare earth but promethium (on no list) is a commodity.
        for s in r.light.iter().chain(&r.heavy).chain(&r.separate) {
            let found = t.commodities.iter().any(|c| c.symbol() == s);
            assert_eq!(found, s != "Pm", "{s}");
        }
    }

    #[test]
    fn lookup_by_symbol_name_list_entry_or_group() {
        let t = commodities();
        let names =
            |q: &str| -> Vec<String> { t.lookup(q).iter().map(|c| c.name.clone()).collect() };
        assert_eq!(names("Nb"), ["niobium"]);
        assert_eq!(names("nb"), ["niobium"]);
        assert_eq!(names("Niobium"), ["niobium"]);
        assert_eq!(names("aluminum"), ["aluminium"]);
        assert_eq!(names("platinum group metals").len(), 6);
        assert_eq!(names("REE").len(), 16);
        assert_eq!(names("LREE").len(), 6);
        assert_eq!(names("HREE").len(), 9);
        assert!(names("unobtainium").is_empty());
        let nb = t.lookup("Nb");
        let templates: Vec<&str> = t.templates_for(&nb).iter().map(|t| t.name).collect();
        assert_eq!(
            templates,
            [
                "carbonatite_ree",
                "alkaline_ultramafic_ree_nb",
                "pegmatite_li"
            ]
        );
    }
}
