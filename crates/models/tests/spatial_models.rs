//! End to end on a small synthetic landscape: background sampling with a buffer, spatial
//! block CV and buffered leave-one-deposit-out for both learners, PU bagging, permutation
//! importance; and byte-identical results for the same seed on 1 and 2 threads.

use nedra_models::{
    cross_validate, permutation_importance, pu_bagging, sample_training_set, BackgroundPool,
    ClassWeighting, Classifier, FeatureMatrix, FoldScheme, ForestOptions, LogisticOptions,
    PuBaggingOptions, SamplingOptions,
};

/// A 60 × 60 grid of 100 m cells: f0 rises to the east and drives deposits; f1 is noise.
fn landscape() -> (FeatureMatrix, Vec<usize>) {
    let mut state = 99u64;
    let mut unit = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut v, mut x, mut y, mut deposits) = (vec![], vec![], vec![], vec![]);
    for r in 0..60 {
        for c in 0..60 {
            let f0 = c as f64 / 60.0;
            v.extend([f0, unit()]);
            x.push(c as f64 * 100.0 + 50.0);
            y.push(r as f64 * 100.0 + 50.0);
            if unit() < 0.002 + 0.06 * f0 * f0 {
                deposits.push(x.len() - 1);
            }
        }
    }
    (FeatureMatrix::new(2, v, x, y).unwrap(), deposits)
}

#[test]
fn spatial_cv_pu_bagging_and_importance() {
    let (matrix, deposits) = landscape();
    assert!(deposits.len() > 40, "{}", deposits.len());
    let data = sample_training_set(
        &matrix,
        &deposits,
        &SamplingOptions {
            background_count: 600,
            exclusion_buffer: 150.0,
            class_weighting: ClassWeighting::Balanced,
            seed: 1,
        },
    )
    .unwrap();
    let blocks = FoldScheme::Blocks {
        block_size: 1000.0,
        folds: 4,
        seed: 2,
    };
    let lodo = FoldScheme::LeaveOneDepositOut { buffer: 300.0 };
    let lr = LogisticOptions::default();
    let rf = ForestOptions {
        trees: 50,
        min_samples_leaf: 3,
        ..Default::default()
    };
    // Block folds: per-fold AUCs are global and must show the east-west signal.
    let a = cross_validate(&lr, &data, &blocks, 3).unwrap();
    assert!(a.mean_roc_auc > 0.6, "LR {}", a.mean_roc_auc);
    let b = cross_validate(&rf, &data, &blocks, 3).unwrap();
    assert!(b.mean_roc_auc > 0.55, "RF {}", b.mean_roc_auc);
    // Leave-one-deposit-out: a fold's AUC ranks one deposit against the background of its
    // own 300 m buffer, a local measure near 0.5 on this smooth landscape; check its shape.
    let b = cross_validate(&rf, &data, &lodo, 3).unwrap();
    assert!(b
        .folds
        .iter()
        .filter_map(|f| f.roc_auc)
        .all(|v| (0.0..=1.0).contains(&v)));
    let cv = cross_validate(&lr, &data, &lodo, 3).unwrap();
    assert_eq!(cv.folds.len(), data.positives());
    assert!(cv.folds.iter().all(|f| f.test_positives == 1));

    let pool = BackgroundPool::new(&matrix, &deposits, 150.0).unwrap();
    let options = PuBaggingOptions {
        models: 6,
        background_per_model: Some(300),
        ..Default::default()
    };
    let run = || {
        let e = pu_bagging(&rf, &matrix, &deposits, &pool, &options).unwrap();
        e.predict_matrix(&matrix)
    };
    let two = run();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(run);
    let bits = |v: &[nedra_models::PuPrediction]| -> Vec<(u64, u64)> {
        v.iter()
            .map(|p| (p.mean.to_bits(), p.sd.to_bits()))
            .collect()
    };
    assert_eq!(bits(&two), bits(&one), "same seed, 1 vs 2 threads");
    let east: f64 = (0..60).map(|r| two[r * 60 + 55].mean).sum::<f64>() / 60.0;
    let west: f64 = (0..60).map(|r| two[r * 60 + 5].mean).sum::<f64>() / 60.0;
    assert!(east > west, "east {east} west {west}");
    assert!(two.iter().any(|p| p.sd > 0.0));

    let model = lr.fit(&data).unwrap();
    let (base, imp) = permutation_importance(&model, &data, 3, 4).unwrap();
    assert!(base > 0.6);
    assert!(imp[0].mean_auc_drop > imp[1].mean_auc_drop);
    assert!(model.probability(&[1.0, 0.5]) > model.probability(&[0.0, 0.5]));
}
