//! `nedra-scheduler`: a Ballista scheduler that knows nedra's grid table and UDFs.
//!
//! ```text
//! nedra-scheduler [--bind 127.0.0.1] [--port 50050] [--executor-timeout-s 30]
//! ```

use std::sync::Arc;

use anyhow::{Context, Result};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use nedra_scale::args::{runtime, Args};
use nedra_scale::codec::{NedraLogicalCodec, NedraPhysicalCodec};

fn main() {
    if let Err(e) = runtime().and_then(|rt| rt.block_on(run())) {
        eprintln!("nedra-scheduler: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    nedra_scale::args::init_logging();
    let args = Args::parse(
        std::env::args().skip(1),
        &["bind", "port", "executor-timeout-s"],
    )?;
    let bind = args.get("bind").unwrap_or("127.0.0.1").to_string();
    let port: u16 = args.parsed("port", 50050)?;
    let timeout: u64 = args.parsed("executor-timeout-s", 30)?;
    let mut config = SchedulerConfig::default()
        .with_hostname(bind.clone())
        .with_port(port);
    config.bind_host = bind.clone();
    config.executor_timeout_seconds = timeout;
    config.expire_dead_executor_interval_seconds = timeout.div_ceil(3).max(1);
    config.override_logical_codec = Some(Arc::new(NedraLogicalCodec::default()));
    config.override_physical_codec = Some(Arc::new(NedraPhysicalCodec::default()));
    let addr = format!("{bind}:{port}")
        .parse()
        .with_context(|| format!("--bind {bind} --port {port}: not an address"))?;
    let cluster = BallistaCluster::new_from_config(&config).await?;
    println!("nedra-scheduler listening on df://{bind}:{port}");
    start_server(cluster, addr, Arc::new(config)).await?;
    Ok(())
}
