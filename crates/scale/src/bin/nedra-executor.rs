//! `nedra-executor`: a Ballista executor that can run nedra's grid scans and UDFs (it reads
//! the rasters through GDAL from paths it must see, e.g. a shared disk).
//!
//! ```text
//! nedra-executor --scheduler 127.0.0.1:50050 [--bind 127.0.0.1] [--port 50051]
//!                [--grpc-port 50052] [--vcores N] [--work-dir DIR] [--heartbeat-s 2]
//! ```

use std::sync::Arc;

use anyhow::{Context, Result};
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use nedra_scale::args::{runtime, Args};
use nedra_scale::codec::{NedraLogicalCodec, NedraPhysicalCodec};

fn main() {
    if let Err(e) = runtime().and_then(|rt| rt.block_on(run())) {
        eprintln!("nedra-executor: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    nedra_scale::args::init_logging();
    let args = Args::parse(
        std::env::args().skip(1),
        &[
            "scheduler",
            "bind",
            "port",
            "grpc-port",
            "vcores",
            "work-dir",
            "heartbeat-s",
        ],
    )?;
    let scheduler = args.get("scheduler").unwrap_or("127.0.0.1:50050");
    let (scheduler_host, scheduler_port) = scheduler
        .rsplit_once(':')
        .with_context(|| format!("--scheduler {scheduler}: expected HOST:PORT"))?;
    let scheduler_port: u16 = scheduler_port
        .parse()
        .with_context(|| format!("--scheduler {scheduler}: the port is not a number"))?;
    let bind = args.get("bind").unwrap_or("127.0.0.1").to_string();
    nedra_engine::init();
    let defaults = ExecutorProcessConfig::default();
    let config = ExecutorProcessConfig {
        bind_host: bind.clone(),
        external_host: Some(bind),
        port: args.parsed("port", 50051)?,
        grpc_port: args.parsed("grpc-port", 50052)?,
        scheduler_host: scheduler_host.to_string(),
        scheduler_port,
        vcores: args.parsed("vcores", defaults.vcores)?,
        work_dir: args.get("work-dir").map(str::to_string),
        executor_heartbeat_interval_seconds: args.parsed("heartbeat-s", 2)?,
        override_logical_codec: Some(Arc::new(NedraLogicalCodec::default())),
        override_physical_codec: Some(Arc::new(NedraPhysicalCodec::default())),
        ..defaults
    };
    println!(
        "nedra-executor on {}:{} (scheduler {scheduler})",
        config.bind_host, config.port
    );
    start_executor_process(Arc::new(config)).await?;
    Ok(())
}
