//! Every named choice of a project file and of the stage commands, as typed enums parsed once.
//!
//! Each choice is a serde enum: its variant names (`ascending`, `ga-r`, `random_forest`, …) are
//! the one list of names, used by the project file (serde), by the command line (front ends
//! read them through [`names`] and parse through [`parse`]) and in error messages, which list
//! the valid names. Choices with parameters (`quantiles:10`, `fraction=0.5`) are [`Spec`]s:
//! the text as written and its parsed value, checked when the file is read. After parsing no
//! code matches strings, and each enum turns into the library type it selects through `From`.

use std::fmt;

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The spatial pattern of an evidence layer: how its classes become weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// Cumulative from the low end: the pattern is "value ≤ v" (e.g. distance to faults).
    Ascending,
    /// Cumulative from the high end: the pattern is "value ≥ v" (e.g. a geochemical anomaly).
    Descending,
    /// Each class on its own (e.g. rock units).
    Categorical,
    /// Present / absent (two classes, or a cutoff on values).
    Binary,
}

impl Pattern {
    /// Cumulative patterns (ascending, descending) have ordered classes and a generalisation
    /// cut.
    pub fn is_cumulative(self) -> bool {
        matches!(self, Pattern::Ascending | Pattern::Descending)
    }
}

impl From<Pattern> for nedra_models::WeightsType {
    fn from(p: Pattern) -> Self {
        match p {
            Pattern::Ascending => Self::Ascending,
            Pattern::Descending => Self::Descending,
            Pattern::Categorical => Self::Categorical,
            Pattern::Binary => Self::Binary,
        }
    }
}

/// How a cumulative weights table is cut into a binary pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Generalisation {
    /// ArcSDM: the maximum contrast among rows whose studentised contrast passes the threshold.
    #[default]
    #[serde(rename = "arcsdm")]
    ArcSdm,
    /// Geoscience Australia's R port: the maximum contrast overall, if any row passes.
    #[serde(rename = "ga-r")]
    GaR,
}

impl From<Generalisation> for nedra_models::Generalisation {
    fn from(g: Generalisation) -> Self {
        match g {
            Generalisation::ArcSdm => Self::ArcSdm,
            Generalisation::GaR => Self::GaR,
        }
    }
}

/// The model that makes the prospectivity map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Weights of evidence (Bonham-Carter 1994): the posterior probability.
    #[default]
    WeightsOfEvidence,
    /// Logistic regression by positive-unlabelled bagging.
    Logistic,
    /// Random forests by positive-unlabelled bagging.
    RandomForest,
    /// Gradient-boosted trees by positive-unlabelled bagging.
    GradientBoosting,
    /// A knowledge-driven fuzzy inference network.
    Fuzzy,
}

impl ModelKind {
    /// Models trained on the deposits (they write `model.json` and contributions).
    pub fn is_data_driven(self) -> bool {
        matches!(
            self,
            ModelKind::Logistic | ModelKind::RandomForest | ModelKind::GradientBoosting
        )
    }
}

/// How targets are cut from the prospectivity map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetRuleKind {
    /// The highest-scoring `value` percent of the study area (default 5).
    #[default]
    TopPercent,
    /// The prediction–area crossing (Yousefi & Carranza 2015).
    Pa,
    /// Cells at or above the score `value`.
    Threshold,
}

/// How targets are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetRank {
    /// Mean score, then peak score (a small, uniformly high patch leads).
    #[default]
    MeanScore,
    /// The sum of the score over the target's cells — for a probability map the expected
    /// number of deposits it holds (mean score × cells), so a large area holding much of the
    /// prospectivity is not ranked behind 1 km² patches. Ties: mean score.
    Expected,
    /// Training deposits per km², then mean score (known-deposit density: brownfields first).
    DepositDensity,
}

/// Resampling when a raster is warped onto the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resampling {
    /// Nearest neighbour: for classes and categories.
    Nearest,
    /// Bilinear: for continuous values.
    Bilinear,
}

