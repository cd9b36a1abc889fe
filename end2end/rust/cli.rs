//! The operator commands, run as the real binary against a real store.

use std::process::Command;

use crate::support::{endpoint_body, spawn_app, spawn_sim, ADMIN_PASSWORD, JWT_SECRET};
use model_suite::upstream::sim::SimOptions;

fn cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_model-suite"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("STORAGE_DIR", dir)
        .env("JWT_SECRET", JWT_SECRET)
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("LOG_LEVEL", "warn")
        .output()
        .expect("run model-suite")
}

#[tokio::test]
async fn loadtest_then_export_from_the_command_line() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let dir = app.dir.path().to_owned();

    let out = tokio::task::spawn_blocking({
        let dir = dir.clone();
        move || {
            cli(
                &dir,
                &[
                    "loadtest",
                    "--total",
                    "30",
                    "--concurrency",
                    "5",
                    "--stream",
                ],
            )
        }
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("done 30  ok 30  failed 0"), "{stdout}");
    assert!(stdout.contains("ttft"), "{stdout}");
    let run = stdout.split_whitespace().nth(1).expect("run id").to_owned();

    let out = tokio::task::spawn_blocking(move || {
        cli(&dir, &["export", "--run", &run, "--format", "csv"])
    })
    .await
    .expect("join");
    assert!(out.status.success());
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(csv.lines().count(), 31, "header + 30 rows");

    let bad = cli(app.dir.path(), &["loadtest", "--total", "0"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("total"),
        "names the field"
    );
}

#[test]
fn sync_without_supabase_says_what_to_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = cli(dir.path(), &["sync"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SUPABASE_DB_URL"));
}
