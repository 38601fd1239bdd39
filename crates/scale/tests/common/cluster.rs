//! A local cluster for tests: `nedra-scheduler` and `nedra-executor` child processes on
//! 127.0.0.1, on ports picked free, killed when the [`Cluster`] is dropped.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port free at the time of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something listens on `port`.
fn wait_for(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} did not listen on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process killed on drop.
pub struct Process {
    pub child: Child,
    pub name: String,
}

impl Process {
    /// Kills the process now (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A scheduler and its executors.
pub struct Cluster {
    pub scheduler_port: u16,
    pub scheduler: Process,
    pub executors: Vec<Process>,
}

impl Cluster {
    /// Starts a scheduler and `executors` executors (2 task slots each), logs under `logs`.
    pub fn start(executors: usize, logs: &Path) -> Cluster {
        let log = |name: &str| {
            Stdio::from(std::fs::File::create(logs.join(format!("{name}.log"))).unwrap())
        };
        let scheduler_port = free_port();
        let scheduler = Process {
            child: Command::new(env!("CARGO_BIN_EXE_nedra-scheduler"))
                .args([
                    "--port",
                    &scheduler_port.to_string(),
                    "--executor-timeout-s",
                    "10",
                ])
                .stdout(log("scheduler"))
                .stderr(log("scheduler.err"))
                .spawn()
                .unwrap(),
            name: "scheduler".into(),
        };
        wait_for(scheduler_port, "the scheduler");
        let mut list = Vec::new();
        for k in 0..executors {
            let (port, grpc) = (free_port(), free_port());
            let work = logs.join(format!("executor{k}-work"));
            std::fs::create_dir_all(&work).unwrap();
            let name = format!("executor{k}");
            list.push(Process {
                child: Command::new(env!("CARGO_BIN_EXE_nedra-executor"))
                    .args([
                        "--scheduler",
                        &format!("127.0.0.1:{scheduler_port}"),
                        "--port",
                        &port.to_string(),
                        "--grpc-port",
                        &grpc.to_string(),
                        "--vcores",
                        "2",
                        "--work-dir",
                        work.to_str().unwrap(),
                        "--heartbeat-s",
                        "1",
                    ])
                    .stdout(log(&name))
                    .stderr(log(&format!("{name}.err")))
                    .spawn()
                    .unwrap(),
                name,
            });
            wait_for(port, "an executor");
        }
        // Executors register with their first heartbeat.
        std::thread::sleep(Duration::from_secs(2));
        Cluster {
            scheduler_port,
            scheduler,
            executors: list,
        }
    }

    /// The scheduler's address for clients.
    pub fn url(&self) -> String {
        format!("df://127.0.0.1:{}", self.scheduler_port)
    }
}
