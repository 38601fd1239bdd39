//! `report.html`: one offline file a programme manager can open — maps with a perceptual
//! colour map and legend, validation curves (SVG), weights, targets and provenance.
//!
//! Everything is embedded (PNG previews as data URIs inside SVG, no script, no font or
//! network request), so the file works from a USB stick.
//!
//! The Rust side reads the run folder into a `Page` of figures, tables and map geometry; the
//! templates in `crates/engine/templates/` (embedded at build time) lay the page out, with
//! every value HTML-escaped.
//!
//! The page is written in one language ([`Lang`]): every word comes from that language's
//! Fluent catalogue (`crates/engine/locales/<lang>.ftl`, see [`crate::locale`]) and every
//! figure is written with its decimal and thousands separators.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Serde, ValueKind};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use nedra_core::{Grid, Window};
use nedra_io::{encode_png, files, RasterReader};
use serde::Serialize;
use serde_json::Value;

use crate::locale::{Arg, Catalogue, Lang, NumberFormat};

/// Viridis anchors (matplotlib's perceptually uniform map, sampled at 0, 1/8, …, 1).
const VIRIDIS: [[u8; 3]; 9] = [
    [0x44, 0x01, 0x54],
    [0x47, 0x2d, 0x7b],
    [0x3b, 0x52, 0x8b],
    [0x2c, 0x72, 0x8e],
    [0x21, 0x91, 0x8c],
    [0x28, 0xae, 0x80],
    [0x5e, 0xc9, 0x62],
    [0xad, 0xdc, 0x30],
    [0xfd, 0xe7, 0x25],
];

/// Viridis colour of `t` in [0, 1], linear between anchors.
pub fn viridis(t: f64) -> [u8; 3] {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 8.0;
    let i = (x.floor() as usize).min(7);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    [0, 1, 2].map(|k| (a[k] as f64 + f * (b[k] as f64 - a[k] as f64)).round() as u8)
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// Standard base64 (RFC 4648) of bytes.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// How values map to colour.
#[derive(Clone, Copy)]
enum Scale {
    Linear(f64, f64),
    Log10(f64, f64),
}

impl Scale {
    fn t(self, v: f64) -> f64 {
        match self {
            Scale::Linear(lo, hi) => (v - lo) / (hi - lo).max(f64::MIN_POSITIVE),
            Scale::Log10(lo, hi) => {
                (v.max(lo).log10() - lo.log10()) / (hi.log10() - lo.log10()).max(1e-12)
            }
        }
    }
}

/// A raster preview: values at `width × height` and the extent they cover.
struct Preview {
    values: Vec<Option<f64>>,
    width: usize,
    height: usize,
    extent: [f64; 4],
}

fn preview(path: &Path, window: Window, grid: &Grid, max_px: usize) -> Result<Preview> {
    let r = RasterReader::open(path)?;
    let scale = (max_px as f64 / window.width.max(window.height) as f64).min(1.0);
    let width = ((window.width as f64 * scale).round() as usize).max(1);
    let height = ((window.height as f64 * scale).round() as usize).max(1);
    let b = r.read_preview(window, width, height)?;
    let t = &grid.transform;
    let x0 = t[0] + window.col_off as f64 * t[1];
    let y0 = t[3] + window.row_off as f64 * t[5];
    let x1 = x0 + window.width as f64 * t[1];
    let y1 = y0 + window.height as f64 * t[5];
    Ok(Preview {
        values: (0..b.values.len()).map(|i| b.get(i)).collect(),
        width,
        height,
        extent: [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)],
    })
}

fn png_data_uri(p: &Preview, scale: Scale) -> Result<String> {
    let mut rgba = Vec::with_capacity(p.width * p.height * 4);
    for v in &p.values {
        match v {
            Some(v) => {
                let c = viridis(scale.t(*v));
                rgba.extend_from_slice(&[c[0], c[1], c[2], 255]);
            }
            None => rgba.extend_from_slice(&[0, 0, 0, 0]),
        }
    }
    Ok(format!(
        "data:image/png;base64,{}",
        base64(&encode_png(p.width, p.height, &rgba)?)
    ))
}

/// A map as the template draws it: the preview image (a PNG data URI), deposit dots and target
/// labels in image pixels, and a colour legend.
#[derive(Serialize)]
struct MapFigure {
    /// Title and caption.
    title: String,
    /// Image width in pixels.
    width: usize,
    /// Image height in pixels.
    height: usize,
    /// Height of the drawing: the image and the legend below it, in pixels.
    svg_height: f64,
    /// `data:image/png;base64,…`: base64 only, so it needs no escaping.
    png: String,
    /// Deposits `[x, y]` in pixels.
    deposits: Vec<[f64; 2]>,
    /// Target labels.
    labels: Vec<MapLabel>,
    /// The colour legend (none on the small target maps).
    legend: Option<Legend>,
}

/// A target label on a map, in pixels.
#[derive(Serialize)]
struct MapLabel {
    x: f64,
    y: f64,
    text: String,
}

/// A map's colour legend: a viridis bar with the values at its ends.
#[derive(Serialize)]
struct Legend {
    /// What the colours show (e.g. `log scale`).
    text: String,
    /// Id of the gradient, unique in the page.
    gradient_id: String,
    /// Stops of the gradient.
    stops: Vec<GradientStop>,
    /// Top of the bar, pixels.
    bar_y: f64,
    /// Width of the bar (it starts at x = 20), pixels.
    bar_width: f64,
    /// Baseline of the end labels, pixels.
    text_y: f64,
    /// Right end and middle of the bar, pixels.
    right_x: f64,
    middle_x: f64,
    /// The values at the ends of the bar.
    low: f64,
    high: f64,
}

/// A stop of a colour gradient.
#[derive(Serialize)]
struct GradientStop {
    offset: f64,
    colour: String,
}

/// The map figure of a preview: pixel positions of `points` and `labels` (map coordinates),
/// and a legend unless `legend` is empty.
fn map_figure(
    p: &Preview,
    scale: Scale,
    title: &str,
    legend: &str,
    points: &[(f64, f64)],
    labels: &[(f64, f64, String)],
) -> Result<MapFigure> {
    let (w, h) = (p.width as f64, p.height as f64);
    let e = p.extent;
    let px = |x: f64, y: f64| {
        [
            (x - e[0]) / (e[2] - e[0]) * w,
            (e[3] - y) / (e[3] - e[1]) * h,
        ]
    };
    let legend_h = if legend.is_empty() { 0.0 } else { 46.0 };
    let legend = (!legend.is_empty()).then(|| {
        let bar_width = (w - 40.0).clamp(100.0, 420.0);
        let (low, high) = match scale {
            Scale::Linear(a, b) | Scale::Log10(a, b) => (a, b),
        };
        Legend {
            text: legend.to_string(),
            gradient_id: format!("g{}", title.len() + legend.len()),
            stops: VIRIDIS
                .iter()
                .enumerate()
                .map(|(k, c)| GradientStop {
                    offset: k as f64 / 8.0,
                    colour: hex(*c),
                })
                .collect(),
            bar_y: h + 8.0,
            bar_width,
            text_y: h + 34.0,
            right_x: 20.0 + bar_width,
            middle_x: 20.0 + bar_width / 2.0,
            low,
            high,
        }
    });
    Ok(MapFigure {
        title: title.to_string(),
        width: p.width,
        height: p.height,
        svg_height: h + legend_h,
        png: png_data_uri(p, scale)?,
        deposits: points.iter().map(|&(x, y)| px(x, y)).collect(),
        labels: labels
            .iter()
            .map(|(x, y, text)| {
                let [x, y] = px(*x, *y);
                MapLabel {
                    x,
                    y,
                    text: text.clone(),
                }
            })
            .collect(),
        legend,
    })
}

/// One chart series: name, colour, points.
type Series<'a> = (&'a str, &'a str, Vec<(f64, f64)>);

/// A line chart as the template draws it: a plot area with four grid lines, curves and keys,
/// all positions in pixels.
#[derive(Serialize)]
struct ChartFigure {
    title: String,
    x_label: String,
    y_label: String,
    /// Size of the drawing, pixels.
    width: f64,
    height: f64,
    /// The plot area: left and top edge, width, height, right edge.
    margin: f64,
    plot_width: f64,
    plot_height: f64,
    plot_right: f64,
    /// Right end of the y tick labels, and baseline of the x tick labels.
    y_tick_x: f64,
    x_tick_y: f64,
    /// Grid lines and tick labels at 0, ¼, ½, ¾ and 1 of both axes.
    ticks: Vec<Tick>,
    /// The curves, with their keys.
    curves: Vec<Curve>,
    /// Left of the key swatches and of the key texts.
    key_swatch_x: f64,
    key_text_x: f64,
    /// Axis titles: middle of the x title and its baseline; middle of the (rotated) y title.
    x_title_x: f64,
    x_title_y: f64,
    y_title_y: f64,
}

