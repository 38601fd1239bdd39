//! The plan of a run: the project resolved into a graph of stages with typed inputs and
//! outputs, checked before any computation.
//!
//! A run is a chain of stages, each reading files and earlier stages' outputs and writing its
//! own files into the run folder:
//!
//! ```text
//! grid ─► deposits ─► evidence:<layer> (one per layer) ─► response ─► [model] ─► validation
//!                                                                               ├► targets
//!                                                                               └► report
//! ```
//!
//! [`preflight`] reads the project, builds the [`Plan`] and collects every problem at once —
//! the project's fields ([`Project::problems`]), every input (missing, unreadable, not a
//! raster where one is needed) and the output folder (not a run folder, not writable) — so
//! that `nedra run --dry-run` lists them all and `nedra run` refuses a doomed run before it
//! starts, not after an hour of work.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::options::ModelKind;
use crate::project::{Derive, Project};

/// What a stage does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// The canonical grid and study-area mask.
    Grid,
    /// Deposit points located on the grid.
    Deposits,
    /// One evidence layer: values on the grid, classes, weights table.
    Evidence,
    /// The weights-of-evidence posterior probability and its uncertainty.
    Response,
    /// A data-driven or fuzzy model: the prospectivity map and its uncertainty.
    Model,
    /// Success-rate, ROC and P-A figures of the map.
    Validation,
    /// Ranked target polygons.
    Targets,
    /// `run.json` and `report.html`.
    Report,
}

/// One file a stage reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    /// What the file is to the stage (`study_area`, `deposits`, `source`, …).
    pub role: String,
    /// The path, resolved from the project file's folder.
    pub path: PathBuf,
    /// Bytes of the dataset (a shapefile's sidecars included); `None` when missing.
    pub bytes: Option<u64>,
    /// Whether the stage reads it as a raster (through GDAL).
    pub raster: bool,
    /// Raster size in cells (columns × rows), when GDAL opens it as a raster.
    pub cells: Option<(usize, usize)>,
    /// Why GDAL could not open a raster input (`cells` is then `None`).
    pub open_error: Option<String>,
}

/// One stage of the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    /// Unique name (`grid`, `evidence:magnetic`, …).
    pub name: String,
    /// What it does.
    pub kind: StageKind,
    /// Stages whose outputs it reads.
    pub depends_on: Vec<String>,
    /// Files it reads from outside the run folder.
    pub inputs: Vec<Input>,
    /// Files it writes, relative to the run folder.
    pub outputs: Vec<String>,
    /// Its options in a few words.
    pub options: String,
}

/// A project resolved into stages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The project file.
    pub project_file: PathBuf,
    /// The run folder.
    pub out: PathBuf,
    /// Stages in the order they run (every stage after the stages it depends on).
    pub stages: Vec<Stage>,
}

