//! The real `model-suite serve` binary as a child process on a free
//! loopback port, stopped when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    pub port: u16,
}

impl ServerProcess {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Still running (not crashed, not exited)?
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `serve` in `dir` with a clean environment plus `env`; with
/// `open_files`, under that open-file limit (soft and hard). Returns once
/// `/healthz` answers.
pub async fn start_server(
    dir: &Path,
    env: &[(&str, &str)],
    open_files: Option<u32>,
) -> ServerProcess {
    let port = free_port();
    let bin = env!("CARGO_BIN_EXE_model-suite");
    let mut command = match open_files {
        Some(n) => {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!("ulimit -n {n} && exec \"$0\" serve"))
                .arg(bin);
            c
        }
        None => {
            let mut c = Command::new(bin);
            c.arg("serve");
            c
        }
    };
    let child = command
        .current_dir(dir)
        .env_clear()
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("LOG_LEVEL", "warn")
        .env("MONITOR_INTERVAL_SECS", "0")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start model-suite serve");
    let mut server = ServerProcess {
        child,
        base: format!("http://127.0.0.1:{port}"),
        port,
    };
    let http = reqwest::Client::new();
    for _ in 0..600 {
        assert!(server.is_running(), "model-suite serve exited at start");
        if let Ok(res) = http.get(server.url("/healthz")).send().await {
            if res.status() == 200 {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("model-suite serve did not answer /healthz within 60 s");
}

/// Signs in as the tests' admin through `POST /api/v1/auth/login` on the
/// server at `base`; the bearer token.
pub async fn admin_login(http: &reqwest::Client, base: &str) -> String {
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(
            &serde_json::json!({"username": super::ADMIN_USER, "password": super::ADMIN_PASSWORD}),
        )
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    login["token"].as_str().expect("token").to_owned()
}