/// A grid line with its y label, and the x tick at the same fraction of the axis.
#[derive(Serialize)]
struct Tick {
    /// The grid line's y, and the y label's baseline.
    y: f64,
    y_text_y: f64,
    y_text: String,
    /// The x tick label's middle.
    x: f64,
    x_text: String,
}

/// A curve: its points (`x,y x,y …` in pixels) and its key.
#[derive(Serialize)]
struct Curve {
    name: String,
    colour: String,
    points: String,
    /// Baseline of the key text; top of its swatch.
    key_y: f64,
    key_swatch_y: f64,
}

/// A line chart of several series on [0, 1] in y and `x_range` in x.
fn chart_figure(
    title: &str,
    x_label: &str,
    y_label: &str,
    x_range: (f64, f64),
    series: &[Series],
    numbers: &NumberFormat,
) -> ChartFigure {
    let (w, h, m) = (420.0, 320.0, 48.0);
    let (pw, ph) = (w - 2.0 * m, h - 2.0 * m);
    let sx = |x: f64| m + (x - x_range.0) / (x_range.1 - x_range.0) * pw;
    let sy = |y: f64| h - m - y * ph;
    let ticks = (0..=4)
        .map(|k| {
            let f = k as f64 / 4.0;
            let xv = x_range.0 + f * (x_range.1 - x_range.0);
            Tick {
                y: sy(f),
                y_text_y: sy(f) + 3.0,
                y_text: numbers.fixed(f, 2),
                x: sx(xv),
                x_text: if xv.abs() < 1e-2 && xv != 0.0 {
                    numbers.scientific(xv, 1)
                } else {
                    numbers.fixed(xv, 2)
                },
            }
        })
        .collect();
    let curves = series
        .iter()
        .enumerate()
        .map(|(k, (name, colour, pts))| {
            let key_y = m + 14.0 + 14.0 * k as f64;
            Curve {
                name: name.to_string(),
                colour: colour.to_string(),
                points: pts
                    .iter()
                    .map(|(x, y)| format!("{:.2},{:.2}", sx(*x), sy(*y)))
                    .collect::<Vec<_>>()
                    .join(" "),
                key_y,
                key_swatch_y: key_y - 4.0,
            }
        })
        .collect();
    ChartFigure {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        width: w,
        height: h,
        margin: m,
        plot_width: pw,
        plot_height: ph,
        plot_right: m + pw,
        y_tick_x: m - 4.0,
        x_tick_y: h - m + 14.0,
        ticks,
        curves,
        key_swatch_x: m + 8.0,
        key_text_x: m + 22.0,
        x_title_x: m + pw / 2.0,
        x_title_y: h - 8.0,
        y_title_y: h / 2.0,
    }
}

fn read_csv_rows(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let headers = r.headers()?.iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|x| x.map(|rec| rec.iter().map(str::to_string).collect()))
        .collect::<Result<Vec<Vec<String>>, _>>()?;
    Ok((headers, rows))
}

/// A figure of a table or sentence: 4 decimals, or scientific notation (4 decimals) below
/// 0.001 or from a million; a string as it is; anything else (missing) `–`.
fn num(v: &Value, numbers: &NumberFormat) -> String {
    match v.as_f64() {
        Some(x) if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) => numbers.scientific(x, 4),
        Some(x) => numbers.fixed(x, 4),
        None => v.as_str().map(str::to_string).unwrap_or_else(|| "–".into()),
    }
}

/// A `[low, high]` interval with 4 decimals, or `–`. The two ends are separated by `; `
/// where the decimal separator is a comma.
fn interval(v: &Value, numbers: &NumberFormat) -> String {
    let between = if numbers.decimal == "," { "; " } else { ", " };
    match (v[0].as_f64(), v[1].as_f64()) {
        (Some(a), Some(b)) => format!("[{}{between}{}]", numbers.fixed(a, 4), numbers.fixed(b, 4)),
        _ => "–".into(),
    }
}

/// A count: an integer grouped by threes; a string as it is; anything else (missing) `–`.
fn count(v: &Value, numbers: &NumberFormat) -> String {
    match (v.as_i64(), v.as_f64()) {
        (Some(n), _) => numbers.integer(n.into()),
        (None, Some(x)) => numbers.shortest(x),
        _ => v.as_str().map(str::to_string).unwrap_or_else(|| "–".into()),
    }
}

/// The headline figures of the run.
#[derive(Serialize)]
struct Summary {
    /// The held-out figures of a data-driven model, which lead the table.
    cross_validation: Option<CvRows>,
    /// How the fitted figures below were obtained.
    fitted_label: String,
    area_km2: f64,
    cells: u64,
    cell_size_m: f64,
    deposits: u64,
    prior_probability: f64,
    success_rate_auc: Value,
    success_rate_auc_interval: Value,
    roc_auc: Value,
    roc_auc_interval: Value,
    /// Bonham-Carter's n/T.
    ci_ratio: Value,
    /// Agterberg–Cheng: probability that the model is not conditionally independent.
    ci_probability_not_independent: Value,
    targets: usize,
    target_rule: String,
    target_threshold: f64,
}

/// The spatial cross-validation's headline figures.
#[derive(Serialize)]
struct CvRows {
    folds: usize,
    mean_roc_auc: f64,
    sd_roc_auc: f64,
    mean_prediction_rate_auc: f64,
}

/// A row of the capture table: the area needed to hold a share of the deposits.
#[derive(Serialize)]
struct Capture {
    share_percent: f64,
    fraction_of_area: Value,
    fraction_of_area_interval: Value,
    score_threshold: Value,
}

/// Where the prediction rate meets the occupied area on the P-A plot.
#[derive(Serialize)]
struct PaCrossing {
    score_threshold: Value,
    prediction_rate: Value,
    occupied_area: Value,
    normalised_density: Value,
    weight: Value,
}

/// A data-driven or fuzzy model's summary: spatial cross-validation and layer importance.
#[derive(Serialize)]
struct ModelSection {
    kind: String,
    /// Members of the ensemble, as in `run.json` (none for the fuzzy network).
    members: Value,
    method: String,
    cv_scheme: String,
    mean_roc_auc: Value,
    mean_prediction_rate_auc: Value,
    baseline_roc_auc: Value,
    /// The weights-of-evidence baseline's held-out ROC AUC on the same folds.
    baseline_cv_roc_auc: Value,
    /// Header of the folds' count column: held-out cells scored (or, in runs of earlier
    /// versions, held-out background samples).
    count_heading: String,
    folds: Vec<Fold>,
    importance: Option<Importance>,
}

/// Models of one project side by side on identical folds (`comparison.json` in the run folder,
/// as `nedra compare --json` writes it; `nedra demo` writes one for its two runs).
#[derive(Serialize)]
struct ComparisonSection {
    /// The fold scheme, in words.
    scheme: String,
    /// By decreasing mean held-out ROC AUC; the first is the best.
    rows: Vec<ComparedModel>,
}

/// One model of a comparison: its held-out figures and its paired difference from the best.
#[derive(Serialize)]
struct ComparedModel {
    model: String,
    run: String,
    /// The model with the best mean (the first row).
    best: bool,
    mean: Value,
    sd: Value,
    pooled: Value,
    fitted: Value,
    /// Best minus this model, fold by fold: mean, sd, folds the best wins, folds compared
    /// (null for the best itself).
    paired_mean: Value,
    paired_sd: Value,
    best_wins: Value,
    folds_compared: Value,
}

/// A fold of the spatial cross-validation (counts as in `run.json`).
#[derive(Serialize)]
struct Fold {
    fold: String,
    test_positives: Value,
    /// Held-out cells scored (or background samples in runs of earlier versions).
    test_count: Value,
    roc_auc: Value,
    prediction_rate_auc: Value,
}

/// Permutation importance of the layers.
#[derive(Serialize)]
struct Importance {
    method: String,
    layers: Vec<LayerImportance>,
}

/// One layer's importance.
#[derive(Serialize)]
struct LayerImportance {
    layer: String,
    mean_auc_drop: Value,
    sd_over_folds: Value,
}

/// A table shown as text: column names and rows of cells.
#[derive(Serialize, Default)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// The ranked targets: their table and small maps of the first ones.
#[derive(Serialize)]
struct TargetsSection {
    table: Table,
    maps: Vec<MapFigure>,
}

/// One evidence layer's weights table.
#[derive(Serialize)]
struct WeightsSection {
    layer: String,
    pattern: String,
    derivation: String,
    source: String,
    table: Table,
    /// Rows of `weights/<layer>.csv` not shown.
    more_rows: usize,
}

/// A file read by the run.
#[derive(Serialize)]
struct ProvenanceRow {
    role: String,
    path: String,
    sha256: String,
}

