//! Response from a GA-written weights table (`calculate_response/StratNo_CT.csv` of
//! `GeoscienceAustralia/MPM-WofE` @ 7df6b7a, Apache-2.0, kept here as a literal).
//! Tolerance: 1e-12 relative against values computed by hand from the formulas.

use nedra_models::{LayerSummary, Response, WeightsTable, WeightsType};

const STRAT_NO_CT: &str = r#""","CLASS","CLASS_AREA","AREA_SQ_KM","AREA_UNITS","NO_POINTS","WPLUS","S_WPLUS","WMINUS","S_WMINUS","CONTRAST","S_CONTRAST","STUDC","GEN_CLASS","WEIGHT","W_STD"
"1",1,30003.91,30003.91,30003.91,218,-0.126793936032072,0.0679759434225853,1.33464258007767,0.160589552693209,-1.46143651610974,0.174383867712571,-8.38057175402577,1,-0.126793936032072,0.0679759434225853
"2",2,1307.42,1307.42,1307.42,40,1.33464258007767,0.160589552693209,-0.126793936032072,0.0679759434225853,1.46143651610974,0.174383867712571,8.38057175402577,2,1.33464258007767,0.160589552693209
"#;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

#[test]
fn strat_no_response_with_and_without_evidence() {
    let table = WeightsTable::read_csv(STRAT_NO_CT.as_bytes(), "StratNo_CT.csv").unwrap();
    assert_eq!(table.kind, WeightsType::Categorical);
    let summary = LayerSummary::from_table(&table).unwrap();
    let response = Response::new(258, 31311.33).unwrap();
    let layers = [summary];

    // Class 2 present: PP = 1/(1+exp(4.790501743066337 − 1.33464258007767)).
    let (weight, w_std, gen_class) = table.lookup(2).unwrap();
    assert_eq!(gen_class, 2);
    let cell = response.cell(&layers, &[Some((weight, w_std))]);
    let pp = 1.0 / (1.0 + (4.790501743066337f64 - 1.33464258007767).exp());
    assert!(close(cell.posterior_probability, pp));
    let sd = pp * (1.0 / 258.0 + 0.160589552693209f64.powi(2)).sqrt();
    assert!(close(cell.standard_deviation, sd));
    assert!(close(cell.confidence, pp / sd));

    // Missing: the prior, plus the two-class missing-data variance.
    let cell = response.cell(&layers, &[None]);
    let prior = response.prior_probability();
    assert!(close(cell.posterior_probability, prior));
    let odds = 258.0 / (31311.33 - 258.0);
    let post = |w: f64| odds * w.exp() / (1.0 + odds * w.exp());
    let total = 30003.91 + 1307.42;
    let md = (post(1.33464258007767) - prior).powi(2) * 1307.42 / total
        + (post(-0.126793936032072) - prior).powi(2) * 30003.91 / total;
    assert!((cell.missing_data_variance - md).abs() <= 1e-9 * md);
    assert!(close(
        cell.standard_deviation,
        (prior * prior / 258.0 + cell.missing_data_variance).sqrt()
    ));
}
