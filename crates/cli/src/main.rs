//! `nedra`: exploration targeting from a project file.
//!
//! `nedra run project.toml` is the main job; `nedra demo` builds and runs a synthetic case;
//! `nedra weights` and `nedra response` are the weights-of-evidence stages on their own.
// The command doc comments are clap's --help text, where brackets mean optional parts
// (`jenks:K[:group]`), not intra-doc links.
#![allow(rustdoc::broken_intra_doc_links)]

mod choice;
mod template;
mod terminal;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use choice::Range;

use nedra_core::geochem::Substitution;
use nedra_engine::options::{
    DerivativeKind, Generalisation, Interpolation, Pattern, PmfRule, Spec, VariogramChoice,
};

/// Prints a progress line to stderr (stdout is kept for results).
pub fn say(line: &str) {
    let line = nedra_io::files::published_names(line);
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// nedra — the subsoil: mineral and petroleum prospectivity from a survey's own layers.
///
/// Every map is on one canonical grid (CRS, cell size, study area); inputs in any CRS are
/// warped onto it. Outputs are cloud-optimised GeoTIFFs, CSV tables and a run.json manifest
/// that QGIS and scripts open directly.
#[derive(Parser, Debug)]
#[command(name = "nedra", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    limits: LimitFlags,
}

/// The limits every command obeys (see `nedra_core::limits`): a request above one is refused
/// with a message naming it. Raise one only for a grid or file that really is that large.
#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Limits")]
struct LimitFlags {
    /// Largest grid, in cells (width × height).
    #[arg(long, global = true, value_name = "N", default_value_t = nedra_core::limits::Limits::DEFAULT.max_cells as usize,
          value_parser = choice::count(1, nedra_core::limits::CEILING_CELLS as usize))]
    max_cells: usize,
    /// Most classes of one layer.
    #[arg(long, global = true, value_name = "N", default_value_t = nedra_core::limits::Limits::DEFAULT.max_classes,
          value_parser = choice::count(2, usize::MAX))]
    max_classes: usize,
    /// Most features (points, lines, polygons, CSV rows) read from one file.
    #[arg(long, global = true, value_name = "N", default_value_t = nedra_core::limits::Limits::DEFAULT.max_features as usize,
          value_parser = choice::count(1, usize::MAX))]
    max_features: usize,
    /// Most bootstrap replicates of validation.
    #[arg(long, global = true, value_name = "N", default_value_t = nedra_core::limits::Limits::DEFAULT.max_bootstrap,
          value_parser = choice::count(0, usize::MAX))]
    max_bootstrap: usize,
    /// Most Monte Carlo trials of an assessment or prospects file.
    #[arg(long, global = true, value_name = "N", default_value_t = nedra_core::limits::Limits::DEFAULT.max_trials,
          value_parser = choice::count(1, usize::MAX))]
    max_trials: usize,
}