/// The resource assessment: totals and tracts.
#[derive(Serialize)]
struct AssessmentSection {
    /// The quantile convention (USGS's, as the table's F95/F50/F5 columns), without a final
    /// full stop.
    convention: String,
    trials: Value,
    seed: String,
    grade_tonnage_model: String,
    warning: Option<PosteriorWarning>,
    totals: Vec<AssessedTotal>,
    /// The quantities after ore, one column each in the tract table.
    quantity_names: Vec<String>,
    tracts: Vec<AssessedTract>,
}

/// The posterior predicts too many deposits (known / expected below 0.85).
#[derive(Serialize)]
struct PosteriorWarning {
    expected_deposits: f64,
    known_deposits: Value,
    ratio: f64,
    inflation: f64,
}

/// A total quantity of the assessment.
#[derive(Serialize)]
struct AssessedTotal {
    name: String,
    unit: String,
    mean: Value,
    f95: Value,
    f50: Value,
    f5: Value,
    probability_of_zero: Value,
    analytic_mean: Value,
}

/// A tract of the assessment.
#[derive(Serialize)]
struct AssessedTract {
    id: String,
    area_km2: Value,
    mean_deposits: Value,
    n90: Value,
    n50: Value,
    n10: Value,
    /// Mean of each of `quantity_names` (null when the tract has none).
    quantity_means: Vec<Value>,
}

/// Grid size, transform and timings as JSON.
#[derive(Serialize)]
struct GridLine {
    width: usize,
    height: usize,
    transform: String,
    timings: String,
}

/// Everything `report.html.j2` shows.
#[derive(Serialize)]
struct Page {
    /// The language code of `<html lang>`; the words come from its catalogue.
    lang: String,
    title: String,
    commodity: String,
    nedra_version: String,
    gdal_version: String,
    synthetic: bool,
    /// What made the map, in words.
    method: String,
    /// Where the science is weak, shown before any figure.
    warnings: Vec<crate::warnings::Warning>,
    summary: Summary,
    /// The prospectivity and uncertainty maps.
    maps: Vec<MapFigure>,
    /// The success-rate curve and the P-A plot.
    charts: Vec<ChartFigure>,
    captures: Vec<Capture>,
    pa_crossing: PaCrossing,
    model: Option<ModelSection>,
    comparison: Option<ComparisonSection>,
    targets: TargetsSection,
    assessment: Option<AssessmentSection>,
    weights: Vec<WeightsSection>,
    provenance: Vec<ProvenanceRow>,
    grid: GridLine,
}

/// The report's templates, embedded in the binary.
const TEMPLATES: [(&str, &str); 2] = [
    (
        "report.html.j2",
        include_str!("../templates/report.html.j2"),
    ),
    (
        "figures.html.j2",
        include_str!("../templates/figures.html.j2"),
    ),
];

/// The template environment in the language of `catalogue`: every template HTML-escaped,
/// undefined values an error, floats printed as Rust prints them (`250`, not `250.0`), the
/// function `t("message-id", var=value, …)` for the catalogue's messages, the number filters
/// `num`, `interval`, `fixed(digits)`, `sci(digits)` and `count` in the language's way, and
/// `px` for positions in SVG attributes.
fn environment(catalogue: Arc<Catalogue>) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(|out, state, value| {
        if value.kind() == ValueKind::Number && !value.is_integer() {
            if let Ok(x) = f64::try_from(value.clone()) {
                return write!(out, "{x}").map_err(minijinja::Error::from);
            }
        }
        minijinja::escape_formatter(out, state, value)
    });
    let c = catalogue.clone();
    env.add_function(
        "t",
        move |id: &str, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let mut args = Vec::new();
            for name in kwargs.args() {
                let value: minijinja::Value = kwargs.get(name)?;
                let arg = match (value.kind(), value.as_str()) {
                    (ValueKind::Number, _) => Arg::Number(f64::try_from(value.clone())?),
                    (_, Some(text)) => Arg::Text(text.to_string()),
                    _ => Arg::Text(value.to_string()),
                };
                args.push((name, arg));
            }
            kwargs.assert_all_used()?;
            Ok(c.format(id, &args))
        },
    );
    let c = catalogue.clone();
    env.add_filter("num", move |v: minijinja::Value| {
        num(&to_json(&v), c.numbers())
    });
    let c = catalogue.clone();
    env.add_filter("interval", move |v: minijinja::Value| {
        interval(&to_json(&v), c.numbers())
    });
    let c = catalogue.clone();
    env.add_filter("count", move |v: minijinja::Value| {
        count(&to_json(&v), c.numbers())
    });
    let c = catalogue.clone();
    env.add_filter("fixed", move |x: f64, digits: usize| {
        c.numbers().fixed(x, digits)
    });
    let c = catalogue;
    env.add_filter("sci", move |x: f64, digits: usize| {
        c.numbers().scientific(x, digits)
    });
    env.add_filter("px", |x: f64| format!("{x:.1}"));
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// A template value back as JSON (for the number filters).
fn to_json(v: &minijinja::Value) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The page as HTML, in the language of `catalogue`.
fn render(page: &Page, catalogue: Arc<Catalogue>) -> Result<String> {
    let env = environment(catalogue)?;
    let html = env
        .get_template("report.html.j2")?
        .render(Serde(page))
        .context("rendering report.html")?;
    Ok(html)
}

/// Writes `report.html` into a finished run folder, in the language its project chose
/// (`lang` of `[project]`, recorded in `run.json`; English when it chose none).
///
/// # Errors
/// When a file of the run folder is missing or unreadable.
pub fn write_report(run: &Path) -> Result<std::path::PathBuf> {
    write_report_in(run, None)
}

/// Writes `report.html` into a finished run folder in `lang`, or in the language recorded in
/// `run.json` when `lang` is `None`.
///
/// # Errors
/// When a file of the run folder is missing or unreadable.
pub fn write_report_in(run: &Path, lang: Option<Lang>) -> Result<std::path::PathBuf> {
    let manifest = crate::manifest::RunManifest::read(run)?;
    let catalogue = Arc::new(Catalogue::new(
        lang.unwrap_or(manifest.project.project.lang),
    ));
    let page = page(run, manifest, &catalogue)?;
    let out = run.join("report.html");
    files::write_atomic(&out, render(&page, catalogue)?.as_bytes())?;
    Ok(out)
}

