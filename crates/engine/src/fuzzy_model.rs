//! The knowledge-driven model: fuzzy memberships of evidence layers combined by an inference
//! network of fuzzy operators (Bonham-Carter 1994, ch. 9; An, Moon & Rencz 1991), evaluated
//! block by block into `prospectivity.tif`.
//!
//! `uncertainty.tif` is the disagreement of the evidence at the cell: the largest minus the
//! smallest membership among the layers (fuzzy OR − fuzzy AND). It is 0 where every layer agrees
//! and near 1 where one layer says "favourable" and another "not at all" — the cells where the
//! network's choice of operators decides the answer.

use std::path::Path;

use anyhow::{bail, Context, Result};
use nedra_core::fuzzy::{FuzzyOverlay, Membership};
use nedra_core::{Block, Grid};
use nedra_io::RasterReader;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::pipeline::write_streamed_many;

/// The membership function of one evidence layer, e.g. `function = "large:150,4"`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipSpec {
    /// Evidence layer name.
    pub layer: String,
    /// linear:MIN,MAX | large:MID,SPREAD | small:MID,SPREAD | gaussian:MID,SPREAD |
    /// near:MID,SPREAD | categorical:CODE=μ,…,default=μ
    pub function: String,
}

/// One node of the inference network.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Node name (other nodes and `output` refer to it).
    pub name: String,
    /// and | or | product | sum | gamma.
    pub operator: crate::options::FuzzyOperator,
    /// γ for the gamma operator, in [0, 1].
    pub gamma: Option<f64>,
    /// Layer names or earlier node names.
    pub inputs: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
enum Input {
    Layer(usize),
    Node(usize),
}

/// A checked network: nodes in evaluation order.
#[derive(Debug, Clone)]
pub struct Network {
    memberships: Vec<Membership>,
    nodes: Vec<(FuzzyOverlay, Vec<Input>)>,
    output: usize,
}