impl LimitFlags {
    fn limits(&self) -> nedra_core::limits::Limits {
        nedra_core::limits::Limits {
            max_cells: self.max_cells as u64,
            max_classes: self.max_classes,
            max_features: self.max_features as u64,
            max_bootstrap: self.max_bootstrap,
            max_trials: self.max_trials,
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a whole weights-of-evidence analysis from a project file into a run folder.
    ///
    /// The run folder gets: mask.tif, evidence/LAYER.tif (classes on the grid),
    /// weights/LAYER.csv (ArcSDM columns), posterior.tif, posterior_std.tif, confidence.tif,
    /// success_rate.csv and run.json (inputs with SHA-256, grid, options, versions, timings).
    /// The folder appears only when the run succeeds.
    Run {
        /// The project file (TOML). `nedra demo` writes a complete example.
        project: PathBuf,
        /// Run folder [default: "run" beside the project file].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the plan (stages, inputs with sizes, outputs) and check every input, option
        /// and the output folder, without computing anything.
        #[arg(long)]
        dry_run: bool,
        /// Language of report.html: en, ru or be [default: `lang` of the project file's
        /// [project] table, else en]. Recorded in run.json.
        #[arg(long, value_parser = lang)]
        lang: Option<nedra_engine::locale::Lang>,
    },
    /// Generate the built-in SYNTHETIC rare-earth demo (carbonatites under cover, UTM 35N),
    /// write its project file and run it.
    Demo {
        /// Folder for the demo's data, project and run.
        #[arg(long, default_value = "nedra-demo")]
        out: PathBuf,
        /// Seed of the synthetic data (same seed, same bytes).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Language of report.html: en (default), ru or be. Recorded in run.json.
        #[arg(long, value_parser = lang)]
        lang: Option<nedra_engine::locale::Lang>,
    },
    /// Weights of evidence of one class raster against deposit points (ArcSDM-style table).
    ///
    /// Classes are the raster's values (integers). Areas are in km² (cell size in metres);
    /// the formulas count area in unit cells of --unit-cell-km2.
    Weights {
        /// Class raster (e.g. distance classes, fault-density classes, unit codes).
        raster: PathBuf,
        /// Deposit points: Shapefile, GeoPackage, GeoJSON, or CSV with x/y columns.
        #[arg(long)]
        deposits: PathBuf,
        /// CRS of CSV deposit coordinates [default: the raster's CRS].
        #[arg(long)]
        deposits_crs: Option<String>,
        /// ascending (value ≤ v), descending (value ≥ v), categorical or binary.
        #[arg(long = "type", value_parser = choice::choice::<Pattern>())]
        kind: Pattern,
        /// Minimum studentised contrast for generalisation (ArcSDM's confidence level).
        #[arg(long, default_value_t = 2.0, value_parser = choice::number(Range::Finite))]
        threshold: f64,
        /// Unit cell in km².
        #[arg(long, default_value_t = 1.0, value_parser = choice::number(Range::Positive))]
        unit_cell_km2: f64,
        /// Generalisation rule: arcsdm (max contrast among rows passing the threshold) or ga-r
        /// (max contrast overall if any row passes).
        #[arg(long, value_parser = choice::choice::<Generalisation>(), default_value = "arcsdm")]
        generalisation: Generalisation,
        /// Pool categorical classes with |studentised contrast| below the threshold into class 99.
        #[arg(long)]
        categorical_pooling: bool,
        /// Output CSV table.
        #[arg(long)]
        out: PathBuf,
    },
    /// Posterior probability, its standard deviation and confidence from weights tables.
    ///
    /// Give one weights table per evidence raster, in the same order. The rasters must share
    /// one grid; the study area is every cell where at least one raster has data.
    Response {
        /// Weights tables as `nedra weights` writes them (ArcSDM/GA tables work): CLASS,
        /// GEN_CLASS, WEIGHT, W_STD, and CLASS_AREA and NO_POINTS for the missing-data variance.
        #[arg(long, num_args = 1.., required = true)]
        weights: Vec<PathBuf>,
        /// Class rasters, one per table.
        #[arg(long, num_args = 1.., required = true)]
        evidence: Vec<PathBuf>,
        /// Deposit points (sets the prior, D / T, and the success-rate curve).
        #[arg(long)]
        deposits: PathBuf,
        /// CRS of CSV deposit coordinates [default: the rasters' CRS].
        #[arg(long)]
        deposits_crs: Option<String>,
        /// Unit cell in km².
        #[arg(long, default_value_t = 1.0, value_parser = choice::number(Range::Positive))]
        unit_cell_km2: f64,
        /// Output folder for posterior.tif, posterior_std.tif, confidence.tif.
        #[arg(long)]
        out: PathBuf,
    },
    /// Validate any score raster against deposits: success-rate (and, with held-out deposits,
    /// prediction-rate) AUC, ROC AUC, the area needed to capture 50/80/90 % of the deposits,
    /// the prediction–area crossing, and bootstrap confidence intervals.
    ///
    /// Writes DIR/validation.json, DIR/success_rate.csv, DIR/pa_plot.csv, DIR/roc.csv (and
    /// DIR/prediction_rate.csv). Higher scores are taken as more prospective.
    Validate {
        /// Score raster (posterior probability, fuzzy score, model output …).
        score: PathBuf,
        /// Training deposits (Shapefile, GeoPackage, GeoJSON, or CSV with x/y columns).
        #[arg(long)]
        deposits: PathBuf,
        /// Held-out deposits for the prediction-rate curve.
        #[arg(long)]
        test_deposits: Option<PathBuf>,
        /// CRS of CSV deposit coordinates [default: the raster's CRS].
        #[arg(long)]
        deposits_crs: Option<String>,
        /// Bootstrap replicates for the intervals (0: none; at most --max-bootstrap).
        #[arg(long, default_value_t = 1000, value_parser = choice::count(0, usize::MAX))]
        bootstrap: usize,
        /// Seed of the bootstrap.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Deposits outside the score's valid cells: `error` (stop, naming them) or `drop`
        /// (leave them out with a warning giving their count), as `outside` in a project file.
        #[arg(long, default_value = "error", value_parser = choice::choice::<nedra_engine::project::Outside>())]
        outside: nedra_engine::project::Outside,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Exact Euclidean distance (CRS units) from each cell centre of a template raster's grid to
    /// the nearest feature (line segment, polygon boundary or point) of a vector file.
    Distance {
        /// Vector features (GeoPackage, Shapefile, GeoJSON, or CSV points with --crs).
        features: PathBuf,
        /// Template raster: its grid (CRS, transform, shape) is used.
        #[arg(long)]
        like: PathBuf,
        /// Layer inside the vector file.
        #[arg(long)]
        layer: Option<String>,
        /// CRS of the features, overriding the file's own (required for CSV).
        #[arg(long)]
        crs: Option<String>,
        /// Cells farther than this (CRS units) are NoData.
        #[arg(long, value_parser = choice::number(Range::Positive))]
        max_distance: Option<f64>,
        /// Distance to polygon boundaries, negative inside polygons (contacts).
        #[arg(long)]
        signed: bool,
        /// Output raster (cloud-optimised GeoTIFF, Float32).
        #[arg(long)]
        out: PathBuf,
    },
    /// Density of features in a moving circle on a template raster's grid: line length per
    /// area (km/km²) or point count per km² (for metre CRSs), with exact clipping of segments.
    Density {
        /// Vector features.
        features: PathBuf,
        /// Template raster: its grid is used.
        #[arg(long)]
        like: PathBuf,
        /// Radius of the circle, CRS units (metres).
        #[arg(long, value_parser = choice::number(Range::Positive))]
        radius: f64,
        /// Count points instead of measuring line length.
        #[arg(long)]
        points: bool,
        /// Layer inside the vector file.
        #[arg(long)]
        layer: Option<String>,
        /// CRS of the features, overriding the file's own (required for CSV).
        #[arg(long)]
        crs: Option<String>,
        /// Output raster (cloud-optimised GeoTIFF, Float32).
        #[arg(long)]
        out: PathBuf,
    },
    /// Derivatives of a potential-field grid (magnetics, gravity): horizontal gradient
    /// magnitude, first vertical derivative (FFT) or tilt derivative (radians), block by block
    /// with a halo of neighbours.
    Derivative {
        /// Input grid (north-up, square cells).
        raster: PathBuf,
        /// gradient, vertical or tilt.
        #[arg(long, value_parser = choice::choice::<DerivativeKind>())]
        kind: DerivativeKind,
        /// Halo of neighbour cells read around each 512 × 512 block.
        #[arg(long, default_value_t = 64, value_parser = choice::count(1, 4096))]
        halo: usize,
        /// Output raster (Float32).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print a knowledge-driven deposit-model template — a complete project file (evidence
    /// layers, fuzzy memberships, inference network, cited sources) to save and edit — or
    /// propose templates by commodity; without arguments, list the templates.
    ///
    /// NAME may be the start of a name when only one template starts with it
    /// (`nedra template carbonatite` prints carbonatite_ree). `pripyat_play` is a prospects
    /// file for `nedra prospects` (play chance maps made from layers). Every path in a
    /// template starts with REPLACE/.
    ///
    /// `--commodity` takes an element symbol (Nb), a name (niobium), a list's entry
    /// ("platinum group metals") or REE, LREE, HREE, and prints the commodity's places on the
    /// USGS 2022 and EU 2023 critical-minerals lists, its deposit models and its templates.
    #[command(
        after_help = "Examples:\n  nedra template carbonatite > project.toml\n  nedra template --commodity Nb\n  nedra template --list-commodities"
    )]
    Template {
        /// Template name, or a unique start of one.
        #[arg(conflicts_with_all = ["commodity", "list_commodities"])]
        name: Option<String>,
        /// Propose the templates for a commodity, with its lists and deposit models.
        #[arg(long, value_name = "SYMBOL|NAME", conflicts_with = "list_commodities")]
        commodity: Option<String>,
        /// List the commodities: critical-minerals lists (USGS 2022, EU 2023 critical and
        /// strategic), rare-earth group, templates.
        #[arg(long)]
        list_commodities: bool,
    },
    /// Resource assessment steps (USGS three-part method, petroleum risking).
    #[command(subcommand)]
    Assess(AssessCommand),
    /// Interpolate point samples (CSV, coordinates in the template's CRS) onto a template
    /// raster's grid: inverse-distance weighting or ordinary kriging with a fitted variogram and
    /// the kriging variance as an uncertainty layer.
    Interpolate {
        /// Sample table (CSV).
        points: PathBuf,
        /// Column to interpolate.
        #[arg(long)]
        value: String,
        /// Column of x (default: found by name).
        #[arg(long)]
        x_column: Option<String>,
        /// Column of y (default: found by name).
        #[arg(long)]
        y_column: Option<String>,
        /// CRS of the sample coordinates (e.g. EPSG:4326): they are reprojected onto the
        /// grid's [default: the grid's CRS, with a note].
        #[arg(long)]
        crs: Option<String>,
        /// Template raster: its grid is used.
        #[arg(long)]
        like: PathBuf,
        /// idw or kriging.
        #[arg(long, value_parser = choice::choice::<Interpolation>(), default_value = "idw")]
        method: Interpolation,
        /// IDW power.
        #[arg(long, default_value_t = 2.0, value_parser = choice::number(Range::Positive))]
        power: f64,
        /// Nearest samples used per cell [default: all for IDW, 16 for kriging].
        #[arg(long, value_parser = choice::count(1, usize::MAX))]
        neighbours: Option<usize>,
        /// Search radius, CRS units.
        #[arg(long, value_parser = choice::number(Range::Positive))]
        search_radius: Option<f64>,
        /// Fewest samples needed for an estimate.
        #[arg(long, default_value_t = 1, value_parser = choice::count(1, usize::MAX))]
        min_points: usize,
        /// Variogram model to fit: best, spherical, exponential or gaussian.
        #[arg(long, value_parser = choice::choice::<VariogramChoice>(), default_value = "best")]
        variogram: VariogramChoice,
        /// Fixed variogram instead of a fit: nugget (with --partial-sill and --range).
        #[arg(long, requires_all = ["partial_sill", "range"], value_parser = choice::number(Range::NonNegative))]
        nugget: Option<f64>,
        /// Fixed variogram: partial sill.
        #[arg(long, value_parser = choice::number(Range::Positive))]
        partial_sill: Option<f64>,
        /// Fixed variogram: practical range, CRS units.
        #[arg(long, value_parser = choice::number(Range::Positive))]
        range: Option<f64>,
        /// Lag width of the experimental variogram.
        #[arg(long, requires = "max_lag", value_parser = choice::number(Range::Positive))]
        lag_width: Option<f64>,
        /// Largest lag of the experimental variogram.
        #[arg(long, value_parser = choice::number(Range::Positive))]
        max_lag: Option<f64>,
        /// Output raster (Float32).
        #[arg(long)]
        out: PathBuf,
        /// Kriging variance raster.
        #[arg(long)]
        variance_out: Option<PathBuf>,
    },
    /// Petroleum play and prospect risking from a prospects file: play chance maps (product
    /// of source, reservoir, seal and charge chance rasters) with common-risk-segment
    /// summaries, prospect chance of success with shared play risk, STOIIP/GIIP by Monte
    /// Carlo (PRMS P90/P50/P10), risked means, portfolio and EMV.
    ///
    /// Writes DIR/prospects.json and DIR/play-NAME-chance.tif per play with maps. Every key
    /// is shown in crates/assess/examples/prospects.toml.
    Prospects {
        /// The prospects file (TOML with "play" and "prospect" tables).
        file: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Applies a trained model (the model.json of a run with kind = "logistic",
    /// "random_forest" or "gradient_boosting") to the evidence layers of another area.
    ///
    /// Writes OUT/prospectivity.tif (ensemble mean), uncertainty.tif (ensemble spread),
    /// drivers.tif (per cell, the 1-based index of the layer that raises the score most, in
    /// model.json's order; 0 where none does), contributions/LAYER.tif and predict.json. Give
    /// each layer as the run had it: the values of evidence/NAME_values.tif for value layers,
    /// the class codes for categorical layers. Layers off the grid are warped onto it.
    Predict {
        /// The model: a run folder or its model.json.
        model: PathBuf,
        /// An evidence layer of the new area, NAME=PATH (one per layer of the model). With a
        /// run folder, a layer not given is the run's own (run.json → model.features[].raster,
        /// relative to the run folder).
        #[arg(long = "layer", value_name = "NAME=PATH")]
        layers: Vec<String>,
        /// Grid template raster [default: the model's first layer].
        #[arg(long)]
        grid: Option<PathBuf>,
        /// Study-area raster on the grid (its valid cells are predicted).
        #[arg(long)]
        mask: Option<PathBuf>,
        /// Known deposits of the new area: validation.json (ROC and success-rate AUC).
        #[arg(long)]
        deposits: Option<PathBuf>,
        /// CRS of CSV deposit coordinates [default: the grid's CRS].
        #[arg(long)]
        deposits_crs: Option<String>,
        /// Skip drivers.tif and contributions/ (faster).
        #[arg(long)]
        no_explain: bool,
        /// Output folder (created atomically; an earlier prediction folder is replaced).
        #[arg(long)]
        out: PathBuf,
    },
    /// Targets from any score raster: connected regions above a threshold become ranked
    /// polygons (DIR/targets.gpkg, .geojson, .csv, and the region raster targets.tif).
    Targets {
        /// Score raster (higher = more prospective).
        score: PathBuf,
        /// Uncertainty raster on the same grid (its mean per target is reported).
        #[arg(long)]
        uncertainty: Option<PathBuf>,
        /// Deposit points, counted per target (needed for --pa).
        #[arg(long)]
        deposits: Option<PathBuf>,
        /// CRS of CSV deposit coordinates [default: the raster's CRS].
        #[arg(long)]
        deposits_crs: Option<String>,
        /// Select the highest-scoring PERCENT of the valid area [default rule: 5].
        #[arg(long, conflicts_with_all = ["threshold", "pa"], value_parser = choice::number(Range::Percent))]
        top_percent: Option<f64>,
        /// Select cells with score ≥ VALUE.
        #[arg(long, conflicts_with = "pa", value_parser = choice::number(Range::Finite))]
        threshold: Option<f64>,
        /// Select by the prediction–area crossing (needs --deposits).
        #[arg(long)]
        pa: bool,
        /// Smallest target kept, km².
        #[arg(long, default_value_t = 1.0, value_parser = choice::number(Range::NonNegative))]
        min_area_km2: f64,
        /// Deposits outside the score's valid cells: `error` (stop, naming them) or `drop`
        /// (leave them out with a warning giving their count), as `outside` in a project file.
        #[arg(long, default_value = "error", value_parser = choice::choice::<nedra_engine::project::Outside>())]
        outside: nedra_engine::project::Outside,
        /// How targets are ranked: mean_score (then peak), expected (sum of the score: the
        /// expected deposits of a probability map) or deposit_density (training deposits per km²).
        #[arg(long, default_value = "mean_score", value_parser = choice::choice::<nedra_engine::options::TargetRank>())]
        rank: nedra_engine::options::TargetRank,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Classes of a continuous raster: manual breaks, quantiles, natural breaks (Jenks) or the
    /// concentration–area fractal method (breakpoints of log area vs log threshold).
    ///
    /// METHOD: manual:B1,B2,… | quantiles:K | jenks:K[:group] | ca[:SEGMENTS[:THRESHOLDS]]
    Classify {
        /// Continuous raster.
        raster: PathBuf,
        /// Classification method.
        #[arg(long, value_parser = nedra_engine::classify::parse_method)]
        method: nedra_engine::classify::ClassMethod,
        /// Output class raster (Int32, classes 1…k).
        #[arg(long)]
        out: PathBuf,
        /// Output JSON with the breaks, class counts and, for Jenks or C-A, the fit.
        #[arg(long)]
        report: PathBuf,
        /// Natural breaks: most distinct values solved exactly (time grows with their square,
        /// hence the limit, at most 65536). Above it `jenks:K` stops with an error and
        /// `jenks:K:group` gathers the values into this many runs of nearly equal cell count.
        #[arg(long, value_name = "N", default_value_t = nedra_core::classes::JenksOptions::default().max_distinct as u64,
              value_parser = clap::value_parser!(u64).range(2..=MAX_JENKS_LIMIT as u64))]
        jenks_limit: u64,
    },
    /// Fuzzy membership of a raster, in [0, 1].
    ///
    /// MEMBERSHIP: linear:MIN,MAX | large:MID,SPREAD | small:MID,SPREAD | gaussian:MID,SPREAD |
    /// near:MID,SPREAD | categorical:1=0.2,3=0.9,default=0
    Fuzzify {
        /// Input raster.
        raster: PathBuf,
        /// Membership function.
        #[arg(long, value_parser = nedra_engine::classify::parse_membership)]
        membership: nedra_core::fuzzy::Membership,
        /// Output raster (Float32).
        #[arg(long)]
        out: PathBuf,
    },
    /// Rare-earth geochemistry of a sample table (CSV with x/y and element columns in ppm):
    /// censored values by a declared rule, chondrite-normalised values, Eu/Eu*, Ce/Ce*,
    /// (La/Yb)_N, ΣREE, LREE/HREE, TREO, and median + k·MAD anomaly flags.
    Geochem {
        /// Sample table (CSV).
        table: PathBuf,
        /// Output sample table (CSV) with the computed columns added.
        #[arg(long)]
        out: PathBuf,
        /// Column of x (default: found by name).
        #[arg(long)]
        x_column: Option<String>,
        /// Column of y (default: found by name).
        #[arg(long)]
        y_column: Option<String>,
        /// Elements to use, by symbol (default: every element column found).
        #[arg(long = "element")]
        elements: Vec<String>,
        /// Element column by name: SYMBOL=COLUMN (repeatable).
        #[arg(long = "column", value_parser = pair)]
        columns: Vec<(String, String)>,
        /// Censoring-flag column of an element: SYMBOL=COLUMN (repeatable).
        #[arg(long = "flag-column", value_parser = pair)]
        flag_columns: Vec<(String, String)>,
        /// What values below detection become: half-dl, dl, dl-sqrt2, zero, missing, or
        /// fraction=F (F × detection limit).
        #[arg(long, value_parser = choice::spec::<Substitution>, default_value = "half-dl")]
        censored: Spec<Substitution>,
        /// Detection limit of an element in ppm, for flagged cells without one: SYMBOL=PPM.
        #[arg(long = "detection-limit", value_parser = pair)]
        detection_limits: Vec<(String, String)>,
        /// Read negative numbers as "below the detection limit of |value|".
        #[arg(long)]
        negative_is_censored: bool,
        /// Normalising reference (e.g. ci = CI chondrite of McDonough & Sun 1995, paas, ucc, pm).
        #[arg(long, default_value = "ci")]
        reference: String,
        /// Include Y in ΣREE.
        #[arg(long)]
        sum_with_y: bool,
        /// k of the median + k·MAD anomaly threshold (on log10 values).
        #[arg(long, default_value_t = 2.0, value_parser = choice::number(Range::NonNegative))]
        anomaly_k: f64,
    },
    /// Serve one or more run folders as a web map in the browser: the score, uncertainty and
    /// every evidence raster as tiles, the ranked targets with their evidence, the value of
    /// every layer at a clicked cell, the validation curves and the manifest.
    ///
    /// Read-only: only files inside the run folders are served, and only to GET/HEAD. Listens
    /// on loopback unless --bind says otherwise; any other address needs an access token
    /// (--token, or one is generated and printed), and the page is opened with ?token=….
    /// Nothing the page needs comes from elsewhere (MapLibre is built in).
    Serve {
        /// Run folders (each holds run.json), e.g. nedra-demo/run.
        #[arg(required = true, num_args = 1..)]
        runs: Vec<PathBuf>,
        /// Address and port to listen on (port 0: any free port).
        #[arg(long, default_value = nedra_server::DEFAULT_BIND)]
        bind: std::net::SocketAddr,
        /// Access token required of every request (Authorization: Bearer T, or ?token=T):
        /// at least 8 letters, digits, '-', '.', '_' or '~'.
        #[arg(long)]
        token: Option<String>,
        /// Requests a second per client address, on average (bursts of twice that; 0: none).
        #[arg(long, default_value_t = 200)]
        rate_limit: u32,
        /// Memory for cached tiles, MiB.
        #[arg(long, default_value_t = 256)]
        cache_mib: usize,
        /// A local basemap under the layers: an MBTiles file or a PMTiles version 3 archive of
        /// raster tiles (PNG, JPEG or WebP), served from this machine [default: a plain
        /// background].
        #[arg(long, value_name = "FILE")]
        basemap: Option<PathBuf>,
    },
    /// (Re)build `report.html` of a run folder: maps, validation curves, weights, targets and
    /// provenance in one offline file.
    Report {
        /// The run folder.
        run: PathBuf,
        /// Language of the report: en, ru or be [default: the language run.json records].
        #[arg(long, value_parser = lang)]
        lang: Option<nedra_engine::locale::Lang>,
    },
    /// Models side by side on identical spatial folds: the held-out ROC AUC of each run's
    /// model (and of the weights-of-evidence baseline) per fold, mean ± sd, pooled, the paired
    /// fold differences against the best model, and the fitted figures labelled as such.
    ///
    /// Give run folders of one project that differ only in `[model] kind` (same
    /// cv_block_km, cv_folds and seed): runs with other folds are refused.
    Compare {
        /// Run folders (`nedra run --out`).
        #[arg(required = true)]
        runs: Vec<PathBuf>,
        /// Also write the comparison as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum AssessCommand {
    /// A whole mineral resource assessment from an assessment file (USGS three-part method):
    /// permissive tracts (polygons, or a prospectivity raster above a threshold), the number
    /// of undiscovered deposits per tract (experts' estimates, or the posterior-probability
    /// sum minus known deposits as a Poisson mean), a grade–tonnage model, Monte Carlo.
    ///
    /// Writes DIR/assessment.json (per tract and total: N pmf, contained amounts with mean,
    /// sd, F95/F50/F5 by the USGS exceedance convention, P(0), the analytic moment check;
    /// inputs with SHA-256, seed, versions) and DIR/tracts.tif. Every key is shown in
    /// crates/assess/examples/assessment.toml.
    Run {
        /// The assessment file (TOML with an "assessment" table).
        file: PathBuf,
        /// Output folder [default: "assessment" beside the file].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Number of undiscovered deposits: expert estimates at the 90/50/10 % levels → a
    /// probability mass function (negative-binomial fit as in MapMark4, or the Mark3 rule).
    ///
    /// The CSV has columns name, weight, n90, n50, n10 (one row per expert; "90 % chance of
    /// n90 or more deposits"). The JSON holds the pmf and its mean, variance, sd, mode, min,
    /// max and entropy.
    DepositsPmf {
        /// Expert estimates (CSV).
        #[arg(long)]
        experts: PathBuf,
        /// negative-binomial (several weighted experts) or mark3 (one consensus row).
        #[arg(long, value_parser = choice::choice::<PmfRule>(), default_value = "negative-binomial")]
        rule: PmfRule,
        /// Output JSON.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    nedra_engine::init();
    let matches = choice::allow_negative_numbers(Cli::command()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    nedra_core::limits::set(cli.limits.limits());
    let result = nedra_engine::observe(std::sync::Arc::new(terminal::Terminal::from_env()), || {
        dispatch(cli)
    });
    // A run reports these itself, as warnings in run.json; a stage command here.
    for (path, cells) in nedra_io::non_finite::take() {
        say(&format!(
            "warning: {}",
            nedra_io::non_finite::warning(&path, cells)
        ));
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let mut msg = format!("error: {e}");
            for cause in e.chain().skip(1) {
                msg.push_str(&format!("\n  caused by: {cause}"));
            }
            say(&msg);
            ExitCode::from(2)
        }
    }
}

/// Parses `--lang`: a language the report is written in (`nedra_engine::locale`).
fn lang(text: &str) -> Result<nedra_engine::locale::Lang, String> {
    text.parse().map_err(|e| format!("{e}"))
}

/// Runs one command.
fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run {
            project,
            out,
            dry_run,
            lang,
        } => {
            let out = out.unwrap_or_else(|| {
                project
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."))
                    .join("run")
            });
            if dry_run {
                return dry_run_plan(&project, &out);
            }
            nedra_engine::run::run_with_lang(&project, &out, lang)
                .map(|s| nedra_engine::run::emit_summary(&s))
        }
        Command::Demo { out, seed, lang } => nedra_engine::stages::demo(&out, seed, lang),
        Command::Serve {
            runs,
            bind,
            token,
            rate_limit,
            cache_mib,
            basemap,
        } => serve(nedra_server::Options {
            runs,
            bind,
            token,
            rate_limit_per_s: rate_limit,
            cache_mib,
            basemap,
        }),
        Command::Weights {
            raster,
            deposits,
            deposits_crs,
            kind,
            threshold,
            unit_cell_km2,
            generalisation,
            categorical_pooling,
            out,
        } => nedra_engine::stages::weights(&nedra_engine::stages::WeightsArgs {
            raster,
            deposits,
            deposits_crs,
            kind: kind.into(),
            threshold,
            unit_cell_km2,
            generalisation: generalisation.into(),
            categorical_pooling,
            out,
        }),
        Command::Response {
            weights,
            evidence,
            deposits,
            deposits_crs,
            unit_cell_km2,
            out,
        } => nedra_engine::stages::response(
            &weights,
            &evidence,
            &deposits,
            deposits_crs.as_deref(),
            unit_cell_km2,
            &out,
        ),
        Command::Validate {
            score,
            deposits,
            test_deposits,
            deposits_crs,
            bootstrap,
            seed,
            outside,
            out,
        } => nedra_engine::stages::validate(&nedra_engine::stages::ValidateArgs {
            score,
            deposits,
            test_deposits,
            deposits_crs,
            bootstrap,
            seed,
            outside,
            out,
        }),
        Command::Distance {
            features,
            like,
            layer,
            crs,
            max_distance,
            signed,
            out,
        } => {
            let kind = if signed {
                nedra_engine::derive::FieldKind::SignedDistance
            } else {
                nedra_engine::derive::FieldKind::Distance
            };
            nedra_engine::stages::derived_field(
                &features,
                &like,
                layer,
                crs,
                kind,
                max_distance,
                &out,
            )
        }
        Command::Density {
            features,
            like,
            radius,
            points,
            layer,
            crs,
            out,
        } => {
            let kind = if points {
                nedra_engine::derive::FieldKind::PointDensity(radius)
            } else {
                nedra_engine::derive::FieldKind::LineDensity(radius)
            };
            nedra_engine::stages::derived_field(&features, &like, layer, crs, kind, None, &out)
        }
        Command::Derivative {
            raster,
            kind,
            halo,
            out,
        } => nedra_engine::stages::derivative(&raster, kind.into(), halo, &out),
        Command::Assess(AssessCommand::Run { file, out }) => {
            let out = out.unwrap_or_else(|| {
                file.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."))
                    .join("assessment")
            });
            nedra_engine::assessment::run(&file, &out).map(|s| s.emit())
        }
        Command::Prospects { file, out } => {
            nedra_engine::prospects::run(&file, &out).map(|s| s.emit())
        }
        Command::Assess(AssessCommand::DepositsPmf { experts, rule, out }) => {
            nedra_engine::deposits_pmf::deposits_pmf(&experts, &out, rule)
                .map(|()| println!("deposit-count pmf → {}", out.display()))
        }
        Command::Interpolate {
            points,
            value,
            x_column,
            y_column,
            crs,
            like,
            method,
            power,
            neighbours,
            search_radius,
            min_points,
            variogram,
            nugget,
            partial_sill,
            range,
            lag_width,
            max_lag,
            out,
            variance_out,
        } => interpolation_method(
            method,
            power,
            neighbours,
            search_radius,
            min_points,
            variogram,
            nugget
                .zip(partial_sill)
                .zip(range)
                .map(|((n, s), r)| (n, s, r)),
            lag_width.zip(max_lag),
        )
        .and_then(|m| {
            nedra_engine::interpolate::interpolate(
                &points,
                &value,
                x_column.as_deref(),
                y_column.as_deref(),
                crs.as_deref(),
                &like,
                m,
                &out,
                variance_out.as_deref(),
            )
        })
        .and_then(|summary| {
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(())
        }),
        Command::Template {
            name,
            commodity,
            list_commodities,
        } => template::run(name.as_deref(), commodity.as_deref(), list_commodities),
        Command::Predict {
            model,
            layers,
            grid,
            mask,
            deposits,
            deposits_crs,
            no_explain,
            out,
        } => nedra_engine::predict::predict(&nedra_engine::predict::PredictOptions {
            model,
            layers,
            grid,
            mask,
            deposits,
            deposits_crs,
            explain: !no_explain,
            out: out.clone(),
        })
        .map(|m| {
            println!(
                "predicted {} cells ({} missing a layer) → {}",
                m["prediction"]["predicted_cells"],
                m["prediction"]["cells_missing_a_layer"],
                out.join("prospectivity.tif").display()
            );
            if !m["validation"].is_null() {
                println!(
                    "ROC AUC against the given deposits: {}",
                    m["validation"]["roc_auc"]
                );
            }
        }),
        Command::Targets {
            score,
            uncertainty,
            deposits,
            deposits_crs,
            top_percent,
            threshold,
            pa,
            min_area_km2,
            outside,
            rank,
            out,
        } => {
            let rule = match (top_percent, threshold, pa) {
                (_, Some(t), _) => nedra_engine::targets::TargetRule::Threshold(t),
                (_, _, true) => nedra_engine::targets::TargetRule::PaCrossing,
                (p, _, _) => nedra_engine::targets::TargetRule::TopPercent(p.unwrap_or(5.0)),
            };
            nedra_engine::stages::targets(
                &score,
                uncertainty.as_deref(),
                deposits.as_deref(),
                deposits_crs.as_deref(),
                outside,
                &nedra_engine::targets::TargetOptions {
                    rule,
                    min_area_km2,
                    rank,
                },
                &out,
            )
        }
        Command::Classify {
            raster,
            method,
            out,
            report,
            jenks_limit,
        } => with_jenks_limit(method, jenks_limit, &raster)
            .and_then(|method| nedra_engine::classify::classify(&raster, method, &out, &report))
            .and_then(|summary| {
                println!("{}", serde_json::to_string_pretty(&summary)?);
                Ok(())
            }),
        Command::Fuzzify {
            raster,
            membership,
            out,
        } => nedra_engine::classify::fuzzify(&raster, membership, &out)
            .map(|()| println!("fuzzy membership → {}", out.display())),
        Command::Geochem {
            table,
            out,
            x_column,
            y_column,
            elements,
            columns,
            flag_columns,
            censored,
            detection_limits,
            negative_is_censored,
            reference,
            sum_with_y,
            anomaly_k,
        } => geochem_options(
            x_column,
            y_column,
            elements,
            columns,
            flag_columns,
            &censored,
            detection_limits,
            negative_is_censored,
            reference,
            sum_with_y,
            anomaly_k,
        )
        .and_then(|o| nedra_engine::geochem::geochem(&table, &out, &o))
        .and_then(|summary| {
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(())
        }),
        Command::Report { run, lang } => nedra_engine::report::write_report_in(&run, lang)
            .map(|p| println!("report: {}", p.display())),
        Command::Compare { runs, json } => {
            let c = nedra_engine::compare::compare(&runs)?;
            print!("{}", c.to_markdown());
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&c.to_json())? + "\n";
                nedra_io::files::write_atomic(&path, text.as_bytes())?;
                println!("comparison: {}", path.display());
            }
            Ok(())
        }
    }
}

/// `nedra run --dry-run`: the plan on stdout, then every problem at once.
/// `nedra serve`: binds, prints the URL (and a generated token), serves until stopped.
fn serve(options: nedra_server::Options) -> anyhow::Result<()> {
    let server = nedra_server::Server::bind(options)?;
    for (name, folder) in server.runs() {
        say(&format!("serving run {name} from {}", folder.display()));
    }
    if let Some(basemap) = server.basemap() {
        say(&format!("basemap: {}", basemap.display()));
    }
    if server.token_generated() {
        say(&format!(
            "listening outside loopback: every request needs the access token {} (in the URL below)",
            server.token().unwrap_or_default()
        ));
    }
    println!("{}", server.url());
    let _ = std::io::stdout().flush();
    say("press Ctrl-C to stop");
    server.run()?;
    Ok(())
}

fn dry_run_plan(project: &std::path::Path, out: &std::path::Path) -> anyhow::Result<()> {
    let (plan, problems) = nedra_engine::plan::preflight(project, out);
    if let Some(plan) = plan {
        print!("{plan}");
    }
    match problems.len() {
        0 => {
            println!(
                "no problems found: `nedra run` would write {}",
                out.display()
            );
            Ok(())
        }
        n => anyhow::bail!(
            "{n} problem{} found before any computation:\n  - {}",
            if n == 1 { "" } else { "s" },
            problems.join("\n  - ")
        ),
    }
}

/// The interpolation method from the command line.
#[allow(clippy::too_many_arguments)]
fn interpolation_method(
    method: Interpolation,
    power: f64,
    neighbours: Option<usize>,
    search_radius: Option<f64>,
    min_points: usize,
    variogram: VariogramChoice,
    fixed: Option<(f64, f64, f64)>,
    bins: Option<(f64, f64)>,
) -> anyhow::Result<nedra_engine::interpolate::Method> {
    use nedra_core::interpolate::{IdwParams, KrigingParams, LagBins, ModelKind, VariogramModel};
    if method == Interpolation::Idw {
        return Ok(nedra_engine::interpolate::Method::Idw(IdwParams {
            power,
            neighbours,
            search_radius,
            min_points,
        }));
    }
    let kind = variogram.model();
    let variogram = match fixed {
        Some((nugget, partial_sill, range)) => {
            nedra_engine::interpolate::VariogramSpec::Model(VariogramModel {
                kind: kind.unwrap_or(ModelKind::Spherical),
                nugget,
                partial_sill,
                range,
            })
        }
        None => nedra_engine::interpolate::VariogramSpec::Fit {
            kind,
            bins: bins.map(|(lag_width, max_lag)| LagBins { lag_width, max_lag }),
        },
    };
    Ok(nedra_engine::interpolate::Method::OrdinaryKriging {
        variogram,
        kriging: KrigingParams {
            neighbours: neighbours.unwrap_or(16),
            search_radius,
            min_points,
        },
    })
}

/// `KEY=VALUE` for repeatable options.
/// Largest `--jenks-limit`: the exact programme is quadratic in the distinct values.
const MAX_JENKS_LIMIT: usize = 65_536;

/// `method` with the natural-breaks limit of `--jenks-limit`; the limit of other methods must
/// stay at its default, and a natural-breaks refusal names the flag.
fn with_jenks_limit(
    method: nedra_engine::classify::ClassMethod,
    limit: u64,
    raster: &std::path::Path,
) -> anyhow::Result<nedra_engine::classify::ClassMethod> {
    use nedra_engine::classify::ClassMethod;
    let default = nedra_core::classes::JenksOptions::default().max_distinct;
    match method {
        ClassMethod::NaturalBreaks {
            classes,
            mut options,
        } => {
            options.max_distinct = limit as usize;
            Ok(ClassMethod::NaturalBreaks { classes, options })
        }
        _ if limit as usize != default => anyhow::bail!(
            "--jenks-limit {limit} is for natural breaks (--method jenks:K); {} is classified by another method",
            raster.display()
        ),
        other => Ok(other),
    }
}

fn pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .ok_or_else(|| format!("{s:?}: expected KEY=VALUE"))
}

/// Geochemistry options from the command line.
#[allow(clippy::too_many_arguments)]
fn geochem_options(
    x_column: Option<String>,
    y_column: Option<String>,
    elements: Vec<String>,
    element_columns: Vec<(String, String)>,
    flag_columns: Vec<(String, String)>,
    censored: &Spec<Substitution>,
    detection_limits: Vec<(String, String)>,
    negative_is_censored: bool,
    reference: String,
    sum_with_yttrium: bool,
    anomaly_k: f64,
) -> anyhow::Result<nedra_engine::geochem::GeochemOptions> {
    let below = *censored.value();
    let detection_limits = detection_limits
        .into_iter()
        .map(|(k, v)| match v.parse::<f64>() {
            Ok(x) if x > 0.0 && x.is_finite() => Ok((k, x)),
            _ => Err(anyhow::anyhow!(
                "--detection-limit {k}={v}: the limit must be a positive number of ppm"
            )),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut o = nedra_engine::geochem::GeochemOptions {
        x_column,
        y_column,
        elements,
        element_columns,
        flag_columns,
        detection_limits,
        reference,
        sum_with_yttrium,
        ..Default::default()
    };
    o.censoring.below = below;
    o.parse.negative_means_below_limit = negative_is_censored;
    o.anomaly.k = anomaly_k;
    Ok(o)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