/// Reads the run folder into what the report shows.
fn page(run: &Path, manifest: crate::manifest::RunManifest, cat: &Catalogue) -> Result<Page> {
    let numbers = cat.numbers();
    let validation: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("validation.json"))?)?;
    let maps = &manifest.maps;
    let posterior_path = run.join(&maps.score);
    let uncertainty_path = run.join(&maps.uncertainty);
    let map_title = cat.text(match manifest.project.model.kind {
        crate::options::ModelKind::WeightsOfEvidence => "map-posterior",
        crate::options::ModelKind::Fuzzy => "map-prospectivity-fuzzy",
        _ => "map-prospectivity-ensemble",
    });
    let grid = RasterReader::open(&posterior_path)?.grid().clone();
    let whole = Window {
        col_off: 0,
        row_off: 0,
        width: grid.width,
        height: grid.height,
    };
    let meta = &manifest.project.project;
    let name = if meta.name.is_empty() {
        "nedra run"
    } else {
        meta.name.as_str()
    };

    // Deposits and targets for overlays.
    let deposits: Vec<(f64, f64)> = match read_csv_rows(&run.join("deposits.csv")) {
        Ok((_, rows)) => rows
            .iter()
            .filter_map(|r| Some((r.first()?.parse().ok()?, r.get(1)?.parse().ok()?)))
            .collect(),
        Err(_) => Vec::new(),
    };
    let (t_head, t_rows) = read_csv_rows(&run.join("targets.csv")).unwrap_or_default();
    let col = |n: &str| t_head.iter().position(|h| h == n);
    let target_labels: Vec<(f64, f64, String)> = t_rows
        .iter()
        .take(10)
        .filter_map(|r| {
            Some((
                r[col("centroid_x")?].parse().ok()?,
                r[col("centroid_y")?].parse().ok()?,
                r[col("rank")?].clone(),
            ))
        })
        .collect();

    // Maps.
    let post = preview(&posterior_path, whole, &grid, 760)?;
    let positive = post
        .values
        .iter()
        .flatten()
        .filter(|v| **v > 0.0)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
            (a.0.min(*v), a.1.max(*v))
        });
    let post_scale = Scale::Log10(positive.0.max(1e-12), positive.1.max(positive.0 * 10.0));
    let map_post = map_figure(
        &post,
        post_scale,
        &map_title,
        &cat.text("legend-log-scale"),
        &deposits,
        &target_labels,
    )?;
    let unc = preview(&uncertainty_path, whole, &grid, 760)?;
    let (ulo, uhi) = unc
        .values
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, v| {
            (a.0.min(*v), a.1.max(*v))
        });
    let map_unc = map_figure(
        &unc,
        Scale::Linear(ulo, uhi.max(ulo + 1e-12)),
        &cat.text("map-uncertainty"),
        &cat.text("legend-standard-deviation"),
        &deposits,
        &[],
    )?;

    // Curves.
    let (_, sr) = read_csv_rows(&run.join("success_rate.csv"))?;
    let sr_pts: Vec<(f64, f64)> = sr
        .iter()
        .filter_map(|r| Some((r[0].parse().ok()?, r[1].parse().ok()?)))
        .collect();
    let (success_rate, random) = (cat.text("curve-success-rate"), cat.text("curve-random"));
    let chart_sr = chart_figure(
        &cat.text("chart-success-rate"),
        &cat.text("chart-success-rate-x"),
        &cat.text("chart-success-rate-y"),
        (0.0, 1.0),
        &[
            (&success_rate, "#21918c", sr_pts),
            (&random, "#aaaaaa", vec![(0.0, 0.0), (1.0, 1.0)]),
        ],
        numbers,
    );
    let (_, pa) = read_csv_rows(&run.join("pa_plot.csv"))?;
    let pa_rows: Vec<(f64, f64, f64)> = pa
        .iter()
        .filter_map(|r| Some((r[0].parse().ok()?, r[1].parse().ok()?, r[2].parse().ok()?)))
        .collect();
    // Posterior thresholds span orders of magnitude: the P-A plot uses log10 of the threshold.
    let floor = pa_rows
        .iter()
        .map(|r| r.0)
        .filter(|v| *v > 0.0)
        .fold(1.0, f64::min);
    let lg = |v: f64| v.max(floor).log10();
    let (pmin, pmax) = pa_rows
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, r| {
            (a.0.min(lg(r.0)), a.1.max(lg(r.0)))
        });
    let (prediction_rate, occupied) = (
        cat.text("curve-prediction-rate"),
        cat.text("curve-occupied-area"),
    );
    let chart_pa = chart_figure(
        &cat.text("chart-pa"),
        &cat.text("chart-pa-x"),
        &cat.text("chart-pa-y"),
        (pmin.min(pmax - 1e-9), pmax),
        &[
            (
                &prediction_rate,
                "#440154",
                pa_rows.iter().map(|r| (lg(r.0), r.1)).collect(),
            ),
            (
                &occupied,
                "#5ec962",
                pa_rows.iter().map(|r| (lg(r.0), 1.0 - r.2)).collect(),
            ),
        ],
        numbers,
    );

    // Small maps of the top targets.
    let mut small_maps = Vec::new();
    for (x, y, label) in target_labels.iter().take(6) {
        let half_cells = (8_000.0 / grid.transform[1].abs()).max(20.0) as isize;
        let (c, r) = grid.pixel_of(*x, *y);
        let (c, r) = (c as isize, r as isize);
        let c0 = (c - half_cells).clamp(0, grid.width as isize - 1) as usize;
        let r0 = (r - half_cells).clamp(0, grid.height as isize - 1) as usize;
        let c1 = ((c + half_cells) as usize).min(grid.width);
        let r1 = ((r + half_cells) as usize).min(grid.height);
        let w = Window {
            col_off: c0,
            row_off: r0,
            width: (c1 - c0).max(1),
            height: (r1 - r0).max(1),
        };
        let p = preview(&posterior_path, w, &grid, 220)?;
        let inside: Vec<(f64, f64)> = deposits
            .iter()
            .copied()
            .filter(|(dx, dy)| {
                *dx >= p.extent[0] && *dx <= p.extent[2] && *dy >= p.extent[1] && *dy <= p.extent[3]
            })
            .collect();
        small_maps.push(map_figure(
            &p,
            post_scale,
            &cat.format("map-target", &[("rank", label.as_str().into())]),
            "",
            &inside,
            &[(*x, *y, label.clone())],
        )?);
    }

    // Tables.
    let v = &validation;
    let ci = &v["conditional_independence"];
    let pa = &v["pa_crossing"];
    let targets = TargetsSection {
        table: Table {
            rows: t_rows
                .iter()
                .take(25)
                .map(|r| {
                    r.iter()
                        .enumerate()
                        .map(|(k, cell)| match t_head[k].as_str() {
                            "top_evidence" | "rank" | "deposits" => cell.clone(),
                            _ => cell
                                .parse::<f64>()
                                .map(|x| num(&Value::from(x), numbers))
                                .unwrap_or_else(|_| cell.clone()),
                        })
                        .collect()
                })
                .collect(),
            header: t_head
                .iter()
                .map(|h| column_name(cat, "targets-column", h))
                .collect(),
        },
        maps: small_maps,
    };
    let assessment = match ["assessment/assessment.json", "assessment.json"]
        .iter()
        .map(|f| run.join(f))
        .find(|p| p.exists())
    {
        Some(a) => {
            let a: Value = serde_json::from_str(&std::fs::read_to_string(&a)?)
                .with_context(|| format!("{}: not a nedra assessment", a.display()))?;
            Some(assessment_section(&a, cat))
        }
        None => None,
    };
    let mut weights = Vec::new();
    for e in &manifest.evidence {
        let layer = e.name.as_str();
        let (head, rows) = read_csv_rows(&run.join("weights").join(format!("{layer}.csv")))?;
        let keep = [
            "CLASS",
            "CLASS_AREA",
            "NO_POINTS",
            "WPLUS",
            "S_WPLUS",
            "WMINUS",
            "CONTRAST",
            "STUDC",
            "GEN_CLASS",
            "WEIGHT",
            "W_STD",
        ];
        let idx: Vec<usize> = keep
            .iter()
            .filter_map(|k| head.iter().position(|h| h == k))
            .collect();
        let limit = 40;
        weights.push(WeightsSection {
            layer: layer.to_string(),
            pattern: cat.text(&format!("pattern-{}", e.pattern)),
            derivation: e.derivation.clone(),
            source: e.source.clone(),
            table: Table {
                header: idx
                    .iter()
                    .map(|&i| column_name(cat, "weights-column", &head[i]))
                    .collect(),
                rows: rows
                    .iter()
                    .take(limit)
                    .map(|r| {
                        idx.iter()
                            .map(|&i| match head[i].as_str() {
                                "CLASS" | "NO_POINTS" | "GEN_CLASS" => r[i].clone(),
                                _ => r[i]
                                    .parse::<f64>()
                                    .map(|x| numbers.fixed(x, 4))
                                    .unwrap_or_else(|_| r[i].clone()),
                            })
                            .collect()
                    })
                    .collect(),
            },
            more_rows: rows.len().saturating_sub(limit),
        });
    }

    Ok(Page {
        lang: cat.lang().code().to_string(),
        title: name.to_string(),
        commodity: meta.commodity.clone(),
        nedra_version: manifest.versions.nedra.clone(),
        gdal_version: manifest.versions.gdal.clone(),
        synthetic: manifest.synthetic,
        method: match manifest.project.model.kind {
            crate::options::ModelKind::WeightsOfEvidence => cat.text("method-weights-of-evidence"),
            crate::options::ModelKind::Fuzzy => cat.text("method-fuzzy"),
            kind => cat.format(
                "method-bagging",
                &[("kind", cat.text(&format!("model-{kind}")).into())],
            ),
        },
        warnings: manifest
            .warnings
            .iter()
            .map(|w| warning_in(w, cat))
            .collect(),
        summary: Summary {
            cross_validation: crate::run::CrossValidationSummary::from_model(&manifest.model)
                .or_else(|| {
                    // Weights of evidence: its cross-validation is in validation.json.
                    crate::run::CrossValidationSummary::from_model(
                        &serde_json::json!({ "spatial_cv": v["spatial_cv"] }),
                    )
                })
                .map(|cv| CvRows {
                    folds: cv.fold_roc_auc.len(),
                    mean_roc_auc: cv.mean_roc_auc,
                    sd_roc_auc: cv.sd_roc_auc(),
                    mean_prediction_rate_auc: cv.mean_prediction_rate_auc,
                }),
            fitted_label: if manifest.project.model.kind.is_data_driven()
                || !v["spatial_cv"].is_null()
            {
                cat.text("fitted-cross-validated")
            } else {
                cat.text("fitted-not-cross-validated")
            },
            area_km2: manifest.grid.study_area_km2,
            cells: manifest.grid.study_area_cells,
            cell_size_m: grid.transform[1].abs(),
            deposits: manifest.deposits.used,
            prior_probability: manifest.response.prior_probability,
            success_rate_auc: v["success_rate_auc"].clone(),
            success_rate_auc_interval: v["success_rate_auc_interval"].clone(),
            roc_auc: v["roc_auc"].clone(),
            roc_auc_interval: v["roc_auc_interval"].clone(),
            ci_ratio: ci["ratio_n_over_t"].clone(),
            ci_probability_not_independent: ci["probability_not_independent"].clone(),
            targets: manifest.targets.count,
            target_rule: target_rule(&manifest.targets.rule, cat),
            target_threshold: manifest.targets.threshold,
        },
        maps: vec![map_post, map_unc],
        charts: vec![chart_sr, chart_pa],
        captures: v["captures"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| Capture {
                share_percent: 100.0 * c["share_of_deposits"].as_f64().unwrap_or(f64::NAN),
                fraction_of_area: c["fraction_of_area"].clone(),
                fraction_of_area_interval: c["fraction_of_area_interval"].clone(),
                score_threshold: c["score_threshold"].clone(),
            })
            .collect(),
        pa_crossing: PaCrossing {
            score_threshold: pa["score_threshold"].clone(),
            prediction_rate: pa["prediction_rate"].clone(),
            occupied_area: pa["occupied_area"].clone(),
            normalised_density: pa["normalised_density"].clone(),
            weight: pa["weight"].clone(),
        },
        model: model_section(&manifest.model, v, &manifest.project.model, cat),
        comparison: comparison_section(run, v, &manifest.project.model, cat)?,
        targets,
        assessment,
        weights,
        provenance: manifest
            .inputs
            .iter()
            .flat_map(|i| {
                i.files.iter().map(|f| ProvenanceRow {
                    role: i.role.clone(),
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                })
            })
            .collect(),
        grid: GridLine {
            width: manifest.grid.width,
            height: manifest.grid.height,
            transform: serde_json::to_string(&manifest.grid.transform)?,
            timings: serde_json::to_string(&manifest.timings_s)?,
        },
    })
}

