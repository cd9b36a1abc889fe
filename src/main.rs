//! The `model-suite` command: `serve` (the default) runs the admin console.

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
        /// Print the argon2 hash of a password read from stdin, for
        /// ADMIN_PASSWORD_HASH.
        HashPassword,
    }

    pub async fn run() -> std::process::ExitCode {
        let cli = Cli::parse();
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve().await,
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
