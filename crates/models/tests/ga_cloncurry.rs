//! Conformance with Geoscience Australia's published weights tables for the Cloncurry IOCG
//! test data (`GeoscienceAustralia/MPM-WofE` @ 7df6b7a, `TESTDATA/`; Apache-2.0,
//! (c) Commonwealth of Australia (Geoscience Australia) 2023).
//!
//! The class histograms are rebuilt from the published tables: cells = CLASS_AREA / 0.01 km²,
//! deposits = differences of the cumulative NO_POINTS. Grid: 3,131,133 cells of 100 m
//! (T = 31311.33 km², unit cell 1 km²), D = 258 deposit points. Every column is asserted to
//! 1e-9 relative; GEN_CLASS exactly.

use nedra_models::{
    calculate_weights, ClassCount, Generalisation, WeightsOptions, WeightsTable, WeightsType,
};

/// Tolerance held by every float column: relative.
const REL: f64 = 1e-9;

struct Expected {
    class: i64,
    class_area_km2: f64,
    area_km2: f64,
    area_units: f64,
    deposits: u64,
    w_plus: f64,
    s_w_plus: f64,
    w_minus: f64,
    s_w_minus: f64,
    contrast: f64,
    s_contrast: f64,
    studentized_contrast: f64,
    gen_class: i64,
    weight: f64,
    w_std: f64,
}

fn assert_close(name: &str, class: i64, got: f64, want: f64) {
    let err = (got - want).abs() / want.abs();
    assert!(
        err <= REL,
        "class {class} {name}: got {got:?}, published {want:?} (relative error {err:e})"
    );
}

fn assert_table(table: &WeightsTable, expected: &[Expected]) {
    assert_eq!(table.rows.len(), expected.len());
    for (r, e) in table.rows.iter().zip(expected) {
        assert_eq!(r.class, e.class);
        assert_eq!(r.deposits, Some(e.deposits), "class {} NO_POINTS", e.class);
        assert_eq!(r.gen_class, e.gen_class, "class {} GEN_CLASS", e.class);
        for (name, got, want) in [
            ("CLASS_AREA", r.class_area_km2, e.class_area_km2),
            ("AREA_SQ_KM", r.area_km2, e.area_km2),
            ("AREA_UNITS", r.area_units, e.area_units),
            ("WPLUS", r.w_plus, e.w_plus),
            ("S_WPLUS", r.s_w_plus, e.s_w_plus),
            ("WMINUS", r.w_minus, e.w_minus),
            ("S_WMINUS", r.s_w_minus, e.s_w_minus),
            ("CONTRAST", r.contrast, e.contrast),
            ("S_CONTRAST", r.s_contrast, e.s_contrast),
            ("STUDC", r.studentized_contrast, e.studentized_contrast),
            ("WEIGHT", r.weight, e.weight),
            ("W_STD", r.w_std, e.w_std),
        ] {
            assert_close(name, e.class, got, want);
        }
    }
}

fn binary(classes: &[ClassCount]) -> WeightsTable {
    calculate_weights(classes, &WeightsOptions::new(0.01, WeightsType::Binary)).unwrap()
}

/// `calculate_weights/FaultDensity_CD.csv`, descending, threshold 2.
const FAULT_DENSITY_CLASSES: [ClassCount; 10] = [
    ClassCount {
        class: 10,
        cells: 146466,
        deposits: 5,
    },
    ClassCount {
        class: 9,
        cells: 227565,
        deposits: 17,
    },
    ClassCount {
        class: 8,
        cells: 247123,
        deposits: 40,
    },
    ClassCount {
        class: 7,
        cells: 320305,
        deposits: 73,
    },
    ClassCount {
        class: 6,
        cells: 297054,
        deposits: 52,
    },
    ClassCount {
        class: 5,
        cells: 424177,
        deposits: 24,
    },
    ClassCount {
        class: 4,
        cells: 492049,
        deposits: 27,
    },
    ClassCount {
        class: 3,
        cells: 585125,
        deposits: 20,
    },
    ClassCount {
        class: 2,
        cells: 173701,
        deposits: 0,
    },
    ClassCount {
        class: 1,
        cells: 217568,
        deposits: 0,
    },
];

