//! Operator commands behind the CLI: `sync`, `export` and `loadtest`. Each
//! uses the same services as the pages.

use std::io::Write;
use std::time::Duration;

use futures::StreamExt;

use crate::config::{prepare_secrets, Config};
use crate::server::build_app;
use crate::server::listen::{bind, serve, ServeOptions};
use crate::simulation::types::{ChatScope, RunConfig, RunSnapshot, RunStatus, StopPolicy};

/// `sync`: Supabase → SQLite once; prints the counts.
pub async fn sync(config: Config) -> Result<String, String> {
    if config.supabase_db_url.is_none() {
        return Err("SUPABASE_DB_URL is not set; there is nothing to sync from".into());
    }
    let secrets = prepare_secrets(&config).map_err(|e| e.to_string())?;
    let (_, state) = build_app(config, &secrets)
        .await
        .map_err(|e| e.to_string())?;
    let r = state.sync("cli").await.map_err(|e| e.to_string())?;
    Ok(format!(
        "synced at {} ({} ms)\n  endpoints: {}\n  mappings:  {}\n  results:   {} sent to Supabase",
        r.finished_at,
        r.duration_ms,
        r.endpoints.summary(),
        r.mappings.summary(),
        r.results_pushed
    ))
}

/// `export`: a run's rows as CSV or JSON to a file or stdout, streamed.
pub async fn export(
    config: Config,
    run: &str,
    csv: bool,
    out: Option<&std::path::Path>,
) -> Result<u64, String> {
    let pool = crate::storage::open_sqlite(&config.sqlite_path)
        .await
        .map_err(|e| e.to_string())?;
    let mut sink: Box<dyn Write> = match out {
        Some(p) => {
            Box::new(std::fs::File::create(p).map_err(|e| format!("--out {}: {e}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut stream = crate::simulation::results::export(
        pool,
        crate::simulation::results::ExportOf::Run(run.to_owned()),
        if csv {
            crate::simulation::results::ExportFormat::Csv
        } else {
            crate::simulation::results::ExportFormat::Json
        },
    )
    .into_data_stream();
    let mut bytes = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        bytes += chunk.len() as u64;
        sink.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    sink.flush().map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Options of `loadtest`, as the run form has them.
pub struct LoadtestArgs {
    pub total: u32,
    pub concurrency: u32,
    pub ramp_up_secs: u32,
    pub users: u32,
    pub stream: bool,
    pub tenant: Option<String>,
    pub module: Option<String>,
    pub model: Option<String>,
    pub stop: StopPolicy,
}

/// `loadtest`: starts the app in-process on a loopback port (same SQLite,
/// same engine as the page), runs, shows progress, prints the summary.
pub async fn loadtest(config: Config, args: LoadtestArgs) -> Result<RunSnapshot, String> {
    let secrets = prepare_secrets(&config).map_err(|e| e.to_string())?;
    let serve_options = ServeOptions::from_limits(&config.http);
    let (router, state) = build_app(config, &secrets)
        .await
        .map_err(|e| e.to_string())?;
    let listener = bind(([127, 0, 0, 1], 0).into()).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let _ = state.self_url.set(format!("http://{addr}"));
    tokio::spawn(serve(
        listener,
        router,
        serve_options,
        std::future::pending(),
    ));
    let run = state
        .engine
        .start(RunConfig {
            total: args.total,
            load: Default::default(),
            concurrency: args.concurrency,
            ramp_up_secs: args.ramp_up_secs,
            users: args.users,
            stream: args.stream,
            stop: args.stop,
            scope: ChatScope {
                prompt_id: None,
                tenant: args.tenant,
                module: args.module,
            },
            model: args.model,
            message: "Hello! Please reply briefly.".into(),
            message_set: None,
            max_tokens: None,
            temperature: None,
            token: None,
        })
        .await
        .map_err(|e| e.to_string())?;
    let bar = indicatif::ProgressBar::new(u64::from(args.total));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let snapshot = loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = &mut ctrl_c => { let _ = state.engine.cancel(&run.id); }
        }
        let s = state
            .engine
            .snapshot(&run.id)
            .await
            .map_err(|e| e.to_string())?;
        bar.set_position(s.done + s.cancelled);
        bar.set_message(format!(
            "ok {} · failed {} · {:.1} req/s · p95 {:.1} ms",
            s.ok, s.failed, s.rps, s.latency_ms.p95
        ));
        if s.status != RunStatus::Running {
            bar.finish();
            break s;
        }
    };
    Ok(snapshot)
}

/// The summary table the CLI prints.
pub fn summary_table(s: &RunSnapshot) -> String {
    let l = &s.latency_ms;
    let mut out = format!(
        "run {}  status {:?}\n\
         requests   done {}  ok {}  failed {}  cancelled {}\n\
         rate       {:.1} req/s over {:.1} s\n\
         latency    mean {:.1}  p50 {:.1}  p90 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1} ms\n\
         queue      p50 {:.1}  p95 {:.1} ms\n",
        s.id,
        s.status,
        s.done,
        s.ok,
        s.failed,
        s.cancelled,
        s.rps,
        s.elapsed_secs,
        l.mean,
        l.p50,
        l.p90,
        l.p95,
        l.p99,
        l.max,
        s.queue_ms.p50,
        s.queue_ms.p95
    );
    if let Some(t) = &s.ttft_ms {
        out.push_str(&format!(
            "ttft       p50 {:.1}  p95 {:.1}  p99 {:.1} ms\n",
            t.p50, t.p95, t.p99
        ));
    }
    let b = &s.bench;
    out.push_str(&format!(
        "tokens     output {} ({} estimated)  {:.1} tokens/s  error rate {:.2} %\n",
        b.output_tokens,
        b.output_tokens_estimated,
        b.tokens_per_sec,
        b.error_rate * 100.0
    ));
    for (name, p) in [("tpot", &b.tpot_ms), ("itl", &b.itl_ms)] {
        if let Some(p) = p {
            out.push_str(&format!(
                "{name:<10} mean {:.1}  p50 {:.1}  p90 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1} ms\n",
                p.mean, p.p50, p.p90, p.p95, p.p99, p.max
            ));
        }
    }
    if !s.errors.is_empty() {
        let e: Vec<String> = s.errors.iter().map(|(k, n)| format!("{k} {n}")).collect();
        out.push_str(&format!("errors     {}\n", e.join(", ")));
    }
    out.push_str(&format!(
        "stored     {} rows, {} in fallback\n",
        s.rows_written, s.fallback_records
    ));
    out
}

/// `never`, `first-error` or `error-rate:WINDOW:PERCENT:MIN_DONE`.
pub fn parse_stop(raw: &str) -> Result<StopPolicy, String> {
    match raw {
        "never" => Ok(StopPolicy::Never),
        "first-error" => Ok(StopPolicy::FirstError),
        other => {
            let parts: Vec<&str> = other
                .strip_prefix("error-rate:")
                .map(|r| r.split(':').collect())
                .unwrap_or_default();
            match parts.as_slice() {
                [w, p, m] => Ok(StopPolicy::ErrorRate {
                    window: w
                        .parse()
                        .map_err(|_| format!("--stop: window `{w}` is not a number"))?,
                    percent: p
                        .parse()
                        .map_err(|_| format!("--stop: percent `{p}` is not a number"))?,
                    min_done: m
                        .parse()
                        .map_err(|_| format!("--stop: min_done `{m}` is not a number"))?,
                }),
                _ => Err(
                    "--stop must be never, first-error or error-rate:WINDOW:PERCENT:MIN_DONE"
                        .into(),
                ),
            }
        }
    }
}
