//! Knowledge-driven deposit-model templates: complete, editable project files (and one
//! prospects file for a petroleum play) with the evidence layers a deposit model calls for,
//! their fuzzy memberships and an inference network.
//!
//! The membership parameters are starting points written for typical survey units (nT, ppm,
//! metres) and must be tuned to the local data; the structure (which evidence, how it combines)
//! follows the deposit models each file cites. Every path starts with `REPLACE/`. The files
//! live in `crates/engine/data/templates/` and are built into the binary.
//!
//! [`find`] resolves a name the way the command line does: an exact name, else a unique prefix.

use anyhow::{anyhow, Result};

/// Which file a template is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// A project file for `nedra run` (`[model] kind = "fuzzy"`).
    Project,
    /// A prospects file for `nedra prospects` (play chance maps and prospects).
    Prospects,
}

/// A deposit-model template.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Name given to `nedra template NAME`.
    pub name: &'static str,
    /// One line: the deposit model and its sources.
    pub description: &'static str,
    /// A project file or a prospects file.
    pub kind: TemplateKind,
    /// The file's text (TOML).
    pub text: &'static str,
}

macro_rules! template {
    ($name:literal, $kind:ident, $description:literal) => {
        Template {
            name: $name,
            description: $description,
            kind: TemplateKind::$kind,
            text: include_str!(concat!("../data/templates/", $name, ".toml")),
        }
    };
}

/// Every template, in the order `nedra template` lists them.
pub const TEMPLATES: [Template; 9] = [
    template!(
        "carbonatite_ree",
        Project,
        "REE in carbonatite and alkaline intrusions (Verplanck & Van Gosen 2011; Simandl & Paradis 2018)"
    ),
    template!(
        "alkaline_ultramafic_ree_nb",
        Project,
        "REE–Nb in alkaline–ultramafic carbonatite complexes, e.g. Kovdor (Mitchell 2015; Verplanck et al. 2016)"
    ),
    template!(
        "phosphorite_ree",
        Project,
        "REE in sedimentary phosphorites, e.g. Baltic obolus and Russian Plate nodular beds (Emsbo et al. 2015)"
    ),
    template!(
        "ion_adsorption_clay",
        Project,
        "REE in ion-adsorption clays on weathered granites (Sanematsu & Watanabe 2016; Estrade et al. 2019)"
    ),
    template!(
        "weathering_crust_ree",
        Project,
        "REE–Sc in weathering crusts on crystalline basement, buried under platform cover (Sanematsu & Watanabe 2016; Borst et al. 2020)"
    ),
    template!(
        "heavy_mineral_sands",
        Project,
        "Ti–Zr–REE heavy-mineral sand placers with monazite (Van Gosen et al. 2014)"
    ),
    template!(
        "ti_zr_placer",
        Project,
        "Ti–Zr fossil placers of a platform cover, e.g. Malyshevo (Van Gosen et al. 2014; Hou et al. 2017)"
    ),
    template!(
        "pegmatite_li",
        Project,
        "LCT (lithium–caesium–tantalum) pegmatites (Bradley et al. 2017; Černý & Ercit 2005)"
    ),
    template!(
        "pripyat_play",
        Prospects,
        "prospects file: salt-sealed rift play of the Pripyat trough, chance maps from layers (Ulmishek 2001)"
    ),
];

/// The template of exactly this name.
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// The template a name given on the command line means: the template of exactly that name, or
/// else the one template whose name starts with it (`carbonatite` → `carbonatite_ree`).
///
/// # Errors
/// When no template starts with `name`, or several do (the message lists them).
pub fn find(name: &str) -> Result<&'static Template> {
    let names: Vec<&str> = TEMPLATES.iter().map(|t| t.name).collect();
    let i = exact_or_unique_prefix(name, &names).map_err(|candidates| match candidates[..] {
        [] => anyhow!("no template {name:?}: run `nedra template` for the list"),
        _ => anyhow!(
            "template {name:?} is ambiguous: {} start with it; give more of the name",
            candidates.join(", ")
        ),
    })?;
    Ok(&TEMPLATES[i])
}

