//! The stage cache: a run reuses what an earlier run (or a killed one) already computed.
//!
//! Each cacheable stage (an evidence layer, the model) has a **key**: the SHA-256 of the
//! engine version, the stage's options as written in the project, the SHA-256 of every input
//! file it reads and the keys of the stages it depends on. A finished stage leaves a record
//! in `.stages/<stage>.json` of the folder being written: its key, each output file with its
//! SHA-256, and the in-memory results later stages need (the evidence entry of the manifest,
//! the model summary).
//!
//! When a run starts, the previous run in `--out` and any partial folders left by killed
//! runs are the **sources**. A stage whose key matches a source's record, and whose outputs
//! are all still there with the recorded SHA-256, is not computed again: its files are
//! hard-linked (or copied) into the new run and its record reused. Everything downstream of
//! a changed input has a new key and is recomputed, so a re-run gives the same bytes as a
//! clean run. Stages that are one cheap pass (grid, deposits, response, validation, targets,
//! report) are always recomputed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::manifest::{sha256_file, OutputEntry};

/// Folder of stage records inside a run folder.
pub const RECORDS: &str = ".stages";

/// The key of a stage: SHA-256 (hex) of the engine version and `parts`, each length-prefixed
/// so that no two different lists give the same bytes.
pub fn stage_key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in std::iter::once(concat!("nedra-stage/1 ", env!("CARGO_PKG_VERSION")))
        .chain(parts.iter().copied())
    {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// What a finished stage leaves behind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    /// The stage (`evidence:magnetic`, `model`).
    pub stage: String,
    /// Its key.
    pub key: String,
    /// Its output files, relative to the run folder, with SHA-256.
    pub outputs: Vec<OutputEntry>,
    /// What later stages need from it.
    pub memo: Value,
}

fn record_path(dir: &Path, stage: &str) -> PathBuf {
    dir.join(RECORDS)
        .join(format!("{}.json", stage.replace(':', ".")))
}

/// Files under `dir` (relative, sorted), hidden top-level folders (stage records, a resumed
/// partial folder) left out.
pub fn files_under(dir: &Path) -> Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("{}: cannot list", d.display()))?
        {
            let p = entry?.path();
            if p.is_dir() {
                // Hidden folders at the top are bookkeeping (stage records, a resumed
                // partial folder), not outputs.
                let hidden = d == dir
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if !hidden {
                    stack.push(p);
                }
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.insert(rel.to_path_buf());
            }
        }
    }
    Ok(out)
}

/// The stage cache of one run being written into `dir`.
#[derive(Debug)]
pub struct StageCache {
    dir: PathBuf,
    sources: Vec<PathBuf>,
    /// Stages taken from a source, in order.
    pub reused: Vec<String>,
    /// Stages computed, in order.
    pub computed: Vec<String>,
}

impl StageCache {
    /// A cache writing records into `dir` and reusing from `sources` (earlier run folders and
    /// partial folders; missing ones are skipped).
    pub fn new(dir: &Path, sources: Vec<PathBuf>) -> Self {
        StageCache {
            dir: dir.to_path_buf(),
            sources: sources
                .into_iter()
                .filter(|s| s.join(RECORDS).is_dir())
                .collect(),
            reused: Vec::new(),
            computed: Vec::new(),
        }
    }

