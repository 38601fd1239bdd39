//! The routes: the page and its assets, the run catalogue, tiles, legends, targets, outline,
//! point values, curves, the manifest and the run's files.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::assets;
use crate::basemap::Basemap;
use crate::cache::{TileCache, TileKey};
use crate::catalog::Catalog;
use crate::legend::{Legend, Painter};
use crate::security::{self, Guard, CONTENT_SECURITY_POLICY, MAX_BODY_BYTES};
use crate::tiles::{paint_png, tile_extent, tile_values};

/// The Content-Security-Policy of HTML files of a run (report.html): its inline styles and
/// pictures, no scripts, nothing from elsewhere, sandboxed.
pub const REPORT_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/// The largest file of a run served whole (report.html, JSON and CSV tables), bytes.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// What every handler shares.
pub struct App {
    /// The runs served.
    pub catalog: Catalog,
    /// The basemap, when one was given.
    pub basemap: Option<Basemap>,
    /// Encoded tiles.
    pub cache: TileCache,
    /// Tiles being made at once at most (each holds a GDAL dataset and a warp).
    pub renders: Semaphore,
}

type Shared = State<Arc<App>>;

/// The whole service: routes behind the guard, with the security headers on every response.
pub fn router(app: Arc<App>, guard: Arc<Guard>) -> Router<()> {
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
        .route("/api/runs", get(runs))
        .route("/basemap/{z}/{x}/{y}", get(basemap_tile))
        .route("/runs/{run}/layers", get(layers))
        .route("/runs/{run}/legend/{layer}", get(legend))
        .route("/runs/{run}/tiles/{layer}/{z}/{x}/{tile}", get(tile))
        .route("/runs/{run}/manifest", get(manifest))
        .route("/runs/{run}/curves", get(curves))
        .route("/runs/{run}/targets.geojson", get(targets))
        .route("/runs/{run}/outline.geojson", get(outline))
        .route("/runs/{run}/point", get(point))
        .route("/runs/{run}/files/{*path}", get(file))
        .fallback(not_found)
        .with_state(app)
        .layer(middleware::from_fn_with_state(guard, security::guard))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header("cross-origin-resource-policy", "same-origin"))
}

/// The service with the client's address available to the guard.
pub fn make_service(
    app: Arc<App>,
    guard: Arc<Guard>,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router<()>, SocketAddr> {
    router(app, guard).into_make_service_with_connect_info::<SocketAddr>()
}

fn not_found_text(what: String) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("not found: {what}\n"),
    )
        .into_response()
}

async fn not_found() -> Response {
    not_found_text("no such page".into())
}

fn server_error(message: String) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{message}\n"),
    )
        .into_response()
}

fn bytes(content_type: &'static str, body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body.into()).into_response()
}

async fn index() -> Response {
    bytes(assets::INDEX.content_type, assets::INDEX.bytes)
}

async fn asset(Path(name): Path<String>) -> Response {
    match assets::asset(&name) {
        Some(a) => bytes(a.content_type, a.bytes),
        None => not_found_text(format!("asset {name}")),
    }
}