/// The index of `name` in `names`, or of the one name it begins; else the names it begins
/// (none, or several).
fn exact_or_unique_prefix<'a>(name: &str, names: &[&'a str]) -> Result<usize, Vec<&'a str>> {
    if let Some(i) = names.iter().position(|n| *n == name) {
        return Ok(i);
    }
    let starting: Vec<usize> = (0..names.len())
        .filter(|&i| !name.is_empty() && names[i].starts_with(name))
        .collect();
    match starting[..] {
        [i] => Ok(i),
        _ => Err(starting.iter().map(|&i| names[i]).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every project template loads with the project loader — every field checked, the fuzzy
    /// network against its own evidence layers — once written to a file.
    #[test]
    fn every_project_template_loads_as_a_project() {
        let dir = tempfile::tempdir().unwrap();
        for t in TEMPLATES.iter().filter(|t| t.kind == TemplateKind::Project) {
            let path = dir.path().join(format!("{}.toml", t.name));
            std::fs::write(&path, t.text).unwrap();
            let project = crate::project::Project::load(&path)
                .unwrap_or_else(|e| panic!("{}: {e:#}", t.name));
            assert_eq!(
                project.model.kind,
                crate::options::ModelKind::Fuzzy,
                "{}",
                t.name
            );
            assert!(!project.project.commodity.is_empty(), "{}", t.name);
            // Every input is a path to replace, so that none is taken for the user's data.
            for e in &project.evidence {
                assert!(e.source.starts_with("REPLACE"), "{}: {}", t.name, e.name);
            }
        }
    }

    /// The prospects template passes the prospects loader's whole check — every field, and
    /// its chance maps read — with small maps in place of the ones it names.
    #[test]
    fn the_prospects_template_passes_the_prospects_check() {
        use crate::assessment::tests::{test_grid, write_raster, TRACTS};
        let t = template("pripyat_play").unwrap();
        assert_eq!(t.kind, TemplateKind::Prospects);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("maps")).unwrap();
        for (element, chance) in [("source", 0.9), ("reservoir", 0.6), ("seal", 0.95)] {
            let path = dir.path().join(format!("maps/{element}_chance.tif"));
            write_raster(&path, &test_grid(), |_, _| Some(chance));
        }
        write_raster(
            &dir.path().join("maps/trap_chance.tif"),
            &test_grid(),
            |_, c| Some(if c < 20 { 0.8 } else { 0.2 }),
        );
        std::fs::write(dir.path().join("zones.geojson"), TRACTS).unwrap();
        let text = t
            .text
            .replace("REPLACE/structural_zones.gpkg", "zones.geojson")
            .replace("segment_field = \"zone\"", "segment_field = \"tract\"");
        let path = dir.path().join("pripyat_play.toml");
        std::fs::write(&path, text).unwrap();
        let (plays, prospects) = crate::prospects::check(&path).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!((plays, prospects), (2, 2));
        // As shipped, the file parses as a prospects file too.
        let file: crate::prospects::ProspectsFile = toml::from_str(t.text).unwrap();
        assert!(file.plays[0].maps.is_some());
    }

    #[test]
    fn names_resolve_exactly_or_by_a_unique_prefix() {
        assert_eq!(find("carbonatite").unwrap().name, "carbonatite_ree");
        assert_eq!(find("ti").unwrap().name, "ti_zr_placer");
        assert_eq!(find("pegmatite_li").unwrap().name, "pegmatite_li");
        let e = find("p").unwrap_err().to_string();
        assert!(
            e.contains("ambiguous")
                && e.contains("phosphorite_ree")
                && e.contains("pegmatite_li")
                && e.contains("pripyat_play"),
            "{e}"
        );
        assert!(find("nope")
            .unwrap_err()
            .to_string()
            .contains("no template"));
        assert!(find("").is_err());
        assert!(template("carbonatite").is_none());
        // An exact name wins over the longer names it begins.
        let names = ["carbonatite", "carbonatite_ree", "pegmatite_li"];
        assert_eq!(exact_or_unique_prefix("carbonatite", &names), Ok(0));
        assert_eq!(exact_or_unique_prefix("carbonatite_", &names), Ok(1));
        assert_eq!(
            exact_or_unique_prefix("carb", &names),
            Err(vec!["carbonatite", "carbonatite_ree"])
        );
    }

    #[test]
    fn every_template_cites_its_sources() {
        let mut names = std::collections::HashSet::new();
        for t in TEMPLATES {
            assert!(names.insert(t.name), "{} twice", t.name);
            assert!(t.text.contains("Source"), "{}", t.name);
        }
    }
}
