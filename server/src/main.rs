//! The `paycrypt-server` binary: parse the command line, load keys and credentials, print the start
//! line, serve until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use paycrypt_server::config::{self, Command};
use paycrypt_server::{Server, build};

fn main() -> ExitCode {
    let args: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect::<Result<_, _>>()
    {
        Ok(a) => a,
        Err(_) => {
            eprintln!("paycrypt-server: error: an argument is not valid UTF-8");
            return ExitCode::from(2);
        }
    };
    let keys_env = std::env::var(config::KEYS_ENV).ok();
    let settings = match config::parse(&args, keys_env) {
        Ok(Command::Serve(s)) => s,
        Ok(Command::Help) => {
            print!("{}", config::HELP);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("paycrypt-server {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("paycrypt-server: error: {e}");
            return ExitCode::from(2);
        }
    };
    // Log lines go to stderr through a writer thread (one write per batch, not per request); it
    // blocks rather than drops when it falls behind, and the guard flushes it at exit.
    let (log_writer, _log_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(log_writer)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    // A panic is logged without its payload (which could quote data); the request that caused it is
    // answered 500 by the service and the server keeps serving.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(location = %at, "a request handler panicked");
    }));
    let built = match build(&settings) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("paycrypt-server: error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(n) = settings.workers {
        runtime.worker_threads(n);
    }
    let runtime = match runtime.build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("paycrypt-server: error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let server = match Server::bind(settings.listen, built.app).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "paycrypt-server: error: cannot listen on {}: {e}",
                    settings.listen
                );
                return ExitCode::from(1);
            }
        };
        let addr = match server.local_addr() {
            Ok(a) => a,
            Err(e) => {
                eprintln!("paycrypt-server: error: {e}");
                return ExitCode::from(1);
            }
        };
        for line in &built.notices {
            eprintln!("{line}");
        }
        let mut out = std::io::stdout().lock();
        if writeln!(out, "paycrypt-server listening on http://{addr}")
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::from(1);
        }
        drop(out);
        let stopped = server.run(shutdown_signal()).await;
        if stopped.abandoned_connections > 0 {
            tracing::warn!(
                connections = stopped.abandoned_connections,
                "grace period over: connections closed with requests in flight"
            );
        }
        tracing::info!("stopped");
        ExitCode::SUCCESS
    })
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