fn input(role: &str, path: PathBuf, raster: bool) -> Input {
    let bytes = crate::manifest::dataset_files(&path)
        .iter()
        .map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
        .sum::<Option<u64>>();
    let (cells, open_error) = if raster && bytes.is_some() {
        match nedra_io::RasterReader::open(&path) {
            Ok(r) => (Some((r.grid().width, r.grid().height)), None),
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    Input {
        role: role.to_string(),
        path,
        bytes,
        raster,
        cells,
        open_error,
    }
}

fn stage(
    name: &str,
    kind: StageKind,
    depends_on: &[&str],
    inputs: Vec<Input>,
    outputs: Vec<String>,
    options: String,
) -> Stage {
    Stage {
        name: name.to_string(),
        kind,
        depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        inputs,
        outputs,
        options,
    }
}

/// Whether an evidence layer's source is read as a raster.
fn raster_source(derive: Derive) -> bool {
    matches!(derive, Derive::Values | Derive::Derivative)
}

impl Plan {
    /// Resolves a project into its stages (no file is read beyond sizes and raster headers).
    pub fn new(project: &Project, project_file: &Path, out: &Path) -> Plan {
        let mut stages = Vec::new();
        let g = &project.grid;
        let (grid_inputs, grid_outputs, grid_options) = match (&g.template, &g.study_area) {
            (Some(t), _) => (
                vec![input("template", project.resolve(t), true)],
                vec![],
                format!(
                    "grid of the template raster, CRS {}",
                    g.crs.as_deref().unwrap_or("of the template")
                ),
            ),
            (None, Some(a)) => (
                vec![input("study_area", project.resolve(a), false)],
                vec!["mask.tif".to_string()],
                format!(
                    "{} m cells over the study area, CRS {}",
                    g.cell_size_m.unwrap_or(f64::NAN),
                    g.crs.as_deref().unwrap_or("?")
                ),
            ),
            (None, None) => (vec![], vec![], "no grid".to_string()),
        };
        stages.push(stage(
            "grid",
            StageKind::Grid,
            &[],
            grid_inputs,
            grid_outputs,
            grid_options,
        ));
        let d = &project.deposits;
        stages.push(stage(
            "deposits",
            StageKind::Deposits,
            &["grid"],
            vec![input("deposits", project.resolve(&d.path), false)],
            vec!["deposits.csv".to_string()],
            format!(
                "outside the study area: {}",
                crate::options::name(&d.outside)
            ),
        ));
        let mut evidence = Vec::new();
        for e in &project.evidence {
            let name = format!("evidence:{}", e.name);
            let mut outputs = vec![
                format!("evidence/{}.tif", e.name),
                format!("weights/{}.csv", e.name),
            ];
            if e.derive != Derive::Values {
                outputs.insert(0, format!("evidence/{}_values.tif", e.name));
            }
            let classes = match (&e.classify, e.class_width, &e.breaks, e.cutoff) {
                (Some(c), ..) => format!("classes by {c}"),
                (_, Some(w), ..) => format!("class width {w}"),
                (_, _, Some(b), _) => format!("breaks {b:?}"),
                (.., Some(c)) => format!("cutoff {c}"),
                _ => "classes = values".to_string(),
            };
            stages.push(stage(
                &name,
                StageKind::Evidence,
                &["grid", "deposits"],
                vec![input(
                    "source",
                    project.resolve(&e.source),
                    raster_source(e.derive),
                )],
                outputs,
                format!(
                    "derive {}, {} pattern, {classes}",
                    crate::options::name(&e.derive),
                    e.pattern
                ),
            ));
            evidence.push(name);
        }
        let evidence_refs: Vec<&str> = evidence.iter().map(String::as_str).collect();
        let mut response_deps = vec!["grid", "deposits"];
        response_deps.extend(&evidence_refs);
        stages.push(stage(
            "response",
            StageKind::Response,
            &response_deps,
            vec![],
            ["posterior.tif", "posterior_std.tif", "confidence.tif"]
                .map(String::from)
                .to_vec(),
            format!(
                "weights of evidence, unit cell {} km², {} generalisation",
                project.weights.unit_cell_km2, project.weights.generalisation
            ),
        ));
        let score = if project.model.kind == ModelKind::WeightsOfEvidence {
            "response"
        } else {
            let m = &project.model;
            let mut outputs: Vec<String> = ["prospectivity.tif", "uncertainty.tif"]
                .map(String::from)
                .to_vec();
            let options = if m.kind.is_data_driven() {
                outputs.extend(["model.json", "training.csv", "drivers.tif"].map(String::from));
                outputs.extend(
                    project
                        .evidence
                        .iter()
                        .map(|e| format!("contributions/{}.tif", e.name)),
                );
                format!(
                    "{} by positive-unlabelled bagging ({} members, seed {}), spatial CV {} folds of {} km blocks",
                    m.kind, m.models, m.seed, m.cv_folds, m.cv_block_km
                )
            } else {
                format!("{} inference network ({} nodes)", m.kind, m.nodes.len())
            };
            let mut deps = vec!["grid", "deposits", "response"];
            deps.extend(&evidence_refs);
            stages.push(stage(
                "model",
                StageKind::Model,
                &deps,
                vec![],
                outputs,
                options,
            ));
            "model"
        };
        stages.push(stage(
            "validation",
            StageKind::Validation,
            &[score, "deposits"],
            vec![],
            [
                "validation.json",
                "success_rate.csv",
                "pa_plot.csv",
                "roc.csv",
            ]
            .map(String::from)
            .to_vec(),
            "success rate, ROC AUC, P-A crossing".to_string(),
        ));
        let t = &project.targets;
        stages.push(stage(
            "targets",
            StageKind::Targets,
            &[score, "validation"],
            vec![],
            crate::targets::TARGET_FILES.map(String::from).to_vec(),
            format!(
                "rule {}{}, min {} km²",
                t.rule,
                t.value.map(|v| format!(" {v}")).unwrap_or_default(),
                t.min_area_km2
            ),
        ));
        let mut all: Vec<&str> = vec!["validation", "targets"];
        all.push(score);
        stages.push(stage(
            "report",
            StageKind::Report,
            &all,
            vec![],
            vec!["run.json".to_string(), "report.html".to_string()],
            "manifest with every input's SHA-256, and the offline report".to_string(),
        ));
        Plan {
            project_file: project_file.to_path_buf(),
            out: out.to_path_buf(),
            stages,
        }
    }

    /// Problems with the plan's inputs: missing files, rasters GDAL cannot open.
    pub fn input_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for s in &self.stages {
            for i in &s.inputs {
                if i.bytes.is_none() {
                    problems.push(format!(
                        "{}: file not found ({} of stage {}). Check the path (relative paths are taken from the project file's folder)",
                        i.path.display(),
                        i.role,
                        s.name
                    ));
                } else if i.path.is_dir() && !is_dataset_folder(&i.path) {
                    problems.push(format!(
                        "{}: a folder, not a file ({} of stage {})",
                        i.path.display(),
                        i.role,
                        s.name
                    ));
                } else if std::fs::File::open(&i.path).is_err() && !i.path.is_dir() {
                    problems.push(format!(
                        "{}: cannot be opened for reading ({} of stage {}). Check its permissions",
                        i.path.display(),
                        i.role,
                        s.name
                    ));
                } else if let (true, None, Some(e)) = (i.raster, i.cells, &i.open_error) {
                    problems.push(format!("{e} ({} of stage {})", i.role, s.name));
                } else if i.raster && i.cells.is_none() {
                    problems.push(format!(
                        "{}: GDAL cannot open it as a raster ({} of stage {}). Give a GeoTIFF or another raster GDAL reads",
                        i.path.display(),
                        i.role,
                        s.name
                    ));
                }
            }
        }
        problems
    }

    /// Every stage's outputs, in order.
    pub fn outputs(&self) -> impl Iterator<Item = &str> {
        self.stages
            .iter()
            .flat_map(|s| s.outputs.iter().map(String::as_str))
    }
}

/// A GDAL dataset that is a folder (e.g. an ESRI File Geodatabase).
fn is_dataset_folder(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gdb"))
}

/// Problems with the output folder: an existing folder that is not a run (it would be
/// replaced), a path under a file, a parent that cannot be written.
pub fn out_problems(out: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    // The same rule `RunFolder` applies when the run starts.
    match crate::run_folder::check_replaceable(out) {
        Ok(()) => {}
        Err(e @ crate::run_folder::RunFolderError::NotAFolder { .. }) => {
            problems.push(e.to_string());
            return problems;
        }
        Err(e) => problems.push(e.to_string()),
    }
    // The run is written into a hidden sibling, so the parent (or the nearest folder that
    // exists above it) must be writable.
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut existing = parent;
    while !existing.exists() {
        match existing.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => existing = p,
            None => {
                existing = Path::new(".");
                break;
            }
        }
    }
    if !existing.is_dir() {
        problems.push(format!(
            "{}: --out lies under {}, which is a file. Choose another --out",
            out.display(),
            existing.display()
        ));
    } else if !writable(existing) {
        problems.push(format!(
            "{}: cannot write in {} (permission denied or read-only). Choose another --out",
            out.display(),
            existing.display()
        ));
    }
    problems
}