impl From<Resampling> for nedra_io::Resampling {
    fn from(r: Resampling) -> Self {
        match r {
            Resampling::Nearest => Self::Nearest,
            Resampling::Bilinear => Self::Bilinear,
        }
    }
}

/// A potential-field derivative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DerivativeKind {
    /// The horizontal gradient magnitude.
    Gradient,
    /// The first vertical derivative (by FFT, Blakely 1995).
    Vertical,
    /// The tilt derivative (Miller & Singh 1994).
    #[default]
    Tilt,
}

impl From<DerivativeKind> for nedra_core::derivatives::Derivative {
    fn from(d: DerivativeKind) -> Self {
        match d {
            DerivativeKind::Gradient => Self::HorizontalGradient,
            DerivativeKind::Vertical => Self::Vertical,
            DerivativeKind::Tilt => Self::Tilt,
        }
    }
}

/// What a density counts within its moving circle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DensityOf {
    /// Line length per km².
    #[default]
    Lines,
    /// Points per km².
    Points,
}

/// How point samples are interpolated onto the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    /// Inverse-distance weighting (Shepard 1968).
    #[default]
    Idw,
    /// Ordinary kriging with a fitted variogram; writes the kriging variance too.
    Kriging,
}

/// Which side of a binary cutoff is the pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Favourable {
    /// Values at or above the cutoff.
    #[default]
    Above,
    /// Values at or below the cutoff.
    Below,
}

/// How experts' estimates of undiscovered deposits become a probability mass function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PmfRule {
    /// A negative binomial fitted to every expert's 90/50/10 % estimates (MapMark4,
    /// Ellefsen 2017).
    #[default]
    NegativeBinomial,
    /// The legacy Mark3 rule on one consensus row (Root, Menzie & Scott 1992).
    Mark3,
}

/// The variogram model of ordinary kriging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariogramChoice {
    /// The model with the smallest weighted misfit among the three below.
    #[default]
    Best,
    /// Spherical.
    Spherical,
    /// Exponential.
    Exponential,
    /// Gaussian.
    Gaussian,
}

impl VariogramChoice {
    /// The model asked for; `None` for the best fit.
    pub fn model(self) -> Option<nedra_core::interpolate::ModelKind> {
        use nedra_core::interpolate::ModelKind;
        match self {
            VariogramChoice::Best => None,
            VariogramChoice::Spherical => Some(ModelKind::Spherical),
            VariogramChoice::Exponential => Some(ModelKind::Exponential),
            VariogramChoice::Gaussian => Some(ModelKind::Gaussian),
        }
    }
}

/// How a node of a fuzzy inference network combines its inputs (Bonham-Carter 1994, ch. 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FuzzyOperator {
    /// Fuzzy AND: the minimum.
    And,
    /// Fuzzy OR: the maximum.
    Or,
    /// Fuzzy algebraic product.
    Product,
    /// Fuzzy algebraic sum.
    Sum,
    /// Fuzzy gamma: sum^γ × product^(1−γ), with the node's `gamma`.
    Gamma,
}

/// The fluid of a petroleum prospect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FluidKind {
    /// Oil: STOIIP with the formation volume factor Bo.
    Oil,
    /// Gas: GIIP with the gas expansion factor Bg.
    Gas,
}

/// What to do with deposits listed twice, or several deposits in one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicateRule {
    /// Count every point (ArcSDM counts deposits as points); a warning gives the counts.
    #[default]
    Keep,
    /// Count at most one deposit per cell.
    OnePerCell,
    /// Stop with an error naming them.
    Error,
}

/// Choices print as their names.
macro_rules! display_by_name {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&name(self))
            }
        }
    )*};
}

display_by_name!(
    Pattern,
    Generalisation,
    ModelKind,
    TargetRuleKind,
    TargetRank,
    Resampling,
    DerivativeKind,
    DensityOf,
    Interpolation,
    Favourable,
    PmfRule,
    VariogramChoice,
    FuzzyOperator,
    FluidKind,
    DuplicateRule
);

/// The valid names of a choice, in declaration order (read from its serde derive).
pub fn names<T: DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(VariantNames) {
        Err(NamesError::Variants(v)) => v,
        _ => &[],
    }
}