const FAULT_DENSITY_CD: [Expected; 10] = [
    Expected {
        class: 10,
        class_area_km2: 1464.66,
        area_km2: 1464.66,
        area_units: 1464.66,
        deposits: 5,
        w_plus: -0.886019155369624,
        s_w_plus: 0.447978895762513,
        w_minus: 0.0285754657025182,
        s_w_minus: 0.0631376288753182,
        contrast: -0.914594621072142,
        s_contrast: 0.452406289996722,
        studentized_contrast: -2.02162224817601,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 9,
        class_area_km2: 2275.65,
        area_km2: 3740.31,
        area_units: 3740.31,
        deposits: 22,
        w_plus: -0.339480346541272,
        s_w_plus: 0.213830504929249,
        w_minus: 0.0384096051004122,
        s_w_minus: 0.0653748517703972,
        contrast: -0.377889951641684,
        s_contrast: 0.223600885692117,
        studentized_contrast: -1.69001992309642,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 8,
        class_area_km2: 2471.23,
        area_km2: 6211.54,
        area_units: 6211.54,
        deposits: 62,
        w_plus: 0.193503566856249,
        s_w_plus: 0.127638732550364,
        w_minus: -0.0541588774086961,
        s_w_minus: 0.0717091022606089,
        contrast: 0.247662444264945,
        s_contrast: 0.146403010194756,
        studentized_contrast: 1.69164857973539,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 7,
        class_area_km2: 3203.05,
        area_km2: 9414.59,
        area_units: 9414.59,
        deposits: 135,
        w_plus: 0.560203877735014,
        s_w_plus: 0.086690084722503,
        w_minus: -0.385773837084196,
        s_w_minus: 0.0904212816950683,
        contrast: 0.945977714819211,
        s_contrast: 0.125264436184312,
        studentized_contrast: 7.55184586810667,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 6,
        class_area_km2: 2970.54,
        area_km2: 12385.13,
        area_units: 12385.13,
        deposits: 187,
        w_plus: 0.612572419636479,
        s_w_plus: 0.0736856387755134,
        w_minus: -0.791362396794525,
        s_w_minus: 0.118901399527403,
        contrast: 1.403934816431,
        s_contrast: 0.139882508453811,
        studentized_contrast: 10.0365287407938,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 5,
        class_area_km2: 4241.77,
        area_km2: 16626.9,
        area_units: 16626.9,
        deposits: 211,
        w_plus: 0.436354220208396,
        s_w_plus: 0.0692838584614669,
        w_minus: -0.950687880880738,
        s_w_minus: 0.146098986131296,
        contrast: 1.38704210108913,
        s_contrast: 0.161694671501263,
        studentized_contrast: 8.57815590465082,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 4,
        class_area_km2: 4920.49,
        area_km2: 21547.39,
        area_units: 21547.39,
        deposits: 238,
        w_plus: 0.295869317113512,
        s_w_plus: 0.0651813496427075,
        w_minus: -1.39816681567492,
        s_w_minus: 0.223836163051784,
        contrast: 1.69403613278844,
        s_contrast: 0.233133515889478,
        studentized_contrast: 7.26637749327954,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 3,
        class_area_km2: 5851.25,
        area_km2: 27398.64,
        area_units: 27398.64,
        deposits: 258,
        w_plus: 0.130792747171432,
        s_w_plus: 0.0626717077938004,
        w_minus: -3.49127593388469,
        s_w_minus: 1.00516498816236,
        contrast: 3.62206868105612,
        s_contrast: 1.00711687325018,
        studentized_contrast: 3.59647303829488,
        gen_class: 2,
        weight: 0.130792747171432,
        w_std: 0.0626717077938004,
    },
    Expected {
        class: 2,
        class_area_km2: 1737.01,
        area_km2: 29135.65,
        area_units: 29135.65,
        deposits: 258,
        w_plus: 0.0687592372252149,
        s_w_plus: 0.0626540250602394,
        w_minus: -2.90418999741612,
        s_w_minus: 1.0052665545793,
        contrast: 2.97294923464134,
        s_contrast: 1.00721714273139,
        studentized_contrast: 2.95164677854791,
        gen_class: 1,
        weight: -3.49127593388469,
        w_std: 1.00516498816236,
    },
    Expected {
        class: 1,
        class_area_km2: 2175.68,
        area_km2: 31311.33,
        area_units: 31311.33,
        deposits: 258,
        w_plus: -0.00381270913046867,
        s_w_plus: 0.0626346779270061,
        w_minus: 4.79050174306312,
        s_w_minus: 1.42133810903625,
        contrast: -4.79431445219359,
        s_contrast: 1.42271751345015,
        studentized_contrast: -3.36982880077661,
        gen_class: 1,
        weight: -3.49127593388469,
        w_std: 1.00516498816236,
    },
];

#[test]
fn fault_density_descending_matches_published() {
    for rule in [Generalisation::ArcSdm, Generalisation::GaR] {
        let options = WeightsOptions::new(0.01, WeightsType::Descending).generalisation(rule);
        let table = calculate_weights(&FAULT_DENSITY_CLASSES, &options).unwrap();
        assert_table(&table, &FAULT_DENSITY_CD);
    }
}

