//! The report's languages: one Fluent catalogue per language (`crates/engine/locales/*.ftl`,
//! embedded at build time) read through `fluent-bundle`, and numbers written the way each
//! language writes them.
//!
//! A new language is a new `locales/<code>.ftl` holding every message of `en.ftl` and one line
//! in `CATALOGUES` (this file); the tests check that every catalogue has the same messages with
//! the same variables. The catalogue also says how its language writes numbers
//! (`number-decimal-separator`, `number-group-separator`), which [`NumberFormat`] applies.

use std::fmt;
use std::str::FromStr;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use intl_memoizer::concurrent::IntlLangMemoizer;
use intl_memoizer::Memoizable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unic_langid::LanguageIdentifier;

/// Every language of the report: its code (ISO 639-1) and its catalogue. English is first: it
/// is the default.
const CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.ftl")),
    ("ru", include_str!("../locales/ru.ftl")),
    ("be", include_str!("../locales/be.ftl")),
];

/// What the report shows in place of a message its catalogue lacks (never in a complete
/// catalogue: the tests look for it).
pub const MISSING: char = '⟦';

/// A language of the report, by its code (`en`, `ru`, `be`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang(&'static str);

impl Lang {
    /// English, the default.
    pub const ENGLISH: Lang = Lang(CATALOGUES[0].0);

    /// Every language the report is written in, English first.
    pub fn all() -> impl Iterator<Item = Lang> {
        CATALOGUES.iter().map(|(code, _)| Lang(code))
    }

    /// The language's code, as in `<html lang>` and the project file.
    pub fn code(self) -> &'static str {
        self.0
    }

    /// The codes accepted, as a sentence: `en, ru or be`.
    pub fn accepted() -> String {
        let codes: Vec<&str> = Lang::all().map(Lang::code).collect();
        match codes.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    fn source(self) -> &'static str {
        CATALOGUES
            .iter()
            .find(|(code, _)| *code == self.0)
            .map(|(_, ftl)| *ftl)
            .expect("a Lang is made only from CATALOGUES")
    }
}

impl Default for Lang {
    fn default() -> Self {
        Lang::ENGLISH
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A language code the report is not written in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {given:?}: the report is written in {accepted}")]
pub struct UnknownLang {
    /// The code given.
    pub given: String,
    /// The codes accepted, as a sentence.
    pub accepted: String,
}

impl FromStr for Lang {
    type Err = UnknownLang;

    /// A code of [`Lang::all`], in any case (`RU` is `ru`).
    ///
    /// # Errors
    /// When no catalogue has that code; the message names the value and the codes accepted.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::all()
            .find(|l| l.0.eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownLang {
                given: s.to_string(),
                accepted: Lang::accepted(),
            })
    }
}

impl Serialize for Lang {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

/// How a language writes numbers: its decimal separator and the separator between groups of
/// three digits (`12,345.68` in English, `12 345,68` with a narrow no-break space in Russian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    /// Between the integer and the fraction: `.` or `,`.
    pub decimal: String,
    /// Between groups of three digits of the integer part.
    pub group: String,
}

impl NumberFormat {
    /// The format of a language, as its catalogue states it.
    pub fn of(lang: Lang) -> NumberFormat {
        let bundle = bundle(lang);
        let text = |id: &str| {
            let pattern = bundle
                .get_message(id)
                .and_then(|m| m.value())
                .unwrap_or_else(|| panic!("{lang}.ftl has no {id}"));
            bundle
                .format_pattern(pattern, None, &mut Vec::new())
                .into_owned()
        };
        NumberFormat {
            decimal: text("number-decimal-separator"),
            group: text("number-group-separator"),
        }
    }

    /// `x` with `decimals` digits after the decimal separator and the integer part grouped by
    /// threes: `12345.678` with 2 decimals is `12,345.68` in English, `12 345,68` in Russian.
    /// Not-a-number and infinities are written as Rust writes them (`NaN`, `inf`).
    pub fn fixed(&self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return format!("{x}");
        }
        self.localise(&format!("{x:.decimals$}"))
    }

