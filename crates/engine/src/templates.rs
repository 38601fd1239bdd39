//! Knowledge-driven deposit-model templates: editable project-file fragments with the evidence
//! layers a deposit model calls for, their fuzzy memberships and an inference network.
//!
//! The membership parameters are starting points written for typical survey units (nT, ppm,
//! metres) and must be tuned to the local data; the structure (which evidence, how it combines)
//! follows the cited deposit models.

/// (name, one-line description, project-file fragment)
pub const TEMPLATES: [(&str, &str, &str); 4] = [
    (
        "carbonatite_ree",
        "REE in carbonatite and alkaline intrusions (Verplanck & Van Gosen 2011; Simandl & Paradis 2018)",
        r#"# Deposit model: rare earths in carbonatite / alkaline-intrusion complexes.
# Sources: Verplanck P.L. & Van Gosen B.S. (2011) USGS OFR 2011-1256 (carbonatite REE
# deposit model); Simandl G.J. & Paradis S. (2018) Appl. Earth Sci. 127 (carbonatites review).
# Critical elements: an alkaline/carbonatite source intrusion (mapped units, circular magnetic
# and gravity highs), deep crustal structures that let the melts rise (rifts, faults), and
# the geochemical/radiometric footprint (Th, La, Ce, Nb; high eTh halos).
# Replace every source path; tune memberships to your units.

[[evidence]]
name = "alkaline_units"
source = "REPLACE/geology.gpkg"        # polygons with a numeric unit code
derive = "rasterize"
field = "unit_code"
pattern = "categorical"

[[evidence]]
name = "magnetic"
source = "REPLACE/magnetic_rtp.tif"    # reduced-to-pole anomaly, nT
pattern = "descending"
class_width = 50.0

[[evidence]]
name = "thorium"
source = "REPLACE/eth_ppm.tif"         # radiometric equivalent thorium, ppm
pattern = "descending"
class_width = 1.0

[[evidence]]
name = "faults"
source = "REPLACE/faults.gpkg"
derive = "distance"
pattern = "ascending"
class_width = 500.0

[model]
kind = "fuzzy"
output = "ree_carbonatite"

[[model.memberships]]
layer = "alkaline_units"
function = "categorical:5=1.0,default=0.1"   # 5 = carbonatite / alkaline complex
[[model.memberships]]
layer = "magnetic"
function = "linear:0,300"                    # stronger positive anomalies, more favourable
[[model.memberships]]
layer = "thorium"
function = "linear:8,25"                     # above regional background
[[model.memberships]]
layer = "faults"
function = "small:3000,3"                    # within a few km of deep structures

[[model.nodes]]
name = "source_intrusion"                    # mapped unit OR its geophysical signature
operator = "or"
inputs = ["alkaline_units", "magnetic"]
[[model.nodes]]
name = "footprint"                           # pathway and geochemical expression together
operator = "gamma"
gamma = 0.7
inputs = ["faults", "thorium"]
[[model.nodes]]
name = "ree_carbonatite"
operator = "gamma"
gamma = 0.9
inputs = ["source_intrusion", "footprint"]
"#,
    ),
    (
        "ion_adsorption_clay",
        "REE in ion-adsorption clays on weathered granites (Sanematsu & Watanabe 2016; Estrade et al. 2019)",
        r#"# Deposit model: ion-adsorption (regolith-hosted) rare earths.
# Sources: Sanematsu K. & Watanabe Y. (2016) Rev. Econ. Geol. 18, 55–79; Estrade G. et al.
# (2019) Ore Geol. Rev. 112 (weathering of REE-bearing granites).
# Critical elements: an REE-rich granitic source (mapped granites with high radiometric Th),
# a thick, preserved weathering profile (regolith thickness; gentle, moderately elevated
# relief), and a warm humid climate (a regional constant: leave it out if it holds everywhere).

[[evidence]]
name = "granite_units"
source = "REPLACE/geology.gpkg"
derive = "rasterize"
field = "unit_code"
pattern = "categorical"

[[evidence]]
name = "thorium"
source = "REPLACE/eth_ppm.tif"
pattern = "descending"
class_width = 1.0

[[evidence]]
name = "regolith_m"
source = "REPLACE/regolith_thickness_m.tif"
pattern = "descending"
class_width = 2.0

[[evidence]]
name = "slope_deg"
source = "REPLACE/slope_degrees.tif"
pattern = "ascending"
class_width = 2.0

[model]
kind = "fuzzy"
output = "ree_ion_adsorption"

[[model.memberships]]
layer = "granite_units"
function = "categorical:2=1.0,default=0.05"  # 2 = biotite / two-mica granites (edit)
[[model.memberships]]
layer = "thorium"
function = "linear:10,35"                    # REE-rich granites are Th-rich
[[model.memberships]]
layer = "regolith_m"
function = "large:10,3"                      # profiles thicker than ~10 m
[[model.memberships]]
layer = "slope_deg"
function = "gaussian:8,0.02"                 # gentle hills keep the profile; flats and cliffs do not

[[model.nodes]]
name = "source_granite"
operator = "product"
inputs = ["granite_units", "thorium"]
[[model.nodes]]
name = "preserved_regolith"
operator = "and"
inputs = ["regolith_m", "slope_deg"]
[[model.nodes]]
name = "ree_ion_adsorption"
operator = "gamma"
gamma = 0.8
inputs = ["source_granite", "preserved_regolith"]
"#,
    ),
    (
        "heavy_mineral_sands",
        "Ti–Zr–REE heavy-mineral sand placers with monazite (Van Gosen et al. 2014)",
        r#"# Deposit model: heavy-mineral sand placers (ilmenite, rutile, zircon, monazite).
# Source: Van Gosen B.S., Fey D.L., Shah A.K., Verplanck P.L. & Hoefen T.M. (2014) Deposit
# model for heavy-mineral sands in coastal environments, USGS SIR 2010-5070-L.
# Critical elements: coastal and shoreline sediments (modern and fossil strandlines), the
# radiometric signature of monazite (high eTh) and the magnetic signature of ilmenite and
# magnetite, within reach of the old shorelines.

[[evidence]]
name = "coastal_units"
source = "REPLACE/surficial_geology.gpkg"
derive = "rasterize"
field = "unit_code"
pattern = "categorical"

[[evidence]]
name = "paleoshorelines"
source = "REPLACE/paleoshorelines.gpkg"   # mapped strandlines / beach ridges (lines)
derive = "distance"
pattern = "ascending"
class_width = 250.0

[[evidence]]
name = "thorium"
source = "REPLACE/eth_ppm.tif"
pattern = "descending"
class_width = 1.0

[[evidence]]
name = "magnetic"
source = "REPLACE/magnetic_rtp.tif"
pattern = "descending"
class_width = 10.0

[model]
kind = "fuzzy"
output = "heavy_mineral_sands"

[[model.memberships]]
layer = "coastal_units"
function = "categorical:3=1.0,4=0.7,default=0.05"   # 3 = beach/strandline sands, 4 = dunes (edit)
[[model.memberships]]
layer = "paleoshorelines"
function = "small:1500,2"
[[model.memberships]]
layer = "thorium"
function = "linear:5,20"
[[model.memberships]]
layer = "magnetic"
function = "linear:0,80"

[[model.nodes]]
name = "host_sediments"
operator = "and"
inputs = ["coastal_units", "paleoshorelines"]
[[model.nodes]]
name = "heavy_minerals"                              # monazite OR ilmenite/magnetite
operator = "or"
inputs = ["thorium", "magnetic"]
[[model.nodes]]
name = "heavy_mineral_sands"
operator = "gamma"
gamma = 0.85
inputs = ["host_sediments", "heavy_minerals"]
"#,
    ),
    (
        "pegmatite_li",
        "LCT (lithium–caesium–tantalum) pegmatites (Bradley et al. 2017; Černý & Ercit 2005)",
        r#"# Deposit model: lithium in LCT pegmatites.
# Sources: Bradley D.C., McCauley A.D. & Stillings L.M. (2017) USGS Prof. Paper 1802-K
# (lithium); Černý P. & Ercit T.S. (2005) Can. Mineral. 43 (pegmatite classification).
# Critical elements: fertile peraluminous (S-type) granites as the parent — pegmatite swarms
# lie within ~10 km of them, the most fractionated (Li-rich) farthest out; amphibolite- to
# greenschist-facies host rocks; structures that host the dykes; Li–Cs–Ta–Rb geochemistry.

[[evidence]]
name = "fertile_granites"
source = "REPLACE/peraluminous_granites.gpkg"   # polygons
derive = "distance"
pattern = "ascending"
class_width = 1000.0

[[evidence]]
name = "host_rocks"
source = "REPLACE/geology.gpkg"
derive = "rasterize"
field = "metamorphic_grade"                     # numeric code
pattern = "categorical"

[[evidence]]
name = "structures"
source = "REPLACE/faults_shears.gpkg"
derive = "distance"
pattern = "ascending"
class_width = 250.0

[[evidence]]
name = "li_ppm"
source = "REPLACE/stream_sediments.csv"          # x/y in the grid's CRS, Li column
derive = "interpolate"
censored = "half-dl"
value_column = "Li_value_ppm"
pattern = "descending"
classify = "quantiles:10"

[model]
kind = "fuzzy"
output = "lct_pegmatite"

[[model.memberships]]
layer = "fertile_granites"
function = "gaussian:4000,0.0000002"             # a halo peaking a few km from the granite
[[model.memberships]]
layer = "host_rocks"
function = "categorical:3=1.0,2=0.6,default=0.1" # 3 = amphibolite, 2 = upper greenschist (edit)
[[model.memberships]]
layer = "structures"
function = "small:1000,2"
[[model.memberships]]
layer = "li_ppm"
function = "linear:30,150"

[[model.nodes]]
name = "setting"
operator = "product"
inputs = ["fertile_granites", "host_rocks"]
[[model.nodes]]
name = "expression"
operator = "or"
inputs = ["structures", "li_ppm"]
[[model.nodes]]
name = "lct_pegmatite"
operator = "gamma"
gamma = 0.8
inputs = ["setting", "expression"]
"#,
    ),
];

/// The text of a template by name.
pub fn template(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|t| t.0 == name).map(|t| t.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every template is valid TOML whose network checks against its own evidence layers.
    #[test]
    fn every_template_parses_and_its_network_is_valid() {
        #[derive(serde::Deserialize)]
        struct Fragment {
            evidence: Vec<crate::project::EvidenceSpec>,
            model: crate::project::ModelSpec,
        }
        for (name, _, text) in TEMPLATES {
            let f: Fragment = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(f.model.kind, crate::options::ModelKind::Fuzzy, "{name}");
            let layers: Vec<String> = f.evidence.iter().map(|e| e.name.clone()).collect();
            crate::fuzzy_model::Network::new(
                &layers,
                &f.model.memberships,
                &f.model.nodes,
                f.model.output.as_deref(),
            )
            .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
        assert!(template("carbonatite_ree").is_some() && template("nope").is_none());
    }
}
