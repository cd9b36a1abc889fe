//! The engine beside the reference tool: guidellm (from PyPI, installed by
//! `make bench`) and the load-test engine drive the same streamed load — a
//! constant rate through the chat API to the simulator with a known first
//! byte and token delay — and their TTFT, TPOT, ITL and latency are printed
//! side by side. guidellm gets only the target `…/api` and a user token: it
//! finds `health`, lists the models and picks one itself.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::bench::engine_run_with;
use crate::support::{endpoint_body, spawn_app_with, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

const RATE: u32 = 10;
const REQUESTS: u32 = 200;
const MESSAGE: &str = "one two three four five six seven eight nine ten eleven twelve \
    thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty";

fn guidellm() -> Option<PathBuf> {
    let path = std::env::var_os("GUIDELLM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/guidellm-venv/bin/guidellm")
        });
    path.exists().then_some(path)
}

async fn app_on_sim() -> TestApp {
    let app = spawn_app_with(&[("CHAT_REQUESTS_PER_MINUTE", "0")]).await;
    let sim = spawn_sim(SimOptions {
        latency_ms: 50,
        chunk_delay_ms: 5,
        ..Default::default()
    })
    .await;
    app.create_endpoint(endpoint_body("Bench sim", &sim)).await;
    app
}

/// guidellm at the engine's load; its JSON report's first benchmark.
fn guidellm_run(tool: &PathBuf, app: &TestApp) -> Option<Value> {
    let dir = tempfile::tempdir().ok()?;
    let data = dir.path().join("prompts.jsonl");
    let line = json!({ "prompt": MESSAGE }).to_string();
    std::fs::write(&data, format!("{line}\n").repeat(REQUESTS as usize)).ok()?;
    let report = dir.path().join("report.json");
    let token = app.token("user", 3600);
    let out = Command::new(tool)
        .arg("run")
        .args([
            "--backend",
            &format!("kind=openai_http,target={}/api,api_key={token}", app.base),
        ])
        .args(["--profile", &format!("kind=constant,rate={RATE}")])
        .args([
            "--constraint",
            &format!("kind=max_requests,count={REQUESTS}"),
        ])
        .args(["--data", &format!("kind=json_file,path={}", data.display())])
        .args(["--output", &format!("kind=json,path={}", report.display())])
        .arg("--disable-console")
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("guidellm failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let report: Value = serde_json::from_slice(&std::fs::read(&report).ok()?).ok()?;
    Some(report["benchmarks"][0]["metrics"].clone())
}

fn theirs(metrics: &Value, name: &str, p: &str, scale: f64) -> f64 {
    metrics[name]["successful"]["percentiles"][p]
        .as_f64()
        .unwrap_or(f64::NAN)
        * scale
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with make bench"]
async fn bench_guidellm() {
    let Some(tool) = guidellm() else {
        eprintln!("guidellm is not installed (make bench installs it): no comparison");
        return;
    };
    let app = app_on_sim().await;
    let load = json!({"total": REQUESTS, "load": {"kind": "constant", "rps": RATE},
                      "stream": true, "message": MESSAGE});
    // A short warm-up, then the measured run of each.
    let mut warm = load.clone();
    warm["total"] = 20.into();
    engine_run_with(&app, warm).await;
    let (_, _, ours) = engine_run_with(&app, load).await;
    let Some(metrics) = guidellm_run(&tool, &app) else {
        return;
    };
    let served: f64 = metrics["request_totals"]["successful"]
        .as_f64()
        .unwrap_or(f64::NAN);

    println!(
        "\nengine vs guidellm 0.8, constant {RATE} req/s, {REQUESTS} streamed requests, \
         simulator 50 ms to the first byte and 5 ms per token \
         (engine ok {}, guidellm ok {served}):",
        ours["ok"]
    );
    println!(
        "| metric (ours ↔ guidellm's) | engine | guidellm | guidellm / engine |\n|---|---|---|---|"
    );
    let rows = [
        ("TTFT", "ttft_ms", "time_to_first_token_ms", 1.0),
        // guidellm's ITL is (latency − TTFT) / (tokens − 1): our TPOT.
        ("TPOT ↔ ITL", "tpot_ms", "inter_token_latency_ms", 1.0),
        // Ours pools every gap between deltas; theirs averages per request.
        ("ITL (gaps) ↔ ITL", "itl_ms", "inter_token_latency_ms", 1.0),
        ("latency", "latency_ms", "request_latency", 1000.0),
    ];
    for (label, mine, name, scale) in rows {
        for p in ["p50", "p95"] {
            let a = ours[mine][p].as_f64().unwrap_or(f64::NAN);
            let b = theirs(&metrics, name, p, scale);
            println!("| {label} {p}, ms | {a:.1} | {b:.1} | {:.3} |", b / a);
        }
    }
    println!(
        "| output tokens per request | {:.1} | {:.1} | |",
        ours["output_tokens"].as_f64().unwrap_or(f64::NAN) / ours["ok"].as_f64().unwrap_or(1.0),
        theirs(&metrics, "output_token_count", "p50", 1.0)
    );
}