async fn runs(State(app): Shared) -> Response {
    let runs: Vec<Value> = app
        .catalog
        .runs
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "title": r.title(),
                "synthetic": r.manifest["synthetic"],
                // The language of the run's report: the page's, unless ?lang= says otherwise.
                "lang": r.manifest["project"]["project"]["lang"],
                "layers": r.layers.iter().map(|l| l.info(&r.root)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let basemap = app.basemap.as_ref().map(Basemap::info);
    Json(json!({ "runs": runs, "basemap": basemap })).into_response()
}

/// A basemap tile as stored (`Y` with or without an extension), 404 when there is no basemap
/// or no such tile.
async fn basemap_tile(
    State(app): Shared,
    Path((z, x, y)): Path<(String, String, String)>,
) -> Response {
    let address = (|| {
        let y = y.split_once('.').map_or(y.as_str(), |(y, _)| y);
        Some((
            z.parse::<u8>().ok()?,
            x.parse::<u32>().ok()?,
            y.parse::<u32>().ok()?,
        ))
    })();
    let (Some((z, x, y)), Some(_)) = (address, &app.basemap) else {
        return not_found_text(format!("basemap tile {z}/{x}/{y}"));
    };
    let worker = app.clone();
    let read = tokio::task::spawn_blocking(move || {
        worker.basemap.as_ref().map(|b| (b.format, b.tile(z, x, y)))
    })
    .await;
    match read {
        Ok(Some((format, Ok(Some(bytes))))) => (
            [
                (header::CONTENT_TYPE, format.content_type()),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            bytes,
        )
            .into_response(),
        Ok(Some((_, Ok(None)))) | Ok(None) => not_found_text(format!("basemap tile {z}/{x}/{y}")),
        Ok(Some((_, Err(e)))) => server_error(format!("basemap tile {z}/{x}/{y}: {e}")),
        Err(_) => server_error(format!("basemap tile {z}/{x}/{y}: the worker failed")),
    }
}

/// Runs `f` on the run named `name`, or answers 404.
fn with_run(app: &App, name: &str, f: impl FnOnce(usize) -> Response) -> Response {
    match app.catalog.run(name) {
        Some((i, _)) => f(i),
        None => not_found_text(format!("run {name}")),
    }
}

async fn layers(State(app): Shared, Path(run): Path<String>) -> Response {
    with_run(&app, &run, |i| {
        let r = &app.catalog.runs[i];
        Json(r.layers.iter().map(|l| l.info(&r.root)).collect::<Vec<_>>()).into_response()
    })
}

async fn legend(State(app): Shared, Path((run, layer)): Path<(String, String)>) -> Response {
    with_run(&app, &run, |i| match app.catalog.runs[i].layer(&layer) {
        Some((_, l)) => Json(&l.legend).into_response(),
        None => not_found_text(format!("layer {layer} of run {run}")),
    })
}

async fn tile(
    State(app): Shared,
    Path((run, layer, z, x, tile)): Path<(String, String, String, String, String)>,
) -> Response {
    let address = (|| {
        let y = tile.strip_suffix(".png")?.parse::<u32>().ok()?;
        let (z, x) = (z.parse::<u32>().ok()?, x.parse::<u32>().ok()?);
        Some((z, x, y, tile_extent(z, x, y)?))
    })();
    let Some((z, x, y, extent)) = address else {
        return not_found_text(format!("tile {z}/{x}/{tile}"));
    };
    let Some((run_index, r)) = app.catalog.run(&run) else {
        return not_found_text(format!("run {run}"));
    };
    let Some((layer_index, _)) = r.layer(&layer) else {
        return not_found_text(format!("layer {layer} of run {run}"));
    };
    let key = TileKey {
        run: run_index,
        layer: layer_index,
        z,
        x,
        y,
    };
    if let Some(png) = app.cache.get(&key) {
        return png_response(png);
    }
    let Ok(_permit) = app.renders.acquire().await else {
        return server_error("the server is stopping".into());
    };
    let worker = app.clone();
    let made = tokio::task::spawn_blocking(move || {
        let layer = &worker.catalog.runs[run_index].layers[layer_index];
        let values = tile_values(layer, &worker.catalog.web_mercator, extent)?;
        Ok::<_, nedra_io::Error>(paint_png(&values, &Painter::new(&layer.legend)))
    })
    .await;
    match made {
        Ok(Ok(png)) => {
            let png = Bytes::from(png);
            app.cache.insert(key, png.clone());
            png_response(png)
        }
        Ok(Err(e)) => server_error(format!("tile {z}/{x}/{y} of {layer}: {e}")),
        Err(_) => server_error(format!(
            "tile {z}/{x}/{y} of {layer}: the tile worker failed"
        )),
    }
}

fn png_response(png: Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        png,
    )
        .into_response()
}

async fn manifest(State(app): Shared, Path(run): Path<String>) -> Response {
    with_run(&app, &run, |i| {
        Json(&app.catalog.runs[i].manifest).into_response()
    })
}

/// The rows of a small numeric CSV file of the run (success_rate.csv, pa_plot.csv, roc.csv) as
/// `{column: [values…]}`; non-finite values become null.
fn csv_columns(path: &std::path::Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let names: Vec<&str> = lines.next()?.split(',').map(str::trim).collect();
    let mut columns: Vec<Vec<Value>> = vec![Vec::new(); names.len()];
    for line in lines.take(100_000) {
        for (i, cell) in line.split(',').enumerate().take(names.len()) {
            let v = cell.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            columns[i].push(v.map_or(Value::Null, |v| json!(v)));
        }
    }
    Some(Value::Object(
        names
            .iter()
            .zip(columns)
            .map(|(n, c)| (n.to_string(), Value::Array(c)))
            .collect(),
    ))
}

async fn curves(State(app): Shared, Path(run): Path<String>) -> Response {
    with_run(&app, &run, |i| {
        let root = &app.catalog.runs[i].root;
        let validation: Value = std::fs::read_to_string(root.join("validation.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        let keep = [
            "roc_auc",
            "roc_auc_interval",
            "success_rate_auc",
            "success_rate_auc_interval",
            "prediction_rate_auc",
            "prediction_rate_auc_interval",
            "captures",
            "pa_crossing",
        ];
        let summary: serde_json::Map<String, Value> = keep
            .iter()
            .filter_map(|k| validation.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        Json(json!({
            "summary": summary,
            "success_rate": csv_columns(&root.join("success_rate.csv")),
            "prediction_rate": csv_columns(&root.join("prediction_rate.csv")),
            "pa_plot": csv_columns(&root.join("pa_plot.csv")),
            "roc": csv_columns(&root.join("roc.csv")),
        }))
        .into_response()
    })
}

/// Which GeoJSON of a run, made once on first use and kept.
#[derive(Clone, Copy)]
enum Features {
    Targets,
    Outline,
}

async fn targets(State(app): Shared, Path(run): Path<String>) -> Response {
    features(app, run, Features::Targets).await
}

async fn outline(State(app): Shared, Path(run): Path<String>) -> Response {
    features(app, run, Features::Outline).await
}

async fn features(app: Arc<App>, run: String, which: Features) -> Response {
    let Some((i, _)) = app.catalog.run(&run) else {
        return not_found_text(format!("run {run}"));
    };
    let what = match which {
        Features::Targets => "targets",
        Features::Outline => "outline",
    };
    let worker = app.clone();
    let made = tokio::task::spawn_blocking(move || {
        let r = &worker.catalog.runs[i];
        let geographic = &worker.catalog.geographic;
        match which {
            Features::Targets => r
                .targets
                .get_or_init(|| crate::features::targets_geojson(r, geographic)),
            Features::Outline => r
                .outline
                .get_or_init(|| crate::features::outline_geojson(r, geographic)),
        }
        .clone()
    })
    .await;
    match made {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => server_error(format!("{what} of run {run}: {e}")),
        Err(_) => server_error(format!("{what} of run {run}: the worker failed")),
    }
}

/// `?lon=…&lat=…` in degrees (EPSG:4326).
#[derive(Deserialize)]
struct PointQuery {
    lon: f64,
    lat: f64,
}

async fn point(
    State(app): Shared,
    Path(run): Path<String>,
    Query(q): Query<PointQuery>,
) -> Response {
    let Some((i, _)) = app.catalog.run(&run) else {
        return not_found_text(format!("run {run}"));
    };
    if !(q.lon.is_finite() && q.lat.is_finite() && q.lon.abs() <= 180.0 && q.lat.abs() <= 90.0) {
        return (StatusCode::BAD_REQUEST, "lon and lat must be degrees\n").into_response();
    }
    let worker = app.clone();
    let made = tokio::task::spawn_blocking(move || {
        let r = &worker.catalog.runs[i];
        let mut values = Vec::new();
        for layer in &r.layers {
            let (mut xs, mut ys) = (vec![q.lon], vec![q.lat]);
            nedra_io::crs::transform_points(
                &worker.catalog.geographic,
                &layer.grid.crs_wkt,
                &mut xs,
                &mut ys,
            )?;
            let value = layer.value_at(xs[0], ys[0])?;
            let label = match (&layer.legend, value) {
                (Legend::Classes { classes }, Some(v)) => classes
                    .iter()
                    .find(|c| c.value as f64 == v.round())
                    .map(|c| c.label.clone()),
                _ => None,
            };
            values.push(
                json!({"id": layer.id, "title": layer.title, "value": value, "label": label}),
            );
        }
        Ok::<_, nedra_io::Error>(json!({"lon": q.lon, "lat": q.lat, "values": values}))
    })
    .await;
    match made {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => server_error(format!("point query of run {run}: {e}")),
        Err(_) => server_error(format!("point query of run {run}: the worker failed")),
    }
}

/// A document or table of the run folder (HTML, JSON, CSV, GeoJSON, text, PNG, SVG up to
/// [`MAX_FILE_BYTES`]), by its path inside the folder; the page links report.html and reads
/// assessment.json. Nothing outside the folder, no listings, no rasters (they are tiles).
async fn file(State(app): Shared, Path((run, path)): Path<(String, String)>) -> Response {
    let Some((_, r)) = app.catalog.run(&run) else {
        return not_found_text(format!("run {run}"));
    };
    let Some(real) = security::file_inside(&r.root, &path) else {
        return not_found_text(format!("file {path} of run {run}"));
    };
    let content_type = match real.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("geojson") => "application/geo+json",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        // Rasters are served as tiles and point values, GeoPackages as GeoJSON.
        _ => {
            return not_found_text(format!(
                "file {path} of run {run} (only documents and tables are served)"
            ))
        }
    };
    if std::fs::metadata(&real).map_or(true, |m| m.len() > MAX_FILE_BYTES) {
        return not_found_text(format!(
            "file {path} of run {run} (larger than {} MiB)",
            MAX_FILE_BYTES >> 20
        ));
    }
    match tokio::task::spawn_blocking(move || std::fs::read(real)).await {
        Ok(Ok(body)) => {
            let mut response = bytes(content_type, body);
            if content_type.starts_with("text/html") {
                // The run's own offline report: its inline styles and pictures, no scripts,
                // nothing from elsewhere.
                response.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(REPORT_CONTENT_SECURITY_POLICY),
                );
            }
            response
        }
        _ => not_found_text(format!("file {path} of run {run}")),
    }
}
