//! Pinned predictions of the tree learners: a random forest and a gradient-boosting model
//! fitted on a fixed seeded set give these very bits (probability and Saabas contributions)
//! on fixed rows, row by row and in a batch. A change of the fitted trees or of how they are
//! evaluated shows here; the numbers were computed by nedra before the two learners shared
//! one tree type. When a change is meant to alter them, the failure message prints the new
//! table to paste in.

use nedra_models::{
    BoostingOptions, ClassWeighting, Classifier, ForestOptions, SplitMix64, TrainingSet,
};

const FEATURES: usize = 3;

/// 400 samples: a and b uniform, c on a coarse grid of tenths (many ties); the label is
/// (a > ½) xor (b > 0.3 + c/2), flipped with probability 0.1; balanced class weights.
fn data() -> TrainingSet {
    let mut rng = SplitMix64::new(2024);
    let (mut f, mut l) = (vec![], vec![]);
    for _ in 0..400 {
        let (a, b, c) = (
            rng.uniform(),
            rng.uniform(),
            (rng.uniform() * 10.0).floor() / 10.0,
        );
        f.extend([a, b, c]);
        l.push(((a > 0.5) != (b > 0.3 + 0.5 * c)) != (rng.uniform() < 0.1));
    }
    let n = l.len();
    TrainingSet::new(FEATURES, f, l, vec![0.0; n], vec![0.0; n])
        .unwrap()
        .with_class_weighting(ClassWeighting::Balanced)
        .unwrap()
}

/// Eight rows: four training rows and four new ones.
fn rows(data: &TrainingSet) -> Vec<f64> {
    let mut rows = vec![];
    for i in [0, 1, 57, 399] {
        rows.extend_from_slice(data.row(i));
    }
    rows.extend([
        0.5, 0.5, 0.5, 0.1, 0.9, 0.0, 0.93, 0.12, 0.7, 0.31, 0.42, 0.3,
    ]);
    rows
}

/// FNV-1a of the bits of the batch probabilities and contributions of all 400 training rows.
fn digest(model: &dyn Classifier, data: &TrainingSet) -> u64 {
    let rows: Vec<f64> = (0..data.len()).flat_map(|i| data.row(i).to_vec()).collect();
    let (mut out, mut contributions) = (vec![0.0; data.len()], vec![0.0; rows.len()]);
    model.predict_batch(&rows, &mut out, Some(&mut contributions));
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for v in out.iter().chain(&contributions) {
        for byte in v.to_bits().to_le_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Per row: the probability's bits, then each contribution's; checked row by row and in a
/// batch.
fn pinned(model: &dyn Classifier, rows: &[f64]) -> Vec<u64> {
    let n = rows.len() / FEATURES;
    let mut bits = vec![];
    let mut c = [0.0; FEATURES];
    for row in rows.chunks_exact(FEATURES) {
        bits.push(model.probability(row).to_bits());
        model.contributions(row, &mut c);
        bits.extend(c.iter().map(|v| v.to_bits()));
    }
    let (mut out, mut contributions) = (vec![0.0; n], vec![0.0; n * FEATURES]);
    model.predict_batch(rows, &mut out, Some(&mut contributions));
    let batch: Vec<u64> = out
        .iter()
        .zip(contributions.chunks_exact(FEATURES))
        .flat_map(|(p, c)| std::iter::once(p).chain(c).map(|v| v.to_bits()))
        .collect();
    assert_eq!(bits, batch, "batch differs from row by row");
    bits
}

fn check(name: &str, got: &[u64], want: &[u64]) {
    let table: String = got
        .chunks(FEATURES + 1)
        .map(|r| {
            let r: Vec<String> = r.iter().map(|b| format!("0x{b:016x}")).collect();
            format!("    {},\n", r.join(", "))
        })
        .collect();
    assert!(got == want, "{name}: the pinned bits changed; now\n{table}");
}

#[test]
fn random_forest_predictions_are_pinned() {
    let data = data();
    let forest = ForestOptions {
        trees: 12,
        min_samples_leaf: 2,
        max_depth: Some(6),
        ..Default::default()
    }
    .fit(&data, 7)
    .unwrap();
    check("random forest", &pinned(&forest, &rows(&data)), FOREST);
    assert_eq!(
        digest(&forest, &data),
        0x85cc7294bdfd583a,
        "random forest: digest"
    );
}

#[test]
fn gradient_boosting_predictions_are_pinned() {
    let data = data();
    let boosting = BoostingOptions {
        trees: 25,
        learning_rate: 0.2,
        max_depth: 3,
        min_samples_leaf: 4,
        subsample: 0.8,
        max_features: Some(2),
        ..Default::default()
    }
    .fit(&data, 7)
    .unwrap();
    check(
        "gradient boosting",
        &pinned(&boosting, &rows(&data)),
        BOOSTING,
    );
    assert_eq!(
        digest(&boosting, &data),
        0x9ba2f021ebbeddb3,
        "gradient boosting: digest"
    );
}

#[rustfmt::skip]
const FOREST: &[u64] = &[
    0x3fe73ca802238fc4, 0x3fb2182ef426ee15, 0x3fc3ceb380c825d3, 0x3f888fec09f4e5d5,
    0x3fd36099a3172014, 0xbfa0203148f1c457, 0xbfbdfbd85d7cab64, 0xbfa31eaa17a9339e,
    0x3fdc452af6260b1b, 0x3f7716e5bf20ae35, 0xbfb8bffe85a4054c, 0x3fa68b1ed046fe4f,
    0x3fe620ed6eb8d62b, 0x3fcd0b76561954e3, 0xbfab8aadebcf257b, 0x3f9e60a49553ca8f,
    0x3fdd87c58d00e5ab, 0xbfbe1d15bf1ebbbd, 0x3faf12a6c0091933, 0x3f9e54afe3dc7875,
    0x3fe5dbff551ff363, 0x3fcc80f9fabcc654, 0xbf5a959094ff8ec0, 0xbf9b553e91326c17,
    0x3fe54fc0b6264c48, 0x3fb06b8c76fad780, 0x3fc080a7dad34800, 0xbf90320c5656b3b1,
    0x3fd91b6f10b0a4c0, 0xbfb7c31eda722f0d, 0xbf972d9c487ec804, 0x3f937a5654b73197,
];

#[rustfmt::skip]
const BOOSTING: &[u64] = &[
    0x3fecaac610f44d0d, 0x3fed5e4fd0fa4c6b, 0x3ff5d74208233c00, 0xbfb802effb319f3a,
    0x3fc61ca216319d3d, 0xbfd46ae2aca170a8, 0xbfecd6608df80e80, 0xbfd3c5f825dd2a7e,
    0x3fcfed84c6e97efb, 0xbfdeda012fe8e0d8, 0xbfeaa79b49b20bc2, 0x3fd008636b877c72,
    0x3fe9a9494027b1e2, 0x3ff44389ecca8222, 0xbf7ab36ebad782e0, 0x3fc6754594ec600c,
    0x3fd548ec3e8865ff, 0xbfecaeb7323da4cc, 0x3fb421dc5a3c9e04, 0x3fc4416fe3524e50,
    0x3febb800838194f8, 0x3ff473b015240ca4, 0x3fd9e1499bbb378b, 0x3fcc76789106332c,
    0x3fee357bc3880ffb, 0x3fe9a0e3431a8918, 0x3ffbc874f63f6fed, 0x3fd4ce9124a292b6,
    0x3fdbc0445e3edad6, 0xbfe43564806ff96a, 0x3fdbb222d07c30b7, 0xbf9fff8a32c0ea8c,
];
