//! `report.html`: one offline file a programme manager can open — maps with a perceptual
//! colour map and legend, validation curves (SVG), weights, targets and provenance.
//!
//! Everything is embedded (PNG previews as data URIs inside SVG, no script, no font or
//! network request), so the file works from a USB stick.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use nedra_core::{Grid, Window};
use nedra_io::{encode_png, files, RasterReader};
use serde_json::Value;

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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

/// An SVG map: the preview image, deposit dots, target labels and a colour legend.
fn svg_map(
    p: &Preview,
    scale: Scale,
    title: &str,
    legend: &str,
    points: &[(f64, f64)],
    labels: &[(f64, f64, String)],
) -> Result<String> {
    let (w, h) = (p.width as f64, p.height as f64);
    let e = p.extent;
    let px = |x: f64, y: f64| {
        (
            (x - e[0]) / (e[2] - e[0]) * w,
            (e[3] - y) / (e[3] - e[1]) * h,
        )
    };
    let legend_h = if legend.is_empty() { 0.0 } else { 46.0 };
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<figure class="map"><svg class="map-svg" viewBox="0 0 {w} {}" width="{w}" height="{}" role="img" aria-label="{}"><title>{}</title><rect width="{w}" height="{h}" fill="#f2f2f2"/><image class="raster" href="{}" x="0" y="0" width="{w}" height="{h}" style="image-rendering:pixelated"/>"##,
        h + legend_h,
        h + legend_h,
        esc(title),
        esc(title),
        png_data_uri(p, scale)?
    );
    for &(x, y) in points {
        let (cx, cy) = px(x, y);
        let _ = write!(
            s,
            r##"<circle class="deposit" cx="{cx:.1}" cy="{cy:.1}" r="2.5" fill="#ffffff" stroke="#d62728" stroke-width="1.2"/>"##
        );
    }
    for (x, y, text) in labels {
        let (cx, cy) = px(*x, *y);
        let _ = write!(
            s,
            r##"<text class="target-label" x="{cx:.1}" y="{cy:.1}" font-size="12" font-weight="bold" fill="#ffffff" stroke="#000000" stroke-width="0.6" text-anchor="middle">{}</text>"##,
            esc(text)
        );
    }
    if legend.is_empty() {
        let _ = write!(s, "</svg><figcaption>{}</figcaption></figure>", esc(title));
        return Ok(s);
    }
    // Legend: a gradient bar with end labels.
    let bar_w = (w - 40.0).clamp(100.0, 420.0);
    let _ = write!(
        s,
        r##"<defs><linearGradient id="g{}" x1="0" x2="1">"##,
        title.len() + legend.len()
    );
    for (k, c) in VIRIDIS.iter().enumerate() {
        let _ = write!(
            s,
            r##"<stop offset="{}" stop-color="{}"/>"##,
            k as f64 / 8.0,
            hex(*c)
        );
    }
    let (lo, hi) = match scale {
        Scale::Linear(a, b) | Scale::Log10(a, b) => (a, b),
    };
    let _ = write!(
        s,
        r##"</linearGradient></defs><g class="legend"><rect x="20" y="{}" width="{bar_w}" height="12" fill="url(#g{})"/><text x="20" y="{}" font-size="11">{:.3e}</text><text x="{}" y="{}" font-size="11" text-anchor="end">{:.3e}</text><text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text></g></svg><figcaption>{}</figcaption></figure>"##,
        h + 8.0,
        title.len() + legend.len(),
        h + 34.0,
        lo,
        20.0 + bar_w,
        h + 34.0,
        hi,
        20.0 + bar_w / 2.0,
        h + 34.0,
        esc(legend),
        esc(title)
    );
    Ok(s)
}

/// One chart series: name, colour, points.
type Series<'a> = (&'a str, &'a str, Vec<(f64, f64)>);