    /// Takes `stage` from a source when one holds it under `key` with every output intact:
    /// links the outputs into the run and returns the record's memo.
    ///
    /// # Errors
    /// When a matching output cannot be linked or copied into the run folder.
    pub fn reuse(&mut self, stage: &str, key: &str) -> Result<Option<Value>> {
        for source in &self.sources {
            let Ok(text) = std::fs::read_to_string(record_path(source, stage)) else {
                continue;
            };
            let Ok(record) = serde_json::from_str::<StageRecord>(&text) else {
                continue;
            };
            if record.key != key || record.stage != stage {
                continue;
            }
            let intact = record
                .outputs
                .iter()
                .all(|o| sha256_file(&source.join(&o.path)).is_ok_and(|h| h == o.sha256));
            if !intact {
                continue;
            }
            for o in &record.outputs {
                let (from, to) = (source.join(&o.path), self.dir.join(&o.path));
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("{}: cannot create", parent.display()))?;
                }
                let _ = std::fs::remove_file(&to);
                if std::fs::hard_link(&from, &to).is_err() {
                    std::fs::copy(&from, &to).with_context(|| {
                        format!(
                            "{}: cannot copy into the run from {}",
                            to.display(),
                            from.display()
                        )
                    })?;
                }
            }
            self.write(&record)?;
            self.reused.push(stage.to_string());
            return Ok(Some(record.memo));
        }
        Ok(None)
    }

    /// Records a computed stage whose outputs are the files of the run folder that were not
    /// there in `before`.
    ///
    /// # Errors
    /// When an output cannot be hashed or the record cannot be written.
    pub fn record(
        &mut self,
        stage: &str,
        key: &str,
        before: &BTreeSet<PathBuf>,
        memo: Value,
    ) -> Result<()> {
        let after = files_under(&self.dir)?;
        let outputs = after
            .difference(before)
            .map(|rel| {
                Ok(OutputEntry {
                    path: rel.display().to_string(),
                    sha256: sha256_file(&self.dir.join(rel))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.write(&StageRecord {
            stage: stage.to_string(),
            key: key.to_string(),
            outputs,
            memo,
        })?;
        self.computed.push(stage.to_string());
        Ok(())
    }

    fn write(&self, record: &StageRecord) -> Result<()> {
        let path = record_path(&self.dir, &record.stage);
        std::fs::create_dir_all(self.dir.join(RECORDS))
            .with_context(|| format!("{}: cannot create", self.dir.join(RECORDS).display()))?;
        let text = serde_json::to_string_pretty(record)? + "\n";
        nedra_io::files::write_atomic(&path, text.as_bytes())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_change_with_every_part_and_do_not_run_parts_together() {
        let k = stage_key(&["a", "bc"]);
        assert_eq!(k.len(), 64);
        assert_eq!(k, stage_key(&["a", "bc"]));
        assert_ne!(k, stage_key(&["ab", "c"]));
        assert_ne!(k, stage_key(&["a", "bd"]));
    }

    #[test]
    fn a_stage_is_reused_only_with_its_key_and_intact_outputs() {
        let old = tempfile::tempdir().unwrap();
        let new = tempfile::tempdir().unwrap();
        // A first run computes the stage.
        let mut first = StageCache::new(old.path(), vec![]);
        let before = files_under(old.path()).unwrap();
        std::fs::create_dir(old.path().join("evidence")).unwrap();
        std::fs::write(old.path().join("evidence/mag.tif"), "classes").unwrap();
        first
            .record(
                "evidence:mag",
                "k1",
                &before,
                serde_json::json!({"classes": 3}),
            )
            .unwrap();
        assert_eq!(first.computed, ["evidence:mag"]);
        // Another key: not reused.
        let mut second = StageCache::new(new.path(), vec![old.path().to_path_buf()]);
        assert_eq!(second.reuse("evidence:mag", "k2").unwrap(), None);
        // The same key: linked, memo back.
        let memo = second.reuse("evidence:mag", "k1").unwrap();
        assert_eq!(memo, Some(serde_json::json!({"classes": 3})));
        assert_eq!(
            std::fs::read_to_string(new.path().join("evidence/mag.tif")).unwrap(),
            "classes"
        );
        assert_eq!(second.reused, ["evidence:mag"]);
        assert!(record_path(new.path(), "evidence:mag").exists());
        // An output changed since: not reused.
        let third_dir = tempfile::tempdir().unwrap();
        std::fs::remove_file(old.path().join("evidence/mag.tif")).unwrap();
        std::fs::write(old.path().join("evidence/mag.tif"), "edited").unwrap();
        let mut third = StageCache::new(third_dir.path(), vec![old.path().to_path_buf()]);
        assert_eq!(third.reuse("evidence:mag", "k1").unwrap(), None);
    }
}
