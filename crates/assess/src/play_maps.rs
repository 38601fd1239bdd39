//! Play chance maps and common-risk-segment summaries.
//!
//! A play's element chance maps (source, reservoir, seal, charge; each cell a chance in
//! [0, 1]) combine cell by cell into the play chance map, their product — the elements are
//! taken as independent (Rose 2001; play fairway and common-risk-segment mapping as in Grant,
//! Milton & Thompson 1996, NPF Special Publication 6, and Fugelli & Olsen 2005, AAPG
//! Bulletin 89). A cell with NoData in any element has no play chance.
//!
//! A **common risk segment** is a part of the play where each element's chance is taken as
//! one number. Summarising a segment, we take the **minimum** of each element's chance over
//! the segment's cells (the most pessimistic value: a segment is only as good as its weakest
//! cell for that element), and the segment's play chance is the product of these minimums.
//! That product can be lower than the lowest cell of the play chance map, since the minimums
//! of different elements may lie in different cells; both are reported. Keep segments
//! geologically homogeneous so that the minimum is representative.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{check_chance, Error};
use crate::permissive_tract::tract_id;
use crate::petroleum::ElementChances;

/// Names of the four elements, in the order of the maps.
pub const ELEMENTS: [&str; 4] = ["source", "reservoir", "seal", "charge"];

/// The largest number of distinct segments accepted.
pub const MAX_SEGMENTS: usize = 10_000;

/// Combines one block of the four element maps into the play chance (product), written to
/// `out` with its validity. `elements[k]` is (values, valid) of element [`ELEMENTS`]\[k\].
///
/// # Errors
/// [`Error::ChanceOutOfRange`] naming the element and the cell index within the block.
pub fn play_chance_block(
    elements: [(&[f64], &[bool]); 4],
    out: &mut [f64],
    out_valid: &mut [bool],
) -> Result<(), Error> {
    let n = out.len();
    assert_eq!(out_valid.len(), n, "block sizes differ");
    for (values, valid) in &elements {
        assert!(values.len() == n && valid.len() == n, "block sizes differ");
    }
    for i in 0..n {
        let mut chance = 1.0;
        let mut ok = true;
        for (k, (values, valid)) in elements.iter().enumerate() {
            if !valid[i] {
                ok = false;
                continue;
            }
            let v = values[i];
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::ChanceOutOfRange {
                    name: format!("{} (cell {i} of the block)", ELEMENTS[k]),
                    value: v,
                });
            }
            chance *= v;
        }
        out[i] = if ok { chance } else { 0.0 };
        out_valid[i] = ok;
    }
    Ok(())
}

/// Summary of one common risk segment (or of the whole play map).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentSummary {
    /// Cells with all four element chances.
    pub cells: u64,
    /// Minimum chance of each element over the segment.
    pub minimum: ElementChances,
    /// Product of the element minimums: the segment's common-risk play chance.
    pub play_chance: f64,
    /// Smallest play chance of any cell (product within the cell).
    pub cell_play_chance_min: f64,
    /// Mean play chance over the cells.
    pub cell_play_chance_mean: f64,
    /// Largest play chance of any cell.
    pub cell_play_chance_max: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Accumulator {
    cells: u64,
    minimum: [f64; 4],
    play_min: f64,
    play_sum: f64,
    play_max: f64,
}

impl Default for Accumulator {
    fn default() -> Self {
        Accumulator {
            cells: 0,
            minimum: [f64::INFINITY; 4],
            play_min: f64::INFINITY,
            play_sum: 0.0,
            play_max: f64::NEG_INFINITY,
        }
    }
}

impl Accumulator {
    fn add(&mut self, e: [f64; 4]) {
        self.cells += 1;
        let p: f64 = e.iter().product();
        for (m, v) in self.minimum.iter_mut().zip(e) {
            *m = m.min(v);
        }
        self.play_min = self.play_min.min(p);
        self.play_max = self.play_max.max(p);
        self.play_sum += p;
    }

    fn merge(&mut self, o: &Accumulator) {
        self.cells += o.cells;
        for (m, v) in self.minimum.iter_mut().zip(o.minimum) {
            *m = m.min(v);
        }
        self.play_min = self.play_min.min(o.play_min);
        self.play_max = self.play_max.max(o.play_max);
        self.play_sum += o.play_sum;
    }

    fn summary(&self) -> Option<SegmentSummary> {
        if self.cells == 0 {
            return None;
        }
        let [source, reservoir, seal, charge_trap] = self.minimum;
        Some(SegmentSummary {
            cells: self.cells,
            minimum: ElementChances {
                source,
                reservoir,
                seal,
                charge_trap,
            },
            play_chance: self.minimum.iter().product(),
            cell_play_chance_min: self.play_min,
            cell_play_chance_mean: self.play_sum / self.cells as f64,
            cell_play_chance_max: self.play_max,
        })
    }
}

/// Per-segment and whole-map element statistics, accumulated block by block (a reduce).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SegmentTally {
    whole: Accumulator,
    segments: BTreeMap<i64, Accumulator>,
}