/// A warning of `run.json` in the catalogue's language: its message `warning-<code>` with the
/// figures the warning records, or the recorded sentence when it records none (a run of an
/// older nedra) or the catalogue has no message for its code.
pub(crate) fn warning_in(
    w: &crate::warnings::Warning,
    cat: &Catalogue,
) -> crate::warnings::Warning {
    if w.args.is_empty() {
        return w.clone();
    }
    let args: Vec<(&str, Arg)> = w
        .args
        .iter()
        .map(|(name, value)| {
            let arg = match value {
                Value::Number(n) => Arg::Number(n.as_f64().unwrap_or(f64::NAN)),
                Value::String(text) => Arg::Text(text.clone()),
                other => Arg::Text(other.to_string()),
            };
            (name.as_str(), arg)
        })
        .collect();
    let message = cat.format(&format!("warning-{}", w.code), &args);
    if message.starts_with(crate::locale::MISSING) {
        return w.clone();
    }
    crate::warnings::Warning {
        message,
        ..w.clone()
    }
}

/// A column of a table the run wrote, in the catalogue's words (`<prefix>-<column>`), or as
/// the file names it when the catalogue has no message for it.
fn column_name(cat: &Catalogue, prefix: &str, column: &str) -> String {
    let text = cat.text(&format!("{prefix}-{column}"));
    if text.starts_with(crate::locale::MISSING) {
        column.to_string()
    } else {
        text
    }
}

/// The target rule as `run.json` records it (`top-percent 5`, `pa`, `threshold 0.01`; runs
/// written before 0.1 recorded `TopPercent(5.0)`, `PaCrossing`, `Threshold(0.01)`), in the
/// catalogue's words; an unknown form as it is.
fn target_rule(rule: &str, cat: &Catalogue) -> String {
    let value = |prefix: &str, legacy: &str| {
        rule.strip_prefix(prefix)
            .or_else(|| rule.strip_prefix(legacy)?.strip_suffix(')'))?
            .parse::<f64>()
            .ok()
    };
    if let Some(percent) = value("top-percent ", "TopPercent(") {
        cat.format("target-rule-top-percent", &[("percent", percent.into())])
    } else if let Some(threshold) = value("threshold ", "Threshold(") {
        cat.format(
            "target-rule-threshold",
            &[("value", num(&Value::from(threshold), cat.numbers()).into())],
        )
    } else if rule == "pa" || rule == "PaCrossing" {
        cat.text("target-rule-pa")
    } else {
        rule.to_string()
    }
}

/// The model's summary from `run.json` (`None` for weights of evidence), with the
/// weights-of-evidence baseline from `validation.json`.
///
/// The words are the catalogue's: the kind and method by the model's kind, the scheme from the
/// blocks and folds (as recorded with the cross-validation, else as the project asked).
fn model_section(
    model: &Value,
    validation: &Value,
    spec: &crate::project::ModelSpec,
    cat: &Catalogue,
) -> Option<ModelSection> {
    if model.is_null() {
        return None;
    }
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let cv = &model["spatial_cv"];
    let imp = &model["permutation_importance"];
    let kind = text(&model["kind"]);
    Some(ModelSection {
        kind: cat.text(&format!("model-{kind}")),
        members: model["members"].clone(),
        method: cat.text(if kind == "fuzzy" {
            "model-method-fuzzy"
        } else {
            "model-method-bagging"
        }),
        cv_scheme: cv_scheme(cv, spec, cat),
        mean_roc_auc: cv["mean_roc_auc"].clone(),
        mean_prediction_rate_auc: cv["mean_prediction_rate_auc"].clone(),
        baseline_roc_auc: validation["weights_of_evidence_baseline"]["roc_auc"].clone(),
        baseline_cv_roc_auc: validation["weights_of_evidence_baseline"]["spatial_cv"]
            ["mean_roc_auc"]
            .clone(),
        count_heading: cat.text(if cv["folds"][0]["test_cells"].is_null() {
            "fold-test-background"
        } else {
            "fold-test-cells"
        }),
        folds: cv["folds"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| Fold {
                fold: f["fold"].to_string(),
                test_positives: f["test_positives"].clone(),
                test_count: if f["test_cells"].is_null() {
                    f["test_background"].clone()
                } else {
                    f["test_cells"].clone()
                },
                roc_auc: f["roc_auc"].clone(),
                prediction_rate_auc: f["prediction_rate_auc"].clone(),
            })
            .collect(),
        importance: imp["layers"].as_array().map(|rows| Importance {
            method: cat.text("importance-method"),
            layers: rows
                .iter()
                .map(|r| LayerImportance {
                    layer: text(&r["layer"]),
                    mean_auc_drop: r["mean_auc_drop"].clone(),
                    sd_over_folds: r["sd_over_folds"].clone(),
                })
                .collect(),
        }),
    })
}

/// The fold scheme in the catalogue's words: blocks and folds as recorded with the
/// cross-validation `cv`, else as the project asked.
fn cv_scheme(cv: &Value, spec: &crate::project::ModelSpec, cat: &Catalogue) -> String {
    cat.format(
        "cv-scheme",
        &[
            (
                "block_km",
                cv["block_km"].as_f64().unwrap_or(spec.cv_block_km).into(),
            ),
            (
                "folds",
                cv["folds_k"]
                    .as_u64()
                    .unwrap_or(spec.cv_folds as u64)
                    .into(),
            ),
        ],
    )
}

/// The comparison of models on identical folds, when the run folder holds `comparison.json`.
/// The scheme is the run's own (a comparison is refused unless every run's folds are equal).
///
/// # Errors
/// A `comparison.json` that cannot be read or is not a comparison.
fn comparison_section(
    run: &Path,
    validation: &Value,
    spec: &crate::project::ModelSpec,
    cat: &Catalogue,
) -> Result<Option<ComparisonSection>> {
    let path = run.join("comparison.json");
    if !path.exists() {
        return Ok(None);
    }
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
        .with_context(|| format!("{}: not valid JSON", path.display()))?;
    let Some(models) = c["models"].as_array() else {
        bail!(
            "{}: not a comparison (no \"models\"); write it with nedra compare RUN… --json",
            path.display()
        );
    };
    let scheme = cv_scheme(&validation["spatial_cv"], spec, cat);
    let paired = c["paired_differences"].as_array();
    let rows = models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let kind = m["kind"].as_str().unwrap_or("weights_of_evidence");
            let mut model = cat.text(&format!("model-{kind}"));
            if m["baseline"].as_bool() == Some(true) {
                model = cat.format("compare-baseline", &[("model", model.into())]);
            }
            let run = m["run"].as_str().map_or_else(String::new, |r| {
                Path::new(r)
                    .file_name()
                    .map_or(r.to_string(), |f| f.to_string_lossy().into_owned())
            });
            let p = paired
                .into_iter()
                .flatten()
                .find(|p| p["best_minus"] == m["model"]);
            let field = |k: &str| p.map_or(Value::Null, |p| p[k].clone());
            ComparedModel {
                model,
                run,
                best: i == 0,
                mean: m["mean_roc_auc"].clone(),
                sd: m["sd_roc_auc"].clone(),
                pooled: m["pooled_roc_auc"].clone(),
                fitted: m["fitted_roc_auc_optimistic"].clone(),
                paired_mean: field("mean"),
                paired_sd: field("sd"),
                best_wins: field("best_higher_in"),
                folds_compared: field("folds"),
            }
        })
        .collect();
    Ok(Some(ComparisonSection { scheme, rows }))
}