/// Whether a file can be created in `dir` (tried with a probe file that is removed at once).
fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".nedra-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
    }
}

/// The plan of a project (when the file can be read) and every problem found before any
/// computation: the project's fields, its inputs and the output folder.
pub fn preflight(project_file: &Path, out: &Path) -> (Option<Plan>, Vec<String>) {
    let mut problems = Vec::new();
    let plan = match Project::read(project_file) {
        Ok(project) => {
            problems.extend(
                project
                    .problems()
                    .into_iter()
                    .map(|p| format!("{}: {p}", project_file.display())),
            );
            let plan = Plan::new(&project, project_file, out);
            problems.extend(plan.input_problems());
            Some(plan)
        }
        Err(e) => {
            problems.push(format!("{e:#}"));
            None
        }
    };
    problems.extend(out_problems(out));
    (plan, problems)
}

fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "plan of {} → {} ({} stages)",
            self.project_file.display(),
            self.out.display(),
            self.stages.len()
        )?;
        for (k, s) in self.stages.iter().enumerate() {
            writeln!(f, "{:>3}. {:<24} {}", k + 1, s.name, s.options)?;
            if !s.depends_on.is_empty() {
                writeln!(f, "       after: {}", s.depends_on.join(", "))?;
            }
            for i in &s.inputs {
                let size = match (i.bytes, i.cells) {
                    (None, _) => "MISSING".to_string(),
                    (Some(b), Some((w, h))) => format!("{}, {w} × {h} cells", human_bytes(b)),
                    (Some(b), None) => human_bytes(b),
                };
                writeln!(f, "       reads {} {} ({size})", i.role, i.path.display())?;
            }
            if !s.outputs.is_empty() {
                writeln!(f, "       writes {}", s.outputs.join(", "))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("project.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    const GOOD: &str = r#"
[grid]
crs = "EPSG:32635"
cell_size_m = 500
study_area = "area.geojson"
[deposits]
path = "d.csv"
crs = "EPSG:32635"
[[evidence]]
name = "faults"
source = "faults.geojson"
derive = "distance"
pattern = "ascending"
class_width = 500
[model]
kind = "logistic"
"#;

    #[test]
    fn stages_follow_their_dependencies_and_list_their_files() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["area.geojson", "d.csv", "faults.geojson"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let p = project(dir.path(), GOOD);
        let (plan, problems) = preflight(&p, &dir.path().join("run"));
        assert!(problems.is_empty(), "{problems:?}");
        let plan = plan.unwrap();
        let names: Vec<&str> = plan.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "grid",
                "deposits",
                "evidence:faults",
                "response",
                "model",
                "validation",
                "targets",
                "report"
            ]
        );
        for (k, s) in plan.stages.iter().enumerate() {
            for d in &s.depends_on {
                assert!(
                    names[..k].contains(&d.as_str()),
                    "{} depends on {d}, which does not run before it",
                    s.name
                );
            }
        }
        let outputs: Vec<&str> = plan.outputs().collect();
        for f in [
            "mask.tif",
            "evidence/faults_values.tif",
            "weights/faults.csv",
            "model.json",
            "contributions/faults.tif",
            "run.json",
        ] {
            assert!(outputs.contains(&f), "{f} missing from {outputs:?}");
        }
        assert_eq!(plan.stages[1].inputs[0].bytes, Some(1));
        let text = plan.to_string();
        assert!(
            text.contains("evidence:faults") && text.contains("reads source"),
            "{text}"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["area.geojson", "d.csv"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        // A bad option, a missing input and an --out that is an unrelated folder.
        let p = project(
            dir.path(),
            &GOOD.replace("cell_size_m = 500", "cell_size_m = -5"),
        );
        let out = dir.path().join("photos");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("holiday.jpg"), "x").unwrap();
        let (plan, problems) = preflight(&p, &out);
        assert!(plan.is_some());
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].contains("cell_size_m") && problems[0].contains("-5"));
        assert!(problems[1].contains("faults.geojson") && problems[1].contains("not found"));
        assert!(problems[2].contains("photos") && problems[2].contains("not a nedra run"));
    }

    #[test]
    fn an_out_under_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let problems = out_problems(&file.join("sub").join("run"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("which is a file"), "{problems:?}");
        assert!(out_problems(&dir.path().join("new").join("run")).is_empty());
    }

    #[test]
    fn a_project_that_does_not_parse_still_reports_the_out_folder() {
        let dir = tempfile::tempdir().unwrap();
        let p = project(dir.path(), "[grid\n");
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let (plan, problems) = preflight(&p, &file);
        assert!(plan.is_none());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[1].contains("is a file"));
    }
}