/// Parses a choice from its name.
///
/// # Errors
/// An unknown name; the message lists the valid ones.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    T::deserialize(de::value::StrDeserializer::<de::value::Error>::new(text)).map_err(|_| {
        format!(
            "{text:?} is not one of: {}",
            names::<T>()
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The name of a choice, as written in files and on the command line.
pub fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// A deserializer that only answers which variants an enum has.
struct VariantNames;

#[derive(Debug)]
enum NamesError {
    Variants(&'static [&'static str]),
    Other,
}

impl fmt::Display for NamesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an enum")
    }
}

impl std::error::Error for NamesError {}

impl de::Error for NamesError {
    fn custom<M: fmt::Display>(_msg: M) -> Self {
        NamesError::Other
    }
}

impl<'de> Deserializer<'de> for VariantNames {
    type Error = NamesError;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, NamesError> {
        Err(NamesError::Other)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, NamesError> {
        Err(NamesError::Variants(variants))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// A choice written as text with parameters, parsed once when the file is read.
pub trait SpecValue: Sized {
    /// Parses the text.
    ///
    /// # Errors
    /// Text that is not a valid value; the message says what is.
    fn parse_spec(text: &str) -> anyhow::Result<Self>;
}

/// A parametrised choice (`quantiles:10`, `fraction=0.5`): the text as written (kept for
/// manifests and messages) and its parsed value.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec<T> {
    text: String,
    value: T,
}

impl<T: SpecValue> Spec<T> {
    /// Parses `text`.
    ///
    /// # Errors
    /// As [`SpecValue::parse_spec`].
    pub fn new(text: &str) -> anyhow::Result<Self> {
        Ok(Spec {
            text: text.to_string(),
            value: T::parse_spec(text)?,
        })
    }
}

impl<T> Spec<T> {
    /// The parsed value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The text as written.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl<T> fmt::Display for Spec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<T> Serialize for Spec<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de, T: SpecValue> Deserialize<'de> for Spec<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Spec::new(&text).map_err(|e| de::Error::custom(format!("{e:#}")))
    }
}

impl SpecValue for crate::classify::ClassMethod {
    fn parse_spec(text: &str) -> anyhow::Result<Self> {
        crate::classify::parse_method(text)
    }
}

impl SpecValue for nedra_core::geochem::Substitution {
    fn parse_spec(text: &str) -> anyhow::Result<Self> {
        crate::geochem::parse_censoring(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_serde_names() {
        assert_eq!(
            names::<Pattern>(),
            ["ascending", "descending", "categorical", "binary"]
        );
        assert_eq!(names::<Generalisation>(), ["arcsdm", "ga-r"]);
        assert_eq!(
            names::<ModelKind>(),
            [
                "weights_of_evidence",
                "logistic",
                "random_forest",
                "gradient_boosting",
                "fuzzy"
            ]
        );
    }

    #[test]
    fn parse_round_trips_and_lists_the_valid_names() {
        for n in names::<ModelKind>() {
            let k: ModelKind = parse(n).unwrap();
            assert_eq!(name(&k), *n);
        }
        assert_eq!(parse::<Generalisation>("ga-r"), Ok(Generalisation::GaR));
        let e = parse::<Pattern>("sideways").unwrap_err();
        assert_eq!(
            e,
            "\"sideways\" is not one of: ascending, descending, categorical, binary"
        );
    }

    #[test]
    fn specs_parse_once_and_keep_their_text() {
        #[derive(Deserialize, Serialize)]
        struct T {
            classify: Spec<crate::classify::ClassMethod>,
        }
        let t: T = toml::from_str("classify = \"quantiles:4\"").unwrap();
        assert_eq!(
            t.classify.value(),
            &crate::classify::ClassMethod::Quantiles { classes: 4 }
        );
        assert_eq!(
            toml::to_string(&t).unwrap().trim(),
            "classify = \"quantiles:4\""
        );
        let e = toml::from_str::<T>("classify = \"quantiles\"")
            .err()
            .unwrap();
        assert!(e.to_string().contains("quantiles"), "{e}");
    }
}
