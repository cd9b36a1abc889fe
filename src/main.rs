//! The `model-suite` command: `serve` (the default) runs the admin console.

#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
mod cli {
    use clap::{Parser, Subcommand};
    use model_suite::config::{prepare_secrets, Config, Mode};
    use model_suite::{auth::password::hash_password, monitor::logging, server};

    #[derive(Parser)]
    #[command(
        name = "model-suite",
        version,
        about = "Model catalog, mappings and JWT load tests for OpenAI-compatible endpoints"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Option<Command>,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Run the admin console (the default). Settings come from the
        /// environment and `.env`; see the README's configuration table.
        Serve,
        /// Run the built-in OpenAI-compatible upstream simulator.
        UpstreamSim(SimArgs),
        /// Write results kept in storage/ai_runtime/ back into SQLite, then
        /// delete each file whose rows are committed. Safe to run twice.
        ReplayFallback,
        /// Reconcile SQLite with Supabase once and print the counts.
        Sync,
        /// Write a run's results as CSV or JSON.
        Export {
            /// The run id (see the simulation page or `GET /api/v1/llm/tests/runs`).
            #[arg(long)]
            run: String,
            #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
            format: String,
            /// File to write; stdout when absent.
            #[arg(long)]
            out: Option<std::path::PathBuf>,
        },
        /// Run a load test with the page's engine and print the summary.
        Loadtest(LoadArgs),
        /// Print the argon2 hash of a password read from stdin, for
        /// ADMIN_PASSWORD_HASH.
        HashPassword,
    }

    #[derive(clap::Args)]
    struct LoadArgs {
        #[arg(long, default_value_t = 100)]
        total: u32,
        #[arg(long, default_value_t = 10)]
        concurrency: u32,
        #[arg(long, default_value_t = 0)]
        ramp_up_secs: u32,
        #[arg(long, default_value_t = 1)]
        users: u32,
        #[arg(long)]
        stream: bool,
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        module: Option<String>,
        #[arg(long)]
        model: Option<String>,
        /// never | first-error | error-rate:WINDOW:PERCENT:MIN_DONE
        #[arg(long, default_value = "never")]
        stop: String,
    }

    #[derive(clap::Args)]
    struct SimArgs {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 9100)]
        port: u16,
        /// Delay before the first byte of every reply.
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
        /// Pause between streamed chunks (one word, one token, each).
        #[arg(long, default_value_t = 5)]
        chunk_delay_ms: u64,
        /// Never report `usage` (token counts), like some upstreams.
        #[arg(long)]
        no_usage: bool,
        /// Share of chat requests answered with HTTP 500, 0.0–1.0.
        #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
        error_rate: f64,
        /// Comma-separated model ids to serve.
        #[arg(long, value_delimiter = ',', default_value = "sim-small,sim-large")]
        models: Vec<String>,
        /// Require this bearer key (read from the environment, never a flag's echo).
        #[arg(long, env = "SIM_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
    }

    fn parse_rate(s: &str) -> Result<f64, String> {
        match s.parse::<f64>() {
            Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
            _ => Err(format!("must be a number from 0.0 to 1.0, got `{s}`")),
        }
    }

    async fn upstream_sim(args: SimArgs) -> std::process::ExitCode {
        let _ = tracing_subscriber::fmt().with_env_filter("info").try_init();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
        let options = model_suite::upstream::sim::SimOptions {
            latency_ms: args.latency_ms,
            chunk_delay_ms: args.chunk_delay_ms,
            error_rate: args.error_rate,
            models: args.models,
            api_key: args.api_key,
            usage: !args.no_usage,
        };
        println!(
            "upstream simulator → http://{addr}/v1 (models: {})",
            options.models.join(", ")
        );
        match model_suite::upstream::sim::serve(addr, options).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("upstream-sim: cannot serve on {addr}: {e}");
                std::process::ExitCode::FAILURE
            }
        }
    }

    /// Loads the configuration, runs `f`, prints its message or error.
    async fn ops(f: impl AsyncFnOnce(Config) -> Result<String, String>) -> std::process::ExitCode {
        let config = match Config::from_env() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("model-suite: configuration error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        match f(config).await {
            Ok(msg) => {
                if !msg.is_empty() {
                    println!("{msg}");
                }
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("model-suite: {e}");
                std::process::ExitCode::FAILURE
            }
        }
    }

    async fn replay_fallback() -> std::process::ExitCode {
        let config = match Config::from_env() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("replay-fallback: configuration error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let pool = match model_suite::storage::open_sqlite(&config.sqlite_path).await {
            Ok(p) => p,
            Err(e) => {
                eprintln!("replay-fallback: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let dir = config.storage_dir.join("ai_runtime");
        match model_suite::simulation::fallback::replay(&pool, &dir).await {
            Ok(r) => {
                println!(
                    "replayed {} file(s): {} row(s) inserted, {} already present, {} refiled (endpoint or prompt deleted meanwhile), {} file(s) failed",
                    r.files,
                    r.inserted,
                    r.already_present,
                    r.refiled,
                    r.failed_files.len()
                );
                for f in &r.failed_files {
                    println!("  kept: {f}");
                }
                if r.failed_files.is_empty() {
                    std::process::ExitCode::SUCCESS
                } else {
                    std::process::ExitCode::FAILURE
                }
            }
            Err(e) => {
                eprintln!("replay-fallback: {e}");
                std::process::ExitCode::FAILURE
            }
        }
    }

    pub async fn run() -> std::process::ExitCode {
        model_suite::config::files::restrict_new_files();
        let cli = Cli::parse();
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve().await,
            Command::UpstreamSim(args) => upstream_sim(args).await,
            Command::ReplayFallback => replay_fallback().await,
            Command::Sync => ops(async |c| model_suite::ops::sync(c).await).await,
            Command::Export { run, format, out } => {
                ops(async |c| {
                    let bytes =
                        model_suite::ops::export(c, &run, format == "csv", out.as_deref()).await?;
                    Ok(match &out {
                        Some(p) => format!("wrote {bytes} bytes to {}", p.display()),
                        None => String::new(),
                    })
                })
                .await
            }
            Command::Loadtest(a) => {
                ops(async |c| {
                    let args = model_suite::ops::LoadtestArgs {
                        total: a.total,
                        concurrency: a.concurrency,
                        ramp_up_secs: a.ramp_up_secs,
                        users: a.users,
                        stream: a.stream,
                        tenant: a.tenant,
                        module: a.module,
                        model: a.model,
                        stop: model_suite::ops::parse_stop(&a.stop)?,
                    };
                    let s = model_suite::ops::loadtest(c, args).await?;
                    Ok(model_suite::ops::summary_table(&s))
                })
                .await
            }
            Command::HashPassword => {
                let mut line = String::new();
                if std::io::stdin().read_line(&mut line).is_err() || line.trim().is_empty() {
                    eprintln!("hash-password: type the password on stdin");
                    return std::process::ExitCode::FAILURE;
                }
                match hash_password(line.trim_end_matches(['\r', '\n'])) {
                    Ok(h) => {
                        println!("{h}");
                        std::process::ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        std::process::ExitCode::FAILURE
                    }
                }
            }
        }
    }

    async fn serve() -> std::process::ExitCode {
        let fail = |msg: String| {
            eprintln!("model-suite: {msg}");
            std::process::ExitCode::FAILURE
        };
        let config = match Config::from_env() {
            Ok(c) => c,
            Err(e) => return fail(format!("configuration error: {e}")),
        };
        let _guard = match logging::init(&config) {
            Ok(g) => g,
            Err(e) => return fail(e),
        };
        let secrets = match prepare_secrets(&config) {
            Ok(s) => s,
            Err(e) => return fail(e.to_string()),
        };
        // Printed once on the terminal, on purpose not through the logger.
        println!("\n  Model Suite → http://{}", config.listen_addr);
        match (&secrets.generated_admin_password, config.mode) {
            (Some(pw), _) => println!(
                "  Sign in as `{}` with the generated password: {pw}\n  (shown only now; only its hash is kept in {})\n",
                config.admin_username,
                config.storage_dir.join("admin_password.hash").display()
            ),
            (None, Mode::Dev) if config.admin_password.is_none() && config.admin_password_hash.is_none() => println!(
                "  Sign in as `{}` with the password printed at first start\n  (forgot it? delete {} and restart)\n",
                config.admin_username,
                config.storage_dir.join("admin_password.hash").display()
            ),
            _ => println!("  Sign in as `{}` with the configured admin password\n", config.admin_username),
        }
        match server::serve(config, &secrets).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => fail(e.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    cli::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser bundle starts in `lib.rs::hydrate`; this binary is only
    // meaningful with the `ssr` feature.
}