    /// `x` in scientific notation with `decimals` digits in the mantissa: `0.00043058` with
    /// 4 decimals is `4.3058e-4` in English, `4,3058e-4` in Russian.
    pub fn scientific(&self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return format!("{x}");
        }
        self.localise(&format!("{x:.decimals$e}"))
    }

    /// `x` as Rust writes it in the fewest digits that read back the same (`250`, `0.1`,
    /// `1e-7`), with the language's separators: `1234.5` is `1,234.5` / `1 234,5`.
    pub fn shortest(&self, x: f64) -> String {
        if !x.is_finite() {
            return format!("{x}");
        }
        self.localise(&format!("{x}"))
    }

    /// An integer with its digits grouped: `401960` is `401,960` / `401 960`.
    pub fn integer(&self, n: i128) -> String {
        self.localise(&n.to_string())
    }

    /// A number as Rust formats it (`-12345.68`, `4.3058e-4`) with this language's
    /// separators: the integer part grouped by threes, the decimal point replaced.
    fn localise(&self, rust: &str) -> String {
        let (sign, rest) = match rust.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", rust),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (int, frac) = match mantissa.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (mantissa, None),
        };
        let mut out = String::with_capacity(rust.len() + 8);
        out.push_str(sign);
        for (k, digit) in int.chars().enumerate() {
            if k > 0 && (int.len() - k) % 3 == 0 {
                out.push_str(&self.group);
            }
            out.push(digit);
        }
        if let Some(frac) = frac {
            out.push_str(&self.decimal);
            out.push_str(frac);
        }
        out.push_str(exponent);
        out
    }
}

/// The number format of the bundle's language, built once per bundle by its memoizer: how
/// fluent-bundle lets a formatter know the language.
impl Memoizable for NumberFormat {
    type Args = ();
    type Error = ();

    fn construct(lang: LanguageIdentifier, _: ()) -> Result<Self, ()> {
        lang.language
            .as_str()
            .parse::<Lang>()
            .map(NumberFormat::of)
            .map_err(|_| ())
    }
}

/// fluent-bundle's hook for numbers in messages, with the language's separators: as many
/// decimals as `NUMBER($x, minimumFractionDigits: d)` asks, else integers grouped and fractions
/// in their shortest form; `NUMBER($x, useGrouping: "false")` leaves the digits ungrouped.
fn format_number(value: &FluentValue, intls: &IntlLangMemoizer) -> Option<String> {
    match value {
        FluentValue::Number(n) => intls
            .with_try_get::<NumberFormat, _, _>((), |f| {
                let text = match n.options.minimum_fraction_digits {
                    Some(decimals) => f.fixed(n.value, decimals),
                    None if n.value.fract() == 0.0 && n.value.abs() < 1e15 => {
                        f.integer(n.value as i128)
                    }
                    None => f.shortest(n.value),
                };
                if n.options.use_grouping {
                    text
                } else {
                    text.replace(&f.group, "")
                }
            })
            .ok(),
        _ => None,
    }
}

/// The catalogue of `lang` as a bundle, without isolation marks (HTML has its own
/// bidirectional handling; the marks would only show as noise). The catalogues are embedded
/// and checked by the tests: one that does not parse is a bug, and panics.
fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(lang.source().to_string())
        .unwrap_or_else(|(_, errors)| panic!("{lang}.ftl does not parse: {errors:?}"));
    let code: LanguageIdentifier = lang
        .code()
        .parse()
        .expect("catalogue codes are ISO 639-1 language codes");
    let mut bundle = FluentBundle::new_concurrent(vec![code]);
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("{lang}.ftl: {errors:?}"));
    bundle
}