/// "How much": the resource assessment's totals and tracts, when the run has one.
fn assessment_section(a: &Value, cat: &Catalogue) -> AssessmentSection {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let pc = &a["posterior_check"];
    let warning = pc["ratio_known_to_expected"]
        .as_f64()
        .filter(|r| *r < 0.85)
        .map(|r| PosteriorWarning {
            expected_deposits: pc["expected_deposits_study_area"]
                .as_f64()
                .unwrap_or(f64::NAN),
            known_deposits: pc["known_deposits_study_area"].clone(),
            ratio: r,
            inflation: 1.0 / r,
        });
    let quantities = a["total"]["quantities"].as_array();
    let quantity_names: Vec<String> = quantities
        .into_iter()
        .flatten()
        .skip(1)
        .filter_map(|q| q["name"].as_str().map(str::to_string))
        .collect();
    AssessmentSection {
        convention: cat.text("assessment-convention"),
        trials: a["trials"].clone(),
        seed: a["seed"].to_string(),
        grade_tonnage_model: a["grade_tonnage_model"]["name"]
            .as_str()
            .or(a["grade_tonnage_model"]["source"].as_str())
            .unwrap_or("")
            .to_string(),
        warning,
        totals: quantities
            .into_iter()
            .flatten()
            .map(|q| {
                let f = &q["exceedance_quantiles"];
                AssessedTotal {
                    name: text(&q["name"]),
                    unit: text(&q["unit"]),
                    mean: q["mean"].clone(),
                    f95: f["F95"].clone(),
                    f50: f["F50"].clone(),
                    f5: f["F5"].clone(),
                    probability_of_zero: q["probability_of_zero"].clone(),
                    analytic_mean: q["analytic"]["mean"].clone(),
                }
            })
            .collect(),
        tracts: a["tracts"]
            .as_array()
            .into_iter()
            .flatten()
            .take(30)
            .map(|t| {
                let p = &t["deposit_count"]["pmf"];
                AssessedTract {
                    id: t["id"].to_string(),
                    area_km2: t["area_km2"].clone(),
                    mean_deposits: p["mean"].clone(),
                    n90: p["n90"].clone(),
                    n50: p["n50"].clone(),
                    n10: p["n10"].clone(),
                    quantity_means: quantity_names
                        .iter()
                        .map(|n| {
                            t["quantities"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .find(|q| q["name"].as_str() == Some(n))
                                .map_or(Value::Null, |q| q["mean"].clone())
                        })
                        .collect(),
                }
            })
            .collect(),
        quantity_names,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    fn english() -> Arc<Catalogue> {
        Arc::new(Catalogue::new(Lang::ENGLISH))
    }

    #[test]
    fn target_rules_read_in_the_cli_words_and_the_legacy_debug_form() {
        use crate::targets::TargetRule;
        let cat = english();
        for (rule, legacy) in [
            (TargetRule::TopPercent(5.0), "TopPercent(5.0)"),
            (TargetRule::Threshold(0.01), "Threshold(0.01)"),
            (TargetRule::PaCrossing, "PaCrossing"),
        ] {
            let written = rule.to_string();
            assert!(!written.contains('('), "{written}");
            let words = target_rule(&written, &cat);
            assert_ne!(words, written, "{written} is not understood");
            assert_eq!(words, target_rule(legacy, &cat));
        }
        assert_eq!(TargetRule::TopPercent(5.0).to_string(), "top-percent 5");
    }

    /// A small page in the language of `cat`: a 2 × 2 map with one deposit and one target, a
    /// chart, and hostile names wherever the run's files bring text.
    fn sample_page(name: &str, cat: &Catalogue) -> Page {
        nedra_io::init_gdal();
        let p = Preview {
            values: vec![Some(0.001), Some(0.01), None, Some(0.5)],
            width: 2,
            height: 2,
            extent: [0.0, 0.0, 500.0, 500.0],
        };
        let scale = Scale::Log10(0.001, 0.5);
        let map = map_figure(
            &p,
            scale,
            &cat.text("map-posterior"),
            &cat.text("legend-log-scale"),
            &[(125.0, 375.0)],
            &[(375.0, 125.0, "1".into())],
        )
        .unwrap();
        let curve = cat.text("curve-success-rate");
        let chart = chart_figure(
            &cat.text("chart-success-rate"),
            &cat.text("chart-success-rate-x"),
            &cat.text("chart-success-rate-y"),
            (0.0, 1.0),
            &[(&curve, "#21918c", vec![(0.0, 0.0), (0.25, 0.8), (1.0, 1.0)])],
            cat.numbers(),
        );
        let table = |header: &[&str], rows: &[&[&str]]| Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        };
        Page {
            lang: cat.lang().code().into(),
            title: name.into(),
            commodity: "REE".into(),
            nedra_version: "0.1.0".into(),
            gdal_version: "3.6.2".into(),
            synthetic: true,
            method: cat.format(
                "method-bagging",
                &[("kind", cat.text("model-random_forest").into())],
            ),
            warnings: vec![crate::warnings::Warning {
                code: "conditional_independence".into(),
                message: "conditional independence fails: n/T = 0.293 <b>".into(),
                args: Default::default(),
            }],
            summary: Summary {
                cross_validation: Some(CvRows {
                    folds: 5,
                    mean_roc_auc: 0.912_34,
                    sd_roc_auc: 0.031_1,
                    mean_prediction_rate_auc: 0.887_6,
                }),
                fitted_label: cat.text("fitted-cross-validated"),
                area_km2: 25_122.5,
                cells: 401_960,
                cell_size_m: 250.0,
                deposits: 61,
                prior_probability: 0.002_43,
                success_rate_auc: serde_json::json!(0.950_81),
                success_rate_auc_interval: serde_json::json!([0.914_71, 0.979_8]),
                roc_auc: Value::Null,
                roc_auc_interval: Value::Null,
                ci_ratio: serde_json::json!(0.292_8),
                ci_probability_not_independent: serde_json::json!(1.0),
                targets: 1,
                target_rule: target_rule("top-percent 5", cat),
                target_threshold: 0.000_430_58,
            },
            maps: vec![map],
            charts: vec![chart],
            captures: vec![Capture {
                share_percent: 50.0,
                fraction_of_area: serde_json::json!(0.031_25),
                fraction_of_area_interval: serde_json::json!([0.01, 0.05]),
                score_threshold: serde_json::json!(2.5e6),
            }],
            pa_crossing: PaCrossing {
                score_threshold: Value::Null,
                prediction_rate: Value::Null,
                occupied_area: Value::Null,
                normalised_density: Value::Null,
                weight: Value::Null,
            },
            model: None,
            comparison: None,
            targets: TargetsSection {
                table: table(
                    &[
                        &column_name(cat, "targets-column", "rank"),
                        &column_name(cat, "targets-column", "top_evidence"),
                    ],
                    &[&["1", "<b>units</b> (+4.33) & \"faults\""]],
                ),
                maps: vec![],
            },
            assessment: None,
            weights: vec![WeightsSection {
                layer: "<img src=x>".into(),
                pattern: cat.text("pattern-categorical"),
                derivation: "rasterised".into(),
                source: "data/units.geojson".into(),
                table: table(
                    &[
                        &column_name(cat, "weights-column", "CLASS"),
                        &column_name(cat, "weights-column", "WPLUS"),
                    ],
                    &[&["5", "4.3300"]],
                ),
                more_rows: 2,
            }],
            provenance: vec![],
            grid: GridLine {
                width: 2,
                height: 2,
                transform: "[0.0,250.0,0.0,500.0,0.0,-250.0]".into(),
                timings: "{}".into(),
            },
        }
    }

    #[test]
    fn the_page_shows_its_figures_and_escapes_what_the_run_brings() {
        let cat = english();
        let html = render(
            &sample_page("<script>alert(\"x\")</script> & co", &cat),
            cat.clone(),
        )
        .unwrap();
        // Escaped wherever the name appears, never a tag.
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>units"), "{html}");
        let name = "&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt; &amp; co";
        assert!(
            html.contains(&format!("<title>{name} — nedra report</title>")),
            "{html}"
        );
        assert!(html.contains(&format!("<h1>{name}</h1>")), "{html}");
        assert!(html
            .contains("<td>&lt;b&gt;units&lt;&#x2f;b&gt; (+4.33) &amp; &quot;faults&quot;</td>"));
        assert!(html.contains("<h3>&lt;img src=x&gt;</h3>"));
        // Figures as the old string builder wrote them.
        for key in [
            "<p class=\"synthetic\">SYNTHETIC DATA",
            "<td>25,122.5000 km² (401,960 cells of 250 m)</td>",
            "<td>0.0024</td>",
            "<td>0.9508 [0.9147, 0.9798]</td>",
            "<td>– –</td>",
            "<td>1 (top 5 % of the study area, threshold 4.3058e-4)</td>",
            "<tr><td>50 %</td><td>0.0312</td><td>[0.0100, 0.0500]</td><td>2.5000e6</td></tr>",
            "P-A crossing: threshold –, prediction rate –,",
            "<p>… 2 more rows in <code>weights/&lt;img src=x&gt;.csv</code>.</p>",
            "<p>No target passed the rule.</p>",
        ] {
            assert_eq!(
                html.contains(key),
                key != "<p>No target passed the rule.</p>",
                "{key}"
            );
        }
        // The map: image, deposit, label, legend.
        for key in [
            r#"<svg class="map-svg" viewBox="0 0 2 48" width="2" height="48""#,
            r#"<image class="raster" href="data:image/png;base64,iVBOR"#,
            r#"<circle class="deposit" cx="0.5" cy="0.5" r="2.5""#,
            r#"<text class="target-label" x="1.5" y="1.5""#,
            r##"<stop offset="0.125" stop-color="#472d7b"/>"##,
            r#"<rect x="20" y="10" width="100" height="12" fill="url(#g52)"/>"#,
            ">1.000e-3</text>",
            ">5.000e-1</text>",
            r##"<polyline class="curve" fill="none" stroke="#21918c" stroke-width="2" points="48.00,272.00 129.00,92.80 372.00,48.00">"##,
            r#"<text x="44" y="275" font-size="10" text-anchor="end">0.00</text>"#,
        ] {
            assert!(html.contains(key), "{key}\n{html}");
        }
        assert!(html.ends_with("</html>\n"));
        // Warnings come before any figure (escaped), and the held-out figure leads the
        // summary, the fitted ones following with their label.
        let warning = html
            .find("<li>conditional independence fails: n&#x2f;T = 0.293 &lt;b&gt;</li>")
            .unwrap_or_else(|| panic!("the warning: {}", &html[..html.len().min(3000)]));
        let summary = html.find("<h2>Summary</h2>").unwrap();
        let cv = html
            .find("<td><b>0.9123 ± 0.0311</b></td>")
            .expect("the CV figure");
        let fitted = html
            .find("ROC AUC (fitted: scored on its own training deposits, optimistic)")
            .expect("the fitted figure, labelled");
        assert!(warning < summary && summary < cv && cv < fitted);
        assert!(html.contains("by random forest (positive-unlabelled bagging) · nedra"));
        assert!(html.contains("<html lang=\"en\">"));
    }

    #[test]
    fn the_model_and_assessment_sections_render() {
        let cat = english();
        let mut page = sample_page("run", &cat);
        page.targets.table.rows.clear();
        page.model = model_section(
            &serde_json::json!({
                "kind": "logistic", "members": 4, "method": "PU bagging <4>",
                "spatial_cv": {
                    "scheme": "blocks of 5 km", "mean_roc_auc": 0.91, "mean_prediction_rate_auc": 0.85,
                    "folds": [{"fold": 1, "test_positives": 12, "test_cells": 5000,
                               "roc_auc": 0.9, "prediction_rate_auc": null}],
                },
                "permutation_importance": {"method": "AUC drop", "layers": [
                    {"layer": "magnetic", "mean_auc_drop": 0.12, "sd_over_folds": 0.0004},
                ]},
            }),
            &serde_json::json!({"weights_of_evidence_baseline": {
                "roc_auc": 0.95, "spatial_cv": {"mean_roc_auc": 0.93}}}),
            &crate::project::ModelSpec::default(),
            &cat,
        );
        page.assessment = Some(assessment_section(
            &serde_json::json!({
                "quantile_convention": "F95/F50/F5: USGS.", "trials": 20000, "seed": 2026,
                "grade_tonnage_model": {"source": "models/x.json"},
                "posterior_check": {"ratio_known_to_expected": 0.5,
                                    "expected_deposits_study_area": 12.34, "known_deposits_study_area": 6},
                "total": {"quantities": [
                    {"name": "ore", "unit": "Mt", "mean": 6931.882, "probability_of_zero": 0.01,
                     "exceedance_quantiles": {"F95": 1.5, "F50": 2.5, "F5": 3.5}, "analytic": {"mean": 7000.0}},
                    {"name": "TREO", "unit": "Mt", "mean": 84.6},
                ]},
                "tracts": [{"id": 3, "area_km2": 12.44, "deposit_count": {"pmf": {"mean": 1.5, "n90": 0, "n50": 1, "n10": 3}},
                            "quantities": [{"name": "TREO", "mean": 2.0}]},
                           {"id": 4, "area_km2": 1.0, "deposit_count": {"pmf": {}}}],
            }),
            &cat,
        ));
        let html = render(&page, cat.clone()).unwrap();
        for key in [
            "<h3>Model: logistic regression (4 members)</h3><p>positive-unlabelled bagging (Mordelet &amp; Vert 2014)",
            "Spatial cross-validation — square blocks of 20 km dealt to 5 folds (seeded): mean ROC AUC 0.9100, mean prediction-rate AUC 0.8500.",
            "Weights-of-evidence baseline on the same folds: mean ROC AUC 0.9300 (fitted on all deposits, optimistic: 0.9500).</p>",
            "<th>held-out cells scored</th>",
            "<tr><td>1</td><td>12</td><td>5,000</td><td>0.9000</td><td>–</td></tr>",
            "<p>Layer importance — drop in held-out ROC AUC when the layer is shuffled (5 repeats), mean over spatial folds:</p>",
            "<tr><td>magnetic</td><td>0.1200</td><td>4.0000e-4</td></tr>",
            "<p>No target passed the rule.</p>",
            "<p>USGS: Fp is the amount exceeded with probability p (F95 low, F5 high). Trials: 20,000, seed 2026. Grade–tonnage model: <code>models&#x2f;x.json</code>.</p>",
            "predicts 12.3 deposits where 6 are known (ratio 0.50);",
            "inflated by about 2.0×.</p>",
            "<tr><td>ore (Mt)</td><td>6,931.8820</td><td>1.5000</td><td>2.5000</td><td>3.5000</td><td>0.0100</td><td>7,000.0000</td></tr>",
            "<tr><td>TREO (Mt)</td><td>84.6000</td><td>–</td><td>–</td><td>–</td><td>–</td><td>–</td></tr>",
            "<th>N90 / N50 / N10</th><th>TREO mean</th></tr>",
            "<tr><td>3</td><td>12.4400</td><td>1.5000</td><td>0 / 1 / 3</td><td>2.0000</td></tr>",
            "<tr><td>4</td><td>1.0000</td><td>–</td><td>– / – / –</td><td>–</td></tr>",
        ] {
            assert!(html.replace('\n', "").contains(key), "{key}\n{html}");
        }
        // The fuzzy network: no members; its blocks and folds as its cross-validation ran.
        page.model = model_section(
            &serde_json::json!({
                "kind": "fuzzy",
                "spatial_cv": {"block_km": 10.0, "folds_k": 4, "mean_roc_auc": 0.8,
                               "mean_prediction_rate_auc": 0.7, "folds": []},
            }),
            &Value::Null,
            &crate::project::ModelSpec::default(),
            &cat,
        );
        let html = render(&page, cat.clone()).unwrap();
        assert!(
            html.contains("<h3>Model: fuzzy inference network</h3>\n<p>fuzzy memberships combined"),
            "{html}"
        );
        assert!(html.contains("square blocks of 10 km dealt to 4 folds (seeded)"));
    }

    #[test]
    fn number_filters_match_the_tables() {
        let en = NumberFormat::of(Lang::ENGLISH);
        let ru = NumberFormat::of("ru".parse().unwrap());
        assert_eq!(num(&serde_json::json!(0.000_430_58), &en), "4.3058e-4");
        assert_eq!(num(&serde_json::json!(0.000_430_58), &ru), "4,3058e-4");
        assert_eq!(num(&serde_json::json!(0), &en), "0.0000");
        assert_eq!(num(&serde_json::json!(12_345.678), &en), "12,345.6780");
        assert_eq!(
            num(&serde_json::json!(12_345.678), &ru),
            "12\u{202f}345,6780"
        );
        assert_eq!(num(&serde_json::json!(1_234_567.0), &en), "1.2346e6");
        assert_eq!(num(&serde_json::json!("n/a"), &ru), "n/a");
        assert_eq!(num(&Value::Null, &en), "–");
        assert_eq!(
            interval(&serde_json::json!([0.1, 0.25]), &en),
            "[0.1000, 0.2500]"
        );
        assert_eq!(
            interval(&serde_json::json!([0.1, 0.25]), &ru),
            "[0,1000; 0,2500]"
        );
        assert_eq!(interval(&serde_json::json!(null), &en), "–");
        assert_eq!(count(&serde_json::json!(20_000), &ru), "20\u{202f}000");
        assert_eq!(count(&Value::Null, &ru), "–");
        // Through the template, integers and floats keep their JSON meaning; SVG positions
        // (`px`) and plain floats are never localised.
        let template = "{{ a|num }} {{ b|num }} {{ c }} {{ d }} {{ e|fixed(1) }} {{ f|sci(3) }} \
                        {{ g|count }} {{ e|px }} {{ t('map-target', rank=g) }}";
        let values = serde_json::json!({
            "a": 3, "b": 0.5, "c": 250.0, "d": 0.1, "e": 2.25, "f": 12345.0, "g": 1234
        });
        let out = |lang: &str| {
            environment(Arc::new(Catalogue::new(lang.parse().unwrap())))
                .unwrap()
                .render_str(template, Serde(values.clone()))
                .unwrap()
        };
        assert_eq!(
            out("en"),
            "3.0000 0.5000 250 0.1 2.2 1.234e4 1,234 2.2 Target 1,234"
        );
        assert_eq!(
            out("ru"),
            "3,0000 0,5000 250 0.1 2,2 1,234e4 1\u{202f}234 2.2 Участок 1\u{202f}234"
        );
    }

    fn comparison_entry(
        kind: &str,
        run: &str,
        baseline: bool,
        folds: [f64; 2],
    ) -> crate::compare::Entry {
        crate::compare::Entry {
            label: format!("{kind} ({run})"),
            kind: kind.into(),
            run: run.into(),
            baseline,
            folds: folds.iter().map(|v| Some(*v)).collect(),
            pooled: Some(0.8),
            fitted: Some(0.99),
        }
    }

    /// The comparison table: one row per model, the best first, the others with their paired
    /// fold differences from it, and a baseline named as such.
    #[test]
    fn the_comparison_shows_paired_differences() {
        let cat = english();
        let runs = tempfile::tempdir().unwrap();
        let c = crate::compare::Comparison {
            scheme: String::new(),
            entries: vec![
                comparison_entry("random_forest", "/a/rf", false, [0.9, 0.8]),
                comparison_entry("weights_of_evidence", "/a/rf", true, [0.85, 0.7]),
            ],
        };
        std::fs::write(runs.path().join("comparison.json"), c.to_json().to_string()).unwrap();
        let v = serde_json::json!({"spatial_cv": {"block_km": 20.0, "folds_k": 2}});
        let spec = crate::project::ModelSpec::default();
        let s = comparison_section(runs.path(), &v, &spec, &cat)
            .unwrap()
            .unwrap();
        assert_eq!(s.rows.len(), 2);
        assert!(s.rows[0].best && !s.rows[1].best);
        assert_eq!(s.rows[0].model, "random forest");
        assert_eq!(s.rows[1].run, "rf");
        assert!(
            s.rows[1].model.contains("weights of evidence") && s.rows[1].model.contains("baseline")
        );
        // RF − WofE per fold: 0.05 and 0.10 → mean 0.075, sd √((0.025² · 2)/1), RF higher in both.
        let mean = s.rows[1].paired_mean.as_f64().unwrap();
        let sd = s.rows[1].paired_sd.as_f64().unwrap();
        assert!(
            (mean - 0.075).abs() < 1e-12 && (sd - (2.0 * 0.025f64.powi(2)).sqrt()).abs() < 1e-12
        );
        assert_eq!(
            (
                s.rows[1].best_wins.as_u64(),
                s.rows[1].folds_compared.as_u64()
            ),
            (Some(2), Some(2))
        );
        assert!(s.rows[0].paired_mean.is_null());
        assert!((s.rows[0].mean.as_f64().unwrap() - 0.85).abs() < 1e-12);
        // Not a comparison: named.
        std::fs::write(runs.path().join("comparison.json"), "{}").unwrap();
        let e = comparison_section(runs.path(), &v, &spec, &cat)
            .err()
            .unwrap();
        assert!(format!("{e:#}").contains("comparison.json"), "{e:#}");
        assert!(
            comparison_section(tempfile::tempdir().unwrap().path(), &v, &spec, &cat)
                .unwrap()
                .is_none()
        );
    }

    /// The report in every language: the words of its catalogue only (no message id, no
    /// missing-message mark, no English sentence of the catalogue), its numbers, its `lang`.
    #[test]
    fn the_report_renders_in_every_language() {
        let english = Catalogue::new(Lang::ENGLISH);
        for lang in Lang::all() {
            let cat = Arc::new(Catalogue::new(lang));
            let mut page = sample_page("run", &cat);
            page.model = model_section(
                &serde_json::json!({
                    "kind": "random_forest", "members": 10,
                    "spatial_cv": {"mean_roc_auc": 0.91, "mean_prediction_rate_auc": 0.85,
                                   "folds": [{"fold": 1, "test_positives": 12,
                                              "test_background": 1500, "roc_auc": 0.9,
                                              "prediction_rate_auc": 0.8}]},
                    "permutation_importance": {"layers": [
                        {"layer": "magnetic", "mean_auc_drop": 0.12, "sd_over_folds": 0.01}]},
                }),
                &serde_json::json!({"weights_of_evidence_baseline": {"roc_auc": 0.95}}),
                &crate::project::ModelSpec::default(),
                &cat,
            );
            page.assessment = Some(assessment_section(
                &serde_json::json!({
                    "trials": 20000, "seed": 7,
                    "posterior_check": {"ratio_known_to_expected": 0.5,
                                        "expected_deposits_study_area": 12.34,
                                        "known_deposits_study_area": 6},
                    "total": {"quantities": [{"name": "ore", "unit": "Mt", "mean": 1.5},
                                             {"name": "TREO", "unit": "Mt", "mean": 0.2}]},
                    "tracts": [{"id": 1, "area_km2": 3.5,
                                "deposit_count": {"pmf": {"mean": 1.5, "n90": 0, "n50": 1, "n10": 3}}}],
                }),
                &cat,
            ));
            page.weights[0].more_rows = 5;
            let runs = tempfile::tempdir().unwrap();
            let c = crate::compare::Comparison {
                scheme: String::new(),
                entries: vec![
                    comparison_entry("gradient_boosting", "/x/run-gbt", false, [0.9, 0.8]),
                    comparison_entry("weights_of_evidence", "/x/run", false, [0.85, 0.7]),
                ],
            };
            std::fs::write(runs.path().join("comparison.json"), c.to_json().to_string()).unwrap();
            page.comparison = comparison_section(
                runs.path(),
                &serde_json::json!({"spatial_cv": {"block_km": 20.0, "folds_k": 2}}),
                &crate::project::ModelSpec::default(),
                &cat,
            )
            .unwrap();
            let html = render(&page, cat.clone()).unwrap();
            assert!(
                html.contains(&format!("<html lang=\"{}\">", lang.code())),
                "{lang}"
            );
            assert!(!html.contains(crate::locale::MISSING), "{lang}: {html}");
            for id in english_ids() {
                if id.contains('-') {
                    assert!(!html.contains(&id), "{lang}: the id {id} shows");
                }
                let en = english.text(&id);
                if lang == Lang::ENGLISH
                    || en.contains(crate::locale::MISSING)
                    || id.starts_with("number-")
                    || id == "missing-value"
                {
                    continue; // the same language, or a message that needs its variables
                }
                // A sentence anywhere, a short message as a whole element.
                let left = if en.len() > 12 {
                    html.contains(&en)
                } else {
                    html.contains(&format!(">{en}<")) && en != english.text("column-roc-auc")
                };
                assert!(!left, "{lang}: English left: {en}");
            }
            let expected: &[&str] = match lang.code() {
                "en" => &[
                    "Summary",
                    "Study area",
                    "25,122.5000 km²",
                    "Weights of evidence",
                ],
                "ru" => &[
                    "Сводка",
                    "Площадь исследования",
                    "25\u{202f}122,5000 км² (401\u{202f}960 ячеек размером 250 м)",
                    "Веса признаков",
                    "Перспективные участки",
                    "Апостериорная вероятность",
                    "ансамбль из 10 моделей",
                    "… ещё 5 строк в",
                    "Испытаний Монте-Карло: 20\u{202f}000",
                    "[0,9147; 0,9798]",
                ],
                "be" => &[
                    "Зводка",
                    "Плошча даследавання",
                    "25\u{202f}122,5000 км² (401\u{202f}960 ячэек памерам 250 м)",
                    "Вагі прыкмет",
                    "Перспектыўныя ўчасткі",
                    "Апастэрыёрная верагоднасць",
                    "ансамбль з 10 мадэлей",
                    "… яшчэ 5 радкоў у",
                ],
                _ => &[],
            };
            for key in expected {
                assert!(html.contains(key), "{lang}: {key}\n{html}");
            }
        }
    }

    /// The ids of the English catalogue's messages: `id =` in the first column.
    fn english_ids() -> Vec<String> {
        include_str!("../locales/en.ftl")
            .lines()
            .filter(|l| !l.starts_with(['#', ' ']) && l.contains(" ="))
            .filter_map(|l| l.split(" =").next().map(str::to_string))
            .collect()
    }

    #[test]
    fn viridis_ends_and_middle() {
        assert_eq!(viridis(0.0), [0x44, 0x01, 0x54]);
        assert_eq!(viridis(1.0), [0xfd, 0xe7, 0x25]);
        assert_eq!(viridis(0.5), [0x21, 0x91, 0x8c]);
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }
}