impl SegmentTally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one block: the four element maps and, optionally, segment ids of the same cells
    /// (cells in no segment count for the whole map only).
    ///
    /// # Errors
    /// [`Error::ChanceOutOfRange`] for a chance outside [0, 1]; [`Error::OutOfRange`] for a
    /// segment id that is not a whole number; [`Error::Limit`] past [`MAX_SEGMENTS`].
    pub fn add_block(
        &mut self,
        elements: [(&[f64], &[bool]); 4],
        segments: Option<(&[f64], &[bool])>,
    ) -> Result<(), Error> {
        let n = elements[0].0.len();
        for i in 0..n {
            if elements.iter().any(|(_, valid)| !valid[i]) {
                continue;
            }
            let mut e = [0.0; 4];
            for k in 0..4 {
                e[k] = check_chance(ELEMENTS[k], elements[k].0[i])?;
            }
            self.whole.add(e);
            if let Some((ids, valid)) = segments {
                if valid[i] {
                    let id = tract_id(ids[i])?;
                    if !self.segments.contains_key(&id) && self.segments.len() >= MAX_SEGMENTS {
                        return Err(Error::Limit {
                            what: "number of segments",
                            value: (MAX_SEGMENTS + 1) as f64,
                            limit: "at most 10000 distinct segment ids",
                        });
                    }
                    self.segments.entry(id).or_default().add(e);
                }
            }
        }
        Ok(())
    }

    /// Merges another tally (of other blocks).
    pub fn merge(&mut self, other: &SegmentTally) {
        self.whole.merge(&other.whole);
        for (id, a) in &other.segments {
            self.segments.entry(*id).or_default().merge(a);
        }
    }

    /// The whole map's summary (`None` when no cell has all four chances).
    pub fn whole(&self) -> Option<SegmentSummary> {
        self.whole.summary()
    }

    /// Each segment's summary, by id (segments with no complete cell are left out).
    pub fn segments(&self) -> BTreeMap<i64, SegmentSummary> {
        self.segments
            .iter()
            .filter_map(|(id, a)| a.summary().map(|s| (*id, s)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn play_chance_is_the_product_and_nodata_propagates() {
        let s = [0.5, 1.0, 0.8];
        let r = [0.5, 0.9, 0.8];
        let se = [1.0, 0.5, 0.8];
        let c = [0.4, 0.2, 0.8];
        let ok = [true, true, true];
        let gap = [true, false, true];
        let mut out = [0.0; 3];
        let mut valid = [false; 3];
        play_chance_block(
            [(&s, &ok), (&r, &ok), (&se, &gap), (&c, &ok)],
            &mut out,
            &mut valid,
        )
        .unwrap();
        assert!((out[0] - 0.1).abs() < 1e-15);
        assert!(!valid[1]);
        assert!((out[2] - 0.8f64.powi(4)).abs() < 1e-15);
        let bad = [0.5, 1.5, 0.8];
        let err = play_chance_block(
            [(&s, &ok), (&r, &ok), (&bad, &ok), (&c, &ok)],
            &mut out,
            &mut valid,
        )
        .unwrap_err();
        assert!(err.to_string().contains("seal"), "{err}");
    }

    #[test]
    fn segment_summary_takes_element_minimums() {
        // Two cells in segment 7: minimums (0.5, 0.6, 0.9, 0.7) come from different cells.
        let s = [0.5, 0.9, 0.2];
        let r = [0.8, 0.6, 0.2];
        let se = [0.9, 1.0, 0.2];
        let c = [1.0, 0.7, 0.2];
        let ok = [true; 3];
        let ids = [7.0, 7.0, 0.0];
        let ids_valid = [true, true, false];
        let mut a = SegmentTally::new();
        a.add_block(
            [
                (&s[..2], &ok[..2]),
                (&r[..2], &ok[..2]),
                (&se[..2], &ok[..2]),
                (&c[..2], &ok[..2]),
            ],
            Some((&ids[..2], &ids_valid[..2])),
        )
        .unwrap();
        let mut b = SegmentTally::new();
        b.add_block(
            [
                (&s[2..], &ok[2..]),
                (&r[2..], &ok[2..]),
                (&se[2..], &ok[2..]),
                (&c[2..], &ok[2..]),
            ],
            Some((&ids[2..], &ids_valid[2..])),
        )
        .unwrap();
        a.merge(&b);
        let seg = &a.segments()[&7];
        assert_eq!(seg.cells, 2);
        assert_eq!(seg.minimum.source, 0.5);
        assert_eq!(seg.minimum.reservoir, 0.6);
        assert_eq!(seg.minimum.seal, 0.9);
        assert_eq!(seg.minimum.charge_trap, 0.7);
        assert!((seg.play_chance - 0.5 * 0.6 * 0.9 * 0.7).abs() < 1e-15);
        // Cell products 0.36 and 0.378: the segment chance 0.189 is below both.
        assert!((seg.cell_play_chance_min - 0.36).abs() < 1e-15);
        assert!((seg.cell_play_chance_max - 0.378).abs() < 1e-15);
        let whole = a.whole().unwrap();
        assert_eq!(whole.cells, 3);
        assert!((whole.cell_play_chance_min - 0.0016).abs() < 1e-15);
    }
}