/// An SVG line chart of several series on [0, 1]² (or given ranges).
fn svg_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    x_range: (f64, f64),
    series: &[Series],
) -> String {
    let (w, h, m) = (420.0, 320.0, 48.0);
    let (pw, ph) = (w - 2.0 * m, h - 2.0 * m);
    let sx = |x: f64| m + (x - x_range.0) / (x_range.1 - x_range.0) * pw;
    let sy = |y: f64| h - m - y * ph;
    let mut s = format!(
        r##"<figure class="chart"><svg class="chart-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}"><title>{t}</title><rect x="{m}" y="{m}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#888888"/>"##,
        t = esc(title)
    );
    for k in 0..=4 {
        let f = k as f64 / 4.0;
        let xv = x_range.0 + f * (x_range.1 - x_range.0);
        let _ = write!(
            s,
            r##"<line x1="{m}" x2="{}" y1="{y}" y2="{y}" stroke="#e0e0e0"/><text x="{}" y="{}" font-size="10" text-anchor="end">{f:.2}</text><text x="{x}" y="{}" font-size="10" text-anchor="middle">{}</text>"##,
            m + pw,
            m - 4.0,
            sy(f) + 3.0,
            h - m + 14.0,
            if xv.abs() < 1e-2 && xv != 0.0 {
                format!("{xv:.1e}")
            } else {
                format!("{xv:.2}")
            },
            y = sy(f),
            x = sx(xv)
        );
    }
    for (name, colour, pts) in series {
        let d: Vec<String> = pts
            .iter()
            .map(|(x, y)| format!("{:.2},{:.2}", sx(*x), sy(*y)))
            .collect();
        let _ = write!(
            s,
            r##"<polyline class="curve" fill="none" stroke="{colour}" stroke-width="2" points="{}"><title>{}</title></polyline>"##,
            d.join(" "),
            esc(name)
        );
    }
    for (k, (name, colour, _)) in series.iter().enumerate() {
        let y = m + 14.0 + 14.0 * k as f64;
        let _ = write!(
            s,
            r##"<rect x="{}" y="{}" width="10" height="3" fill="{colour}"/><text x="{}" y="{}" font-size="11">{}</text>"##,
            m + 8.0,
            y - 4.0,
            m + 22.0,
            y,
            esc(name)
        );
    }
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text><text x="12" y="{}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {})">{}</text></svg><figcaption>{}</figcaption></figure>"##,
        m + pw / 2.0,
        h - 8.0,
        esc(x_label),
        h / 2.0,
        h / 2.0,
        esc(y_label),
        esc(title)
    );
    s
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

fn num(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) => format!("{x:.4e}"),
        Some(x) => format!("{x:.4}"),
        None => v.as_str().map(esc).unwrap_or_else(|| "–".into()),
    }
}

fn numf(x: f64) -> String {
    num(&serde_json::json!(x))
}

fn interval(v: &Value) -> String {
    match (v[0].as_f64(), v[1].as_f64()) {
        (Some(a), Some(b)) => format!("[{a:.4}, {b:.4}]"),
        _ => "–".into(),
    }
}