/// A value given to a message: text, or a number (which selects plural forms, and is written
/// with the language's separators).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Text, shown as it is.
    Text(String),
    /// A number.
    Number(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<f64> for Arg {
    fn from(x: f64) -> Self {
        Arg::Number(x)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Number(n as f64)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Self {
        Arg::Number(n as f64)
    }
}

/// The messages of one language, and its number format.
pub struct Catalogue {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    numbers: NumberFormat,
}

impl Catalogue {
    /// The catalogue of `lang`. The catalogues are embedded and checked by the tests: one that
    /// does not parse is a bug, and panics.
    pub fn new(lang: Lang) -> Catalogue {
        let mut bundle = bundle(lang);
        bundle.set_formatter(Some(format_number));
        bundle
            .add_function("NUMBER", fluent_bundle::builtins::NUMBER)
            .expect("NUMBER is registered once");
        Catalogue {
            lang,
            bundle,
            numbers: NumberFormat::of(lang),
        }
    }

    /// The catalogue's language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// How the language writes numbers.
    pub fn numbers(&self) -> &NumberFormat {
        &self.numbers
    }

    /// The message `id` without variables.
    pub fn text(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The message `id` with its variables. A message the catalogue lacks shows as
    /// `⟦id⟧`, and one whose variables are missing as `⟦id: …⟧` around what it could write.
    pub fn format(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return format!("{MISSING}{id}⟧");
        };
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match value {
                Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s.clone())),
                Arg::Number(x) => fluent_args.set(*name, FluentValue::from(*x)),
            }
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned();
        if errors.is_empty() {
            text
        } else {
            format!("{MISSING}{id}: {text}⟧")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The messages of a catalogue and the variables each uses, read from the text: a message
    /// starts at `id =` in the first column, its continuation lines are indented.
    fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut current: Option<String> = None;
        for line in lang.source().lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            if !line.starts_with(char::is_whitespace) {
                let (id, _) = line
                    .split_once(" =")
                    .unwrap_or_else(|| panic!("{lang}.ftl: not a message: {line}"));
                assert!(
                    out.insert(id.to_string(), BTreeSet::new()).is_none(),
                    "{lang}.ftl: {id} twice"
                );
                current = Some(id.to_string());
            }
            let id = current.clone().expect("a message before its continuation");
            let vars = out.get_mut(&id).expect("inserted above");
            for piece in line.split('$').skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                vars.insert(name);
            }
        }
        out
    }

    #[test]
    fn every_catalogue_has_the_messages_and_variables_of_english() {
        let english = messages(Lang::ENGLISH);
        assert!(english.len() > 100, "{}", english.len());
        for lang in Lang::all().skip(1) {
            let other = messages(lang);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang}.ftl lacks {missing:?}");
            assert!(extra.is_empty(), "{lang}.ftl has extra {extra:?}");
            for (id, vars) in &english {
                assert_eq!(&other[id], vars, "{lang}.ftl: variables of {id}");
            }
        }
    }

    #[test]
    fn every_catalogue_parses_and_formats_every_message_without_english_left() {
        let english = messages(Lang::ENGLISH);
        for lang in Lang::all() {
            assert!(FluentResource::try_new(lang.source().to_string()).is_ok());
            let c = Catalogue::new(lang);
            for (id, vars) in &english {
                let args: Vec<(&str, Arg)> = vars
                    .iter()
                    .map(|v| (v.as_str(), Arg::Number(3.0)))
                    .collect();
                let text = c.format(id, &args);
                assert!(!text.contains(MISSING), "{lang}: {id}: {text}");
                assert!(!text.is_empty(), "{lang}: {id} is empty");
            }
            if lang != Lang::ENGLISH {
                // Messages written in words must differ from English (the ones that are
                // codes or symbols, such as ROC AUC or W+, may be the same).
                let en = Catalogue::new(Lang::ENGLISH);
                for id in [
                    "summary-heading",
                    "maps-note",
                    "targets-heading",
                    "map-posterior",
                ] {
                    assert_ne!(c.text(id), en.text(id), "{lang}: {id}");
                }
            }
        }
    }

    #[test]
    fn a_missing_message_or_variable_is_marked() {
        let c = Catalogue::new(Lang::ENGLISH);
        assert_eq!(c.text("no-such-message"), "⟦no-such-message⟧");
        assert!(c.text("map-target").starts_with(MISSING));
    }

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        let en = NumberFormat::of(Lang::ENGLISH);
        let ru = NumberFormat::of("ru".parse().unwrap());
        let be = NumberFormat::of("be".parse().unwrap());
        assert_eq!(en.fixed(12345.678, 2), "12,345.68");
        assert_eq!(ru.fixed(12345.678, 2), "12\u{202f}345,68");
        assert_eq!(be.fixed(12345.678, 2), "12\u{202f}345,68");
        assert_eq!(en.fixed(-1_234_567.891, 1), "-1,234,567.9");
        assert_eq!(ru.fixed(-1_234_567.891, 1), "-1\u{202f}234\u{202f}567,9");
        assert_eq!(ru.fixed(999.5, 0), "1\u{202f}000");
        assert_eq!(ru.fixed(0.25, 4), "0,2500");
        assert_eq!(en.fixed(123.0, 0), "123");
        assert_eq!(ru.scientific(0.000_430_58, 4), "4,3058e-4");
        assert_eq!(en.scientific(0.000_430_58, 4), "4.3058e-4");
        assert_eq!(ru.scientific(12345.0, 3), "1,234e4");
        assert_eq!(ru.shortest(250.0), "250");
        assert_eq!(ru.shortest(0.1), "0,1");
        assert_eq!(en.shortest(1234.5), "1,234.5");
        assert_eq!(ru.integer(401_960), "401\u{202f}960");
        assert_eq!(en.integer(-1000), "-1,000");
        assert_eq!(ru.fixed(f64::NAN, 2), "NaN");
    }

    #[test]
    fn numbers_in_messages_take_the_language_and_its_plural_forms() {
        let ru = Catalogue::new("ru".parse().unwrap());
        let cells = |n: u64| {
            ru.format(
                "summary-study-area-value",
                &[
                    ("area", "25\u{202f}122,5000".into()),
                    ("cells", n.into()),
                    ("cell_size", 250.0.into()),
                ],
            )
        };
        assert_eq!(
            cells(401_960),
            "25\u{202f}122,5000 км² (401\u{202f}960 ячеек размером 250 м)"
        );
        assert!(cells(1).contains("(1 ячейка "), "{}", cells(1));
        assert!(cells(22).contains("(22 ячейки "), "{}", cells(22));
        let rows = |n: usize| ru.format("weights-more-rows", &[("count", n.into())]);
        assert_eq!(rows(21), "… ещё 21 строка в");
        assert_eq!(rows(3), "… ещё 3 строки в");
        assert_eq!(rows(11), "… ещё 11 строк в");
        let be = Catalogue::new("be".parse().unwrap());
        assert_eq!(
            be.format("weights-more-rows", &[("count", 5usize.into())]),
            "… яшчэ 5 радкоў у"
        );
        let en = Catalogue::new(Lang::ENGLISH);
        assert_eq!(
            en.format("weights-more-rows", &[("count", 1usize.into())]),
            "… 1 more row in"
        );
        assert_eq!(
            en.format("summary-ci-ratio", &[("limit", 0.85.into())]),
            "Conditional independence: n/T (Bonham-Carter; < 0.85 is a warning)"
        );
        assert!(ru
            .format("summary-ci-ratio", &[("limit", 0.85.into())])
            .contains("< 0,85"));
    }

    #[test]
    fn languages_parse_from_their_codes_and_nothing_else() {
        assert_eq!("ru".parse::<Lang>().unwrap().code(), "ru");
        assert_eq!("BE".parse::<Lang>().unwrap().code(), "be");
        assert_eq!(Lang::default(), Lang::ENGLISH);
        let e = "de".parse::<Lang>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown language \"de\": the report is written in en, ru or be"
        );
        let lang: Lang = serde_json::from_str("\"ru\"").unwrap();
        assert_eq!(serde_json::to_string(&lang).unwrap(), "\"ru\"");
        let e = serde_json::from_str::<Lang>("\"xx\"").unwrap_err();
        assert!(e.to_string().contains("unknown language \"xx\""), "{e}");
    }
}
