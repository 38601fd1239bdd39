//! Benchmark: 1,000,000 trials of a 10-tract mineral assessment.
//!
//! `cargo run --release -p nedra-assess --example bench_assessment [trials]`
//!
//! Tracts use the EXAMPLE carbonatite REE grade–tonnage model (not a published model) and
//! negative-binomial pmfs fitted to invented estimates. Inputs are built outside the timed
//! part; the timed part is `simulate_assessment` (simulation and summaries).

use std::path::Path;
use std::time::Instant;

use nedra_assess::{
    fit_negative_binomial, simulate_assessment, ExpertEstimate, GradeTonnageModel,
    SimulationOptions, Tract,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let trials: usize = match std::env::args().nth(1) {
        Some(t) => t.parse()?,
        None => 1_000_000,
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/example_carbonatite_ree.json");
    let model = GradeTonnageModel::from_json_file(&path)?;
    let mut tracts = vec![];
    for i in 0..10i64 {
        let estimates = [
            ExpertEstimate::new("a", i % 3, 2 + i % 4, 6 + i),
            ExpertEstimate::new("b", 1, 3 + i % 2, 8 + i / 2).with_weight(2.0),
        ];
        let fit = fit_negative_binomial(&estimates, &Default::default())?;
        tracts.push(Tract {
            name: format!("tract-{i:02}"),
            deposits: fit.pmf,
            model: model.clone(),
        });
    }
    let expected: f64 = tracts.iter().map(|t| t.deposits.mean()).sum();
    let options = SimulationOptions::default()
        .with_trials(trials)
        .with_seed(2026);
    let threads = rayon::current_num_threads();
    let start = Instant::now();
    let result = simulate_assessment(&tracts, &options)?;
    let seconds = start.elapsed().as_secs_f64();
    let ore = &result.total.quantities[0];
    println!(
        "assessment/10-tracts/{trials}-trials: {seconds:.2} s on {threads} threads \
         ({:.0} ns per tract-trial; E[N] total {expected:.2} deposits per trial)",
        seconds * 1e9 / (trials as f64 * 10.0)
    );
    println!(
        "total ore: mean {:.1} Mt (analytic {:.1}), F90 {:.1}, F50 {:.1}, F10 {:.1}",
        ore.mean,
        ore.analytic_mean,
        ore.quantiles[1].value,
        ore.quantiles[9].value,
        ore.quantiles[17].value
    );
    Ok(())
}