#[test]
fn fault_density_last_row_uses_patch_3() {
    let options = WeightsOptions::new(0.01, WeightsType::Descending);
    let table = calculate_weights(&FAULT_DENSITY_CLASSES, &options).unwrap();
    let last = table.rows.last().unwrap();
    assert_eq!(last.class, 1);
    assert_close("WMINUS", 1, last.w_minus, 4.79050174306312);
}

#[test]
fn histogram_order_does_not_matter() {
    let mut shuffled = FAULT_DENSITY_CLASSES;
    shuffled.reverse();
    shuffled.swap(2, 7);
    let options = WeightsOptions::new(0.01, WeightsType::Descending);
    let table = calculate_weights(&shuffled, &options).unwrap();
    assert_table(&table, &FAULT_DENSITY_CD);
}

/// `calculate_response/Dist2Breccia_CT.csv`, binary.
const DIST2BRECCIA_CLASSES: [ClassCount; 2] = [
    ClassCount {
        class: 1,
        cells: 1507481,
        deposits: 52,
    },
    ClassCount {
        class: 2,
        cells: 1623652,
        deposits: 206,
    },
];

const DIST2BRECCIA_CT: [Expected; 2] = [
    Expected {
        class: 1,
        class_area_km2: 15074.81,
        area_km2: 15074.81,
        area_units: 15074.81,
        deposits: 52,
        w_plus: -0.875579530060502,
        s_w_plus: 0.138914846843618,
        w_minus: 0.436128227601915,
        s_w_minus: 0.0701195403597716,
        contrast: -1.31170775766242,
        s_contrast: 0.155608754939597,
        studentized_contrast: -8.4295241496636,
        gen_class: 1,
        weight: -0.875579530060502,
        w_std: 0.138914846843618,
    },
    Expected {
        class: 2,
        class_area_km2: 16236.52,
        area_km2: 16236.52,
        area_units: 16236.52,
        deposits: 206,
        w_plus: 0.436128227601915,
        s_w_plus: 0.0701195403597716,
        w_minus: -0.875579530060502,
        s_w_minus: 0.138914846843618,
        contrast: 1.31170775766242,
        s_contrast: 0.155608754939597,
        studentized_contrast: 8.4295241496636,
        gen_class: 2,
        weight: 0.436128227601915,
        w_std: 0.0701195403597716,
    },
];

#[test]
fn dist2breccia_binary_matches_published() {
    assert_table(&binary(&DIST2BRECCIA_CLASSES), &DIST2BRECCIA_CT);
}

/// `calculate_response/Dist2Fault_CT.csv`, binary.
const DIST2FAULT_CLASSES: [ClassCount; 2] = [
    ClassCount {
        class: 1,
        cells: 1552606,
        deposits: 195,
    },
    ClassCount {
        class: 2,
        cells: 1578527,
        deposits: 63,
    },
];

const DIST2FAULT_CT: [Expected; 2] = [
    Expected {
        class: 1,
        class_area_km2: 15526.06,
        area_km2: 15526.06,
        area_units: 15526.06,
        deposits: 195,
        w_plus: 0.425865186688256,
        s_w_plus: 0.0720654715528206,
        w_minus: -0.729196988135981,
        s_w_minus: 0.126240326045262,
        contrast: 1.15506217482424,
        s_contrast: 0.145361797285754,
        studentized_contrast: 7.94611924447799,
        gen_class: 1,
        weight: 0.425865186688256,
        w_std: 0.0720654715528206,
    },
    Expected {
        class: 2,
        class_area_km2: 15785.27,
        area_km2: 15785.27,
        area_units: 15785.27,
        deposits: 63,
        w_plus: -0.729196988135981,
        s_w_plus: 0.126240326045262,
        w_minus: 0.425865186688256,
        s_w_minus: 0.0720654715528206,
        contrast: -1.15506217482424,
        s_contrast: 0.145361797285754,
        studentized_contrast: -7.94611924447799,
        gen_class: 2,
        weight: -0.729196988135981,
        w_std: 0.126240326045262,
    },
];

#[test]
fn dist2fault_binary_matches_published() {
    assert_table(&binary(&DIST2FAULT_CLASSES), &DIST2FAULT_CT);
}

/// `calculate_response/FaultDensity_CT.csv`, binary.
const FAULT_DENSITY_CLASSES_BIN: [ClassCount; 2] = [
    ClassCount {
        class: 1,
        cells: 1892620,
        deposits: 71,
    },
    ClassCount {
        class: 2,
        cells: 1238513,
        deposits: 187,
    },
];

