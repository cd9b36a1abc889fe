//! Token figures of a streamed run (METRICS.md): output tokens from the
//! upstream's `usage` or counted and marked estimated, TPOT and ITL at the
//! upstream's pace, and final percentiles that are exactly the stored rows'.

use reqwest::Method;
use serde_json::{json, Value};

use crate::simulation::{start, wait_finished};
use crate::support::{endpoint_body, spawn_app, spawn_sim, TestApp};
use model_suite::upstream::sim::SimOptions;

/// The simulator's pause between chunks: one word, one token, each.
const TOKEN_DELAY_MS: f64 = 40.0;
const MESSAGE: &str = "alpha beta gamma delta epsilon zeta eta theta";

async fn app_with(options: SimOptions) -> (TestApp, String) {
    let app = spawn_app().await;
    let sim = spawn_sim(options).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    (app, sim)
}

fn paced(usage: bool) -> SimOptions {
    SimOptions {
        latency_ms: 10,
        chunk_delay_ms: TOKEN_DELAY_MS as u64,
        usage,
        ..Default::default()
    }
}

/// How many tokens the simulator's reply to `MESSAGE` has, by its own count.
async fn tokens_the_simulator_sends(sim: &str) -> u64 {
    let plain: Value = reqwest::Client::new()
        .post(format!("{sim}/chat/completions"))
        .json(&json!({"model": "sim-small", "messages": [{"role": "user", "content": MESSAGE}]}))
        .send()
        .await
        .expect("chat")
        .json()
        .await
        .expect("json");
    plain["usage"]["completion_tokens"].as_u64().expect("usage")
}

async fn streamed_run(app: &TestApp, total: u32) -> Value {
    let res = start(
        app,
        json!({"total": total, "concurrency": 2, "stream": true, "message": MESSAGE}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let run: Value = res.json().await.expect("json");
    let id = run["id"].as_str().expect("id").to_owned();
    let run = wait_finished(app, &id).await;
    assert_eq!(run["status"], "completed", "{run}");
    run
}

async fn responses_of(app: &TestApp, id: &str) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT response_message FROM ai_prompt_tests WHERE json_extract(request_message, '$.run_id') = ?1",
    )
    .bind(id)
    .fetch_all(&app.state.db)
    .await
    .expect("rows");
    rows.iter()
        .map(|r| serde_json::from_str(r).expect("response json"))
        .collect()
}

fn within_5_percent(figure: &Value, what: &str) {
    let p50 = figure["p50"]
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {figure}"));
    let off = (p50 - TOKEN_DELAY_MS).abs() / TOKEN_DELAY_MS;
    assert!(
        off <= 0.05,
        "{what} p50 {p50:.2} ms vs {TOKEN_DELAY_MS} ms: {figure}"
    );
    for key in ["p90", "p95", "p99", "mean", "max"] {
        assert!(figure[key].as_f64().is_some(), "{what}.{key}: {figure}");
    }
}