/// Writes `report.html` into a finished run folder.
///
/// # Errors
/// When a file of the run folder is missing or unreadable.
pub fn write_report(run: &Path) -> Result<std::path::PathBuf> {
    let manifest = crate::manifest::RunManifest::read(run)?;
    let validation: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("validation.json"))?)?;
    let maps = &manifest.maps;
    let posterior_path = run.join(&maps.score);
    let uncertainty_path = run.join(&maps.uncertainty);
    let score_label = maps.score_label.clone();
    let map_title = format!("{}{}", score_label[..1].to_uppercase(), &score_label[1..]);
    let grid = RasterReader::open(&posterior_path)?.grid().clone();
    let whole = Window {
        col_off: 0,
        row_off: 0,
        width: grid.width,
        height: grid.height,
    };
    let synthetic = manifest.synthetic;
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
    let map_post = svg_map(
        &post,
        post_scale,
        &map_title,
        "log scale",
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
    let map_unc = svg_map(
        &unc,
        Scale::Linear(ulo, uhi.max(ulo + 1e-12)),
        "Uncertainty: standard deviation (of the posterior, or across the model ensemble)",
        "standard deviation",
        &deposits,
        &[],
    )?;

    // Curves.
    let (_, sr) = read_csv_rows(&run.join("success_rate.csv"))?;
    let sr_pts: Vec<(f64, f64)> = sr
        .iter()
        .filter_map(|r| Some((r[0].parse().ok()?, r[1].parse().ok()?)))
        .collect();
    let chart_sr = svg_chart(
        "Success-rate curve",
        "fraction of study area (by decreasing posterior)",
        "fraction of deposits",
        (0.0, 1.0),
        &[
            ("success rate", "#21918c", sr_pts),
            ("random", "#aaaaaa", vec![(0.0, 0.0), (1.0, 1.0)]),
        ],
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
    let chart_pa = svg_chart(
        "Prediction–area plot",
        "log10 of the posterior probability threshold",
        "share",
        (pmin.min(pmax - 1e-9), pmax),
        &[
            (
                "prediction rate (deposits)",
                "#440154",
                pa_rows.iter().map(|r| (lg(r.0), r.1)).collect(),
            ),
            (
                "1 − occupied area",
                "#5ec962",
                pa_rows.iter().map(|r| (lg(r.0), 1.0 - r.2)).collect(),
            ),
        ],
    );

    // Small maps of the top targets.
    let mut small_maps = String::new();
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
        small_maps.push_str(&svg_map(
            &p,
            post_scale,
            &format!("Target {label}"),
            "",
            &inside,
            &[(*x, *y, label.clone())],
        )?);
    }

    // Tables.
    let v = &validation;
    let ci = &v["conditional_independence"];
    let mut html = String::new();
    let _ = write!(
        html,
        r##"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} — nedra report</title><style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#222;line-height:1.4;padding:0 1rem}}
h1{{margin-bottom:.2rem}} .synthetic{{background:#fde725;color:#222;padding:.6rem 1rem;font-weight:bold;border-radius:4px}}
table{{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.9rem}} td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}} th{{background:#f4f4f4}} td:first-child,th:first-child{{text-align:left}}
figure{{display:inline-block;margin:.5rem;vertical-align:top}} figcaption{{font-size:.85rem;color:#555}} .small figure svg{{width:220px;height:auto}}
code{{font-size:.85rem}}
</style></head><body>
<h1>{title}</h1><p>Prospectivity for <b>{commodity}</b> by weights of evidence · nedra {version} · GDAL {gdal}</p>
{banner}
<h2>Summary</h2>
<table><tr><th>quantity</th><th>value</th></tr>
<tr><td>Study area</td><td>{area} km² ({cells} cells of {cell} m)</td></tr>
<tr><td>Training deposits</td><td>{deps}</td></tr>
<tr><td>Prior probability (deposits per unit cell)</td><td>{prior}</td></tr>
<tr><td>Success-rate AUC [95 % bootstrap interval]</td><td>{sr_auc} {sr_ci}</td></tr>
<tr><td>ROC AUC [95 % bootstrap interval]</td><td>{roc} {roc_ci}</td></tr>
<tr><td>Conditional independence: n/T (Bonham-Carter; &lt; 0.85 is a warning)</td><td>{ratio}</td></tr>
<tr><td>Agterberg–Cheng test: P(model not conditionally independent)</td><td>{pnci}</td></tr>
<tr><td>Targets</td><td>{ntargets} ({rule}, threshold {thr})</td></tr>
</table>
<h2>Maps</h2>
<p>White dots: training deposits. Numbers: target ranks. Colour map: viridis (perceptually uniform).</p>
{map_post}{map_unc}
<h2>Validation</h2>
{chart_sr}{chart_pa}
"##,
        title = esc(name),
        commodity = esc(&meta.commodity),
        version = esc(&manifest.versions.nedra),
        gdal = esc(&manifest.versions.gdal),
        banner = if synthetic {
            r##"<p class="synthetic">SYNTHETIC DATA — this run uses nedra's generated demonstration data, not real geology.</p>"##
        } else {
            ""
        },
        area = numf(manifest.grid.study_area_km2),
        cells = manifest.grid.study_area_cells,
        cell = grid.transform[1].abs(),
        deps = manifest.deposits.used,
        prior = numf(manifest.response.prior_probability),
        sr_auc = num(&v["success_rate_auc"]),
        sr_ci = interval(&v["success_rate_auc_interval"]),
        roc = num(&v["roc_auc"]),
        roc_ci = interval(&v["roc_auc_interval"]),
        ratio = num(&ci["ratio_n_over_t"]),
        pnci = num(&ci["probability_not_independent"]),
        ntargets = manifest.targets.count,
        rule = esc(&manifest.targets.rule),
        thr = numf(manifest.targets.threshold),
    );
    html.push_str("<table><tr><th>share of deposits</th><th>fraction of area needed</th><th>95 % interval</th><th>posterior threshold</th></tr>");
    for c in v["captures"].as_array().into_iter().flatten() {
        let _ = write!(
            html,
            "<tr><td>{:.0} %</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            100.0 * c["share_of_deposits"].as_f64().unwrap_or(f64::NAN),
            num(&c["fraction_of_area"]),
            interval(&c["fraction_of_area_interval"]),
            num(&c["score_threshold"])
        );
    }
    let pa = &v["pa_crossing"];
    let _ = write!(
        html,
        "</table><p>P-A crossing: threshold {}, prediction rate {}, occupied area {}, normalised density {}, weight {}.</p>",
        num(&pa["score_threshold"]),
        num(&pa["prediction_rate"]),
        num(&pa["occupied_area"]),
        num(&pa["normalised_density"]),
        num(&pa["weight"])
    );

    let model = &manifest.model;
    if !model.is_null() {
        let cv = &model["spatial_cv"];
        let _ = write!(
            html,
            "<h3>Model: {} ({} members)</h3><p>{}</p><p>Spatial cross-validation — {}: mean ROC AUC {}, mean prediction-rate AUC {}. Weights-of-evidence baseline fitted on all deposits (not cross-validated): ROC AUC {}.</p><table><tr><th>fold</th><th>held-out deposits</th><th>held-out background</th><th>ROC AUC</th><th>prediction-rate AUC</th></tr>",
            esc(model["kind"].as_str().unwrap_or("")),
            model["members"],
            esc(model["method"].as_str().unwrap_or("")),
            esc(cv["scheme"].as_str().unwrap_or("")),
            num(&cv["mean_roc_auc"]),
            num(&cv["mean_prediction_rate_auc"]),
            num(&v["weights_of_evidence_baseline"]["roc_auc"])
        );
        for f in cv["folds"].as_array().into_iter().flatten() {
            let _ = write!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                f["fold"],
                f["test_positives"],
                f["test_background"],
                num(&f["roc_auc"]),
                num(&f["prediction_rate_auc"])
            );
        }
        html.push_str("</table>");
        let imp = &model["permutation_importance"];
        if let Some(rows) = imp["layers"].as_array() {
            let _ = write!(
                html,
                "<p>Layer importance — {}:</p><table><tr><th>layer</th><th>mean AUC drop</th><th>sd over folds</th></tr>",
                esc(imp["method"].as_str().unwrap_or(""))
            );
            for r in rows {
                let _ = write!(
                    html,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(r["layer"].as_str().unwrap_or("")),
                    num(&r["mean_auc_drop"]),
                    num(&r["sd_over_folds"])
                );
            }
            html.push_str("</table>");
        }
    }

    html.push_str("<h2>Targets</h2>");
    if t_rows.is_empty() {
        html.push_str("<p>No target passed the rule.</p>");
    } else {
        html.push_str("<table><tr>");
        for h in &t_head {
            let _ = write!(html, "<th>{}</th>", esc(h));
        }
        html.push_str("</tr>");
        for r in t_rows.iter().take(25) {
            html.push_str("<tr>");
            for (k, cell) in r.iter().enumerate() {
                let shown = if t_head[k] == "top_evidence"
                    || t_head[k] == "rank"
                    || t_head[k] == "deposits"
                {
                    esc(cell)
                } else {
                    cell.parse::<f64>()
                        .map(|x| num(&Value::from(x)))
                        .unwrap_or_else(|_| esc(cell))
                };
                let _ = write!(html, "<td>{shown}</td>");
            }
            html.push_str("</tr>");
        }
        let _ = write!(html, "</table><div class=\"small\">{small_maps}</div>");
    }

    if let Some(a) = ["assessment/assessment.json", "assessment.json"]
        .iter()
        .map(|f| run.join(f))
        .find(|p| p.exists())
    {
        let a: Value = serde_json::from_str(&std::fs::read_to_string(&a)?)
            .with_context(|| format!("{}: not a nedra assessment", a.display()))?;
        html.push_str(&assessment_section(&a));
    }

    html.push_str("<h2>Weights of evidence</h2>");
    for e in &manifest.evidence {
        let layer = e.name.as_str();
        let _ = write!(
            html,
            "<h3>{}</h3><p>{} pattern; {}; source <code>{}</code>.</p>",
            esc(layer),
            esc(&e.pattern.to_string()),
            esc(&e.derivation),
            esc(&e.source)
        );
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
        html.push_str("<table class=\"weights\"><tr>");
        for &i in &idx {
            let _ = write!(html, "<th>{}</th>", esc(&head[i]));
        }
        html.push_str("</tr>");
        let limit = 40;
        for r in rows.iter().take(limit) {
            html.push_str("<tr>");
            for &i in &idx {
                let shown = match head[i].as_str() {
                    "CLASS" | "NO_POINTS" | "GEN_CLASS" => esc(&r[i]),
                    _ => r[i]
                        .parse::<f64>()
                        .map(|x| format!("{x:.4}"))
                        .unwrap_or_else(|_| esc(&r[i])),
                };
                let _ = write!(html, "<td>{shown}</td>");
            }
            html.push_str("</tr>");
        }
        html.push_str("</table>");
        if rows.len() > limit {
            let _ = write!(
                html,
                "<p>… {} more rows in <code>weights/{}.csv</code>.</p>",
                rows.len() - limit,
                esc(layer)
            );
        }
    }

    html.push_str("<h2>Provenance</h2><table><tr><th>role</th><th>file</th><th>SHA-256</th></tr>");
    for i in &manifest.inputs {
        for f in &i.files {
            let _ = write!(
                html,
                "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                esc(&i.role),
                esc(&f.path),
                esc(&f.sha256)
            );
        }
    }
    let _ = write!(
        html,
        "</table><p>Grid: {} × {} cells, transform <code>{}</code>. Timings (s): <code>{}</code>. Full manifest: <code>run.json</code>.</p></body></html>",
        manifest.grid.width,
        manifest.grid.height,
        esc(&serde_json::to_string(&manifest.grid.transform)?),
        esc(&serde_json::to_string(&manifest.timings_s)?)
    );
    html.push('\n');
    let out = run.join("report.html");
    files::write_atomic(&out, html.as_bytes())?;
    Ok(out)
}

/// "How much": the resource assessment's totals and tracts, when the run has one.
fn assessment_section(a: &Value) -> String {
    let mut h = String::from("<h2>Undiscovered resources (probabilistic assessment)</h2>");
    let _ = write!(
        h,
        "<p>{}. Trials: {}, seed {}. Grade–tonnage model: <code>{}</code>.</p>",
        esc(a["quantile_convention"]
            .as_str()
            .unwrap_or("")
            .trim_end_matches('.')),
        a["trials"],
        a["seed"],
        esc(a["grade_tonnage_model"]["name"]
            .as_str()
            .or(a["grade_tonnage_model"]["source"].as_str())
            .unwrap_or(""))
    );
    let pc = &a["posterior_check"];
    if let Some(r) = pc["ratio_known_to_expected"].as_f64() {
        if r < 0.85 {
            let _ = write!(
                h,
                "<p class=\"synthetic\">Warning: the posterior predicts {:.1} deposits where {} are known (ratio {:.2}); numbers of undiscovered deposits taken from the posterior are inflated by about {:.1}×.</p>",
                pc["expected_deposits_study_area"].as_f64().unwrap_or(f64::NAN),
                pc["known_deposits_study_area"],
                r,
                1.0 / r
            );
        }
    }
    h.push_str("<table class=\"assessment\"><tr><th>total</th><th>mean</th><th>F95</th><th>F50</th><th>F5</th><th>P(0)</th><th>analytic mean</th></tr>");
    for q in a["total"]["quantities"].as_array().into_iter().flatten() {
        let f = &q["exceedance_quantiles"];
        let _ = write!(
            h,
            "<tr><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(q["name"].as_str().unwrap_or("")),
            esc(q["unit"].as_str().unwrap_or("")),
            num(&q["mean"]),
            num(&f["F95"]),
            num(&f["F50"]),
            num(&f["F5"]),
            num(&q["probability_of_zero"]),
            num(&q["analytic"]["mean"])
        );
    }
    h.push_str("</table><table><tr><th>tract</th><th>area km²</th><th>undiscovered deposits: mean</th><th>N90 / N50 / N10</th>");
    let names: Vec<String> = a["total"]["quantities"]
        .as_array()
        .into_iter()
        .flatten()
        .skip(1)
        .filter_map(|q| q["name"].as_str().map(str::to_string))
        .collect();
    for n in &names {
        let _ = write!(h, "<th>{} mean</th>", esc(n));
    }
    h.push_str("</tr>");
    for t in a["tracts"].as_array().into_iter().flatten().take(30) {
        let p = &t["deposit_count"]["pmf"];
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} / {} / {}</td>",
            t["id"],
            num(&t["area_km2"]),
            num(&p["mean"]),
            p["n90"],
            p["n50"],
            p["n10"]
        );
        for n in &names {
            let v = t["quantities"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|q| q["name"].as_str() == Some(n))
                .map(|q| num(&q["mean"]))
                .unwrap_or_else(|| "–".into());
            let _ = write!(h, "<td>{v}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    h
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

    #[test]
    fn viridis_ends_and_middle() {
        assert_eq!(viridis(0.0), [0x44, 0x01, 0x54]);
        assert_eq!(viridis(1.0), [0xfd, 0xe7, 0x25]);
        assert_eq!(viridis(0.5), [0x21, 0x91, 0x8c]);
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }
}