const FAULT_DENSITY_CT: [Expected; 2] = [
    Expected {
        class: 1,
        class_area_km2: 18926.2,
        area_km2: 18926.2,
        area_units: 18926.2,
        deposits: 71,
        w_plus: -0.791362396794525,
        s_w_plus: 0.118901399527403,
        w_minus: 0.612572419636479,
        s_w_minus: 0.0736856387755134,
        contrast: -1.403934816431,
        s_contrast: 0.139882508453811,
        studentized_contrast: -10.0365287407938,
        gen_class: 1,
        weight: -0.791362396794525,
        w_std: 0.118901399527403,
    },
    Expected {
        class: 2,
        class_area_km2: 12385.13,
        area_km2: 12385.13,
        area_units: 12385.13,
        deposits: 187,
        w_plus: 0.612572419636479,
        s_w_plus: 0.0736856387755134,
        w_minus: -0.791362396794525,
        s_w_minus: 0.118901399527403,
        contrast: 1.403934816431,
        s_contrast: 0.139882508453811,
        studentized_contrast: 10.0365287407938,
        gen_class: 2,
        weight: 0.612572419636479,
        w_std: 0.0736856387755134,
    },
];

#[test]
fn fault_density_binary_matches_published() {
    assert_table(&binary(&FAULT_DENSITY_CLASSES_BIN), &FAULT_DENSITY_CT);
}

/// `calculate_response/StratNo_CT.csv`, binary.
const STRAT_NO_CLASSES: [ClassCount; 2] = [
    ClassCount {
        class: 1,
        cells: 3000391,
        deposits: 218,
    },
    ClassCount {
        class: 2,
        cells: 130742,
        deposits: 40,
    },
];

const STRAT_NO_CT: [Expected; 2] = [
    Expected {
        class: 1,
        class_area_km2: 30003.91,
        area_km2: 30003.91,
        area_units: 30003.91,
        deposits: 218,
        w_plus: -0.126793936032072,
        s_w_plus: 0.0679759434225853,
        w_minus: 1.33464258007767,
        s_w_minus: 0.160589552693209,
        contrast: -1.46143651610974,
        s_contrast: 0.174383867712571,
        studentized_contrast: -8.38057175402577,
        gen_class: 1,
        weight: -0.126793936032072,
        w_std: 0.0679759434225853,
    },
    Expected {
        class: 2,
        class_area_km2: 1307.42,
        area_km2: 1307.42,
        area_units: 1307.42,
        deposits: 40,
        w_plus: 1.33464258007767,
        s_w_plus: 0.160589552693209,
        w_minus: -0.126793936032072,
        s_w_minus: 0.0679759434225853,
        contrast: 1.46143651610974,
        s_contrast: 0.174383867712571,
        studentized_contrast: 8.38057175402577,
        gen_class: 2,
        weight: 1.33464258007767,
        w_std: 0.160589552693209,
    },
];

#[test]
fn strat_no_binary_matches_published() {
    assert_table(&binary(&STRAT_NO_CLASSES), &STRAT_NO_CT);
}

/// The published cross-check: the descending FaultDensity row at class 6 equals class 2 of
/// the binary FaultDensity table.
#[test]
fn cumulative_row_equals_binary_pattern() {
    let options = WeightsOptions::new(0.01, WeightsType::Descending);
    let cumulative = calculate_weights(&FAULT_DENSITY_CLASSES, &options).unwrap();
    let row6 = cumulative.rows.iter().find(|r| r.class == 6).unwrap();
    let binary = binary(&FAULT_DENSITY_CLASSES_BIN);
    let class2 = binary.rows[1];
    assert_close("WPLUS", 6, row6.w_plus, class2.w_plus);
    assert_close("WMINUS", 6, row6.w_minus, class2.w_minus);
    assert_close(
        "STUDC",
        6,
        row6.studentized_contrast,
        class2.studentized_contrast,
    );
}

#[test]
fn published_table_round_trips_through_csv() {
    let table = binary(&STRAT_NO_CLASSES);
    let mut buf = Vec::new();
    table.write_csv(&mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(text.starts_with(
        "CLASS,CLASS_AREA,AREA_SQ_KM,AREA_UNITS,NO_POINTS,WPLUS,S_WPLUS,WMINUS,S_WMINUS,\
         CONTRAST,S_CONTRAST,STUDC,GEN_CLASS,WEIGHT,W_STD\n"
    ));
    let back = WeightsTable::read_csv(text.as_bytes(), "StratNo.csv").unwrap();
    assert_eq!(back.rows, table.rows);
}