/// NumPy's default percentile (linear between closest ranks).
fn numpy_p50(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let rank = 0.5 * (samples.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    samples[lo] + (samples[hi] - samples[lo]) * (rank - lo as f64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_run_reports_tpot_and_itl_at_the_upstreams_token_pace() {
    let (app, sim) = app_with(paced(true)).await;
    let per_reply = tokens_the_simulator_sends(&sim).await;
    let total = 8;
    let run = streamed_run(&app, total).await;
    let id = run["id"].as_str().expect("id");

    within_5_percent(&run["tpot_ms"], "TPOT");
    within_5_percent(&run["itl_ms"], "ITL");
    assert_eq!(run["output_tokens"], per_reply * u64::from(total), "{run}");
    assert_eq!(run["output_tokens_estimated"], 0, "{run}");
    assert_eq!(run["error_rate"], 0.0, "{run}");
    assert!(run["tokens_per_sec"].as_f64().expect("rate") > 0.0, "{run}");
    assert_eq!(
        run["exact"], true,
        "a finished run reports its rows' figures: {run}"
    );

    let stored = responses_of(&app, id).await;
    assert_eq!(stored.len(), total as usize);
    let mut gaps = Vec::new();
    for r in &stored {
        assert_eq!(r["output_tokens"].as_u64(), Some(per_reply), "{r}");
        assert_eq!(r["output_tokens_estimated"], false, "{r}");
        assert_eq!(r["content_deltas"].as_u64(), Some(per_reply), "{r}");
        assert!(r["tpot_ms"].as_f64().is_some(), "{r}");
        let itl = r["itl_ms"].as_array().expect("gaps");
        assert_eq!(itl.len() as u64, per_reply - 1, "{r}");
        gaps.extend(itl.iter().map(|g| g.as_f64().expect("gap")));
    }
    // Exact, not a histogram's bucket: the stored samples' own median.
    let same = |figure: &Value, samples: Vec<f64>| {
        let (got, want) = (figure["p50"].as_f64().expect("p50"), numpy_p50(samples));
        assert!((got - want).abs() < 1e-9, "{got} vs {want}: {run}");
    };
    same(&run["itl_ms"], gaps);
    same(
        &run["tpot_ms"],
        stored
            .iter()
            .filter_map(|r| r["tpot_ms"].as_f64())
            .collect(),
    );
    exports_carry_the_token_fields(&app, id, per_reply).await;
}

async fn download(app: &TestApp, path: &str) -> String {
    let res = app.api(Method::GET, path).send().await.expect("get");
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.expect("body")
}

/// Every stored timing and token field reaches the exports; the page's rows
/// leave the gaps out.
async fn exports_carry_the_token_fields(app: &TestApp, id: &str, per_reply: u64) {
    let json: Vec<Value> = serde_json::from_str(
        &download(
            app,
            &format!("/api/v1/llm/tests/runs/{id}/export?format=json"),
        )
        .await,
    )
    .expect("json export");
    for r in &json {
        assert!(r["ttfb_ms"].as_f64().is_some(), "{r}");
        assert_eq!(r["output_tokens"].as_u64(), Some(per_reply), "{r}");
        assert_eq!(r["output_tokens_estimated"], false, "{r}");
        assert!(r["tpot_ms"].as_f64().is_some(), "{r}");
        let gaps = r["itl_ms"].as_array().map(Vec::len);
        assert_eq!(gaps, Some(per_reply as usize - 1), "{r}");
    }
    let csv = download(
        app,
        &format!("/api/v1/llm/tests/runs/{id}/export?format=csv"),
    )
    .await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    for column in [
        "ttfb_ms",
        "output_tokens",
        "output_tokens_estimated",
        "tpot_ms",
        "itl_ms",
    ] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    assert!(
        lines
            .next()
            .expect("a row")
            .contains(&format!(",{per_reply},false,")),
        "{csv}"
    );
    let page: Value = serde_json::from_str(
        &download(app, &format!("/api/v1/llm/tests/results?run_id={id}")).await,
    )
    .expect("page");
    let row = &page["items"][0];
    assert_eq!(row["output_tokens"].as_u64(), Some(per_reply), "{row}");
    assert!(row.get("itl_ms").is_none(), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_usage_output_tokens_are_counted_and_marked_estimated() {
    let (app, _silent) = app_with(paced(false)).await;
    let per_reply = tokens_the_simulator_sends(&spawn_sim(paced(true)).await).await;
    let run = streamed_run(&app, 3).await;
    assert_eq!(run["output_tokens"], per_reply * 3, "{run}");
    assert_eq!(run["output_tokens_estimated"], 3, "{run}");
    within_5_percent(&run["tpot_ms"], "TPOT");
    for r in responses_of(&app, run["id"].as_str().expect("id")).await {
        assert_eq!(r["output_tokens"].as_u64(), Some(per_reply), "{r}");
        assert_eq!(r["output_tokens_estimated"], true, "{r}");
        assert!(r["usage"].is_null(), "{r}");
    }
}