impl Network {
    /// Checks a network against the run's evidence layers (every layer needs a membership;
    /// node inputs must be layers or earlier nodes).
    ///
    /// # Errors
    /// Unknown names, bad functions or operators, cycles, a missing output.
    pub fn new(
        layers: &[String],
        memberships: &[MembershipSpec],
        nodes: &[NodeSpec],
        output: Option<&str>,
    ) -> Result<Self> {
        let mut funcs = Vec::with_capacity(layers.len());
        for l in layers {
            let spec = memberships
                .iter()
                .find(|m| &m.layer == l)
                .with_context(|| {
                    format!(
                        "[model] fuzzy: evidence layer {l:?} has no [[model.memberships]] entry"
                    )
                })?;
            let m = crate::classify::parse_membership(&spec.function)
                .with_context(|| format!("[model] fuzzy membership of {l:?}"))?;
            m.validate()
                .with_context(|| format!("[model] fuzzy membership of {l:?}"))?;
            funcs.push(m);
        }
        for m in memberships {
            if !layers.contains(&m.layer) {
                bail!(
                    "[[model.memberships]] layer {:?} is not an evidence layer of the project",
                    m.layer
                );
            }
        }
        if nodes.is_empty() {
            bail!("[model] kind = \"fuzzy\" needs at least one [[model.nodes]] (the inference network)");
        }
        let mut built: Vec<(FuzzyOverlay, Vec<Input>)> = Vec::new();
        for (k, n) in nodes.iter().enumerate() {
            use crate::options::FuzzyOperator;
            let op = match (n.operator, n.gamma) {
                (FuzzyOperator::And, _) => FuzzyOverlay::And,
                (FuzzyOperator::Or, _) => FuzzyOverlay::Or,
                (FuzzyOperator::Product, _) => FuzzyOverlay::Product,
                (FuzzyOperator::Sum, _) => FuzzyOverlay::Sum,
                (FuzzyOperator::Gamma, Some(g)) if (0.0..=1.0).contains(&g) => {
                    FuzzyOverlay::Gamma(g)
                }
                (FuzzyOperator::Gamma, g) => bail!(
                    "[[model.nodes]] {:?}: gamma needs `gamma` in [0, 1], found {g:?}",
                    n.name
                ),
            };
            if n.inputs.is_empty() {
                bail!("[[model.nodes]] {:?} has no inputs", n.name);
            }
            let inputs = n
                .inputs
                .iter()
                .map(|i| {
                    if let Some(l) = layers.iter().position(|x| x == i) {
                        Ok(Input::Layer(l))
                    } else if let Some(j) = nodes[..k].iter().position(|x| &x.name == i) {
                        Ok(Input::Node(j))
                    } else {
                        bail!("[[model.nodes]] {:?}: input {i:?} is neither an evidence layer nor an earlier node", n.name)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            built.push((op, inputs));
        }
        let output = match output {
            Some(o) => nodes
                .iter()
                .position(|n| n.name == o)
                .with_context(|| format!("[model] output {o:?} is not a node"))?,
            None => nodes.len() - 1,
        };
        Ok(Self {
            memberships: funcs,
            nodes: built,
            output,
        })
    }

    /// Prospectivity and disagreement of one cell from its layer values; `None` where a layer
    /// has no membership (NoData).
    pub fn evaluate(&self, values: &[f64], scratch: &mut Vec<f64>) -> Option<(f64, f64)> {
        let mu: Vec<f64> = values
            .iter()
            .zip(&self.memberships)
            .map(|(v, m)| m.membership(*v))
            .collect::<Option<Vec<f64>>>()?;
        let mut outs: Vec<f64> = Vec::with_capacity(self.nodes.len());
        for (op, inputs) in &self.nodes {
            scratch.clear();
            scratch.extend(inputs.iter().map(|i| match i {
                Input::Layer(l) => mu[*l],
                Input::Node(n) => outs[*n],
            }));
            outs.push(op.combine_unchecked(scratch));
        }
        let (lo, hi) = mu
            .iter()
            .fold((1.0f64, 0.0f64), |a, m| (a.0.min(*m), a.1.max(*m)));
        Some((outs[self.output], hi - lo))
    }
}

/// Evaluates the network over the grid; writes `prospectivity.tif` and `uncertainty.tif`.
///
/// # Errors
/// Read/write failures.
pub fn run_fuzzy(
    grid: &Grid,
    mask: &RasterReader,
    layers: &[RasterReader],
    network: &Network,
    dir: &Path,
) -> Result<Value> {
    let mut cells = 0u64;
    write_streamed_many(
        grid,
        [&dir.join("prospectivity.tif"), &dir.join("uncertainty.tif")],
        "fuzzy inference",
        |w| -> Result<(Block, Vec<Block>)> {
            Ok((
                mask.read(w)?,
                layers
                    .iter()
                    .map(|l| l.read(w))
                    .collect::<Result<Vec<_>, _>>()?,
            ))
        },
        |w, (m, blocks)| {
            let mut out = [Block::empty(w), Block::empty(w)];
            let (mut values, mut scratch) = (vec![0.0; blocks.len()], Vec::new());
            let mut n = 0u64;
            for i in 0..w.len() {
                if !m.valid[i] {
                    continue;
                }
                for (v, b) in values.iter_mut().zip(&blocks) {
                    *v = b.get(i).unwrap_or(f64::NAN);
                }
                if let Some((p, u)) = network.evaluate(&values, &mut scratch) {
                    for (o, x) in out.iter_mut().zip([p, u]) {
                        o.values[i] = x;
                        o.valid[i] = true;
                    }
                    n += 1;
                }
            }
            Ok((out, n))
        },
        |n| cells += n,
    )?;
    if cells == 0 {
        bail!("the fuzzy network gave no cell a value: check that the memberships cover the layers' values (categorical tables need a default)");
    }
    Ok(json!({
        "kind": "fuzzy",
        "method": "fuzzy memberships combined by the inference network (Bonham-Carter 1994, ch. 9); uncertainty = largest − smallest membership at the cell (disagreement of the evidence)",
        "cells": cells,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(layer: &str, f: &str) -> MembershipSpec {
        MembershipSpec {
            layer: layer.into(),
            function: f.into(),
        }
    }

    #[test]
    fn a_two_level_network_equals_hand_computation() {
        let layers = vec!["mag".to_string(), "dist".to_string(), "th".to_string()];
        let ms = vec![
            spec("mag", "linear:0,100"),
            spec("dist", "small:1000,2"),
            spec("th", "linear:5,25"),
        ];
        let nodes = vec![
            NodeSpec {
                name: "geophysics".into(),
                operator: crate::options::FuzzyOperator::Or,
                gamma: None,
                inputs: vec!["mag".into(), "th".into()],
            },
            NodeSpec {
                name: "ree".into(),
                operator: crate::options::FuzzyOperator::Gamma,
                gamma: Some(0.8),
                inputs: vec!["geophysics".into(), "dist".into()],
            },
        ];
        let net = Network::new(&layers, &ms, &nodes, Some("ree")).unwrap();
        let (p, u) = net.evaluate(&[40.0, 500.0, 20.0], &mut Vec::new()).unwrap();
        // μ: mag 0.4, dist 1/(1 + 0.5²) = 0.8, th 0.75. OR = 0.75.
        // gamma 0.8 of (0.75, 0.8): sum = 1 − 0.25·0.2 = 0.95, product = 0.6.
        let expect = 0.95f64.powf(0.8) * 0.6f64.powf(0.2);
        assert!((p - expect).abs() < 1e-12, "{p} vs {expect}");
        assert!((u - (0.8 - 0.4)).abs() < 1e-12);
        assert!(net
            .evaluate(&[f64::NAN, 500.0, 20.0], &mut Vec::new())
            .is_none());
    }

    #[test]
    fn bad_networks_are_named() {
        let layers = vec!["a".to_string()];
        let ms = vec![spec("a", "linear:0,1")];
        let node = |inputs: Vec<&str>, op: &str| NodeSpec {
            name: "n".into(),
            operator: crate::options::parse(op).unwrap(),
            gamma: None,
            inputs: inputs.into_iter().map(String::from).collect(),
        };
        let e = Network::new(&layers, &ms, &[node(vec!["b"], "and")], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"b\""), "{e}");
        let e = Network::new(&layers, &ms, &[node(vec!["a"], "gamma")], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("gamma"), "{e}");
        let e = Network::new(&layers, &[], &[node(vec!["a"], "and")], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no [[model.memberships]]"), "{e}");
    }
}
