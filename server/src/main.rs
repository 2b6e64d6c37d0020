//! The `paycrypt-server` binary: parse the command line, load keys and credentials, print the start
//! line, serve until SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use paycrypt_server::config::{self, Command};
use paycrypt_server::{Server, build};

/// The allocator: mimalloc (thread-local caches; glibc's malloc fragments with a large key index and
/// costs more per request, PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let state_key_env = std::env::var(paycrypt_server::state::seal::STATE_KEY_ENV)
        .ok()
        .map(zeroize::Zeroizing::new);
    let settings = match config::parse_with(&args, keys_env, state_key_env) {
        Ok(Command::Serve(s)) => s,
        Ok(Command::Import { state, key, keys }) => return import(&state, &key, &keys),
        Ok(Command::Export { state, key, out }) => return export(&state, &key, out.as_deref()),
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
    // Log lines go to stderr through a writer thread; it blocks rather than drops when it falls
    // behind. The thread writes into a buffer and flushes it each time it has drained the channel
    // (one `write` per batch, not per line: stderr itself is unbuffered), and the guard flushes it
    // at exit.
    let (log_writer, _log_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(BatchedStderr(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        )));
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
    // One worker: a current-thread runtime (the accept loop and every connection on this thread, no
    // cross-thread wake-ups); more: the work-stealing one.
    let mut runtime = if settings.workers == Some(1) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        if let Some(n) = settings.workers {
            b.worker_threads(n);
        }
        b
    };
    runtime.enable_all();
    let runtime = match runtime.build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("paycrypt-server: error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let keys = built.app.keys().clone();
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
        // The writer finishes what is queued and closes the database.
        if let Some(state) = keys.state() {
            state.close();
        }
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

/// stderr through a buffer, for the log's writer thread. The thread flushes each time it has drained
/// the channel; after a flush it pauses a millisecond, so that under load the lines of that
/// millisecond are waiting for it as one batch (one `write` and no wake-up per line: the request
/// threads do not have to wake a parked writer for each line). Every line is written, at most about a
/// millisecond late; the guard's flush at exit writes the rest.
struct BatchedStderr(std::io::BufWriter<std::io::Stderr>);

impl Write for BatchedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let flushed = self.0.flush();
        std::thread::sleep(std::time::Duration::from_millis(1));
        flushed
    }
}

/// `paycrypt-server import`.
fn import(
    state: &std::path::Path,
    key: &config::StateKeySource,
    keys: &std::path::Path,
) -> ExitCode {
    let run = || -> Result<(usize, usize), String> {
        let mut text = zeroize::Zeroizing::new(String::new());
        std::io::Read::read_to_string(
            &mut std::fs::File::open(keys)
                .map_err(|e| format!("cannot read {}: {e}", keys.display()))?,
            &mut text,
        )
        .map_err(|e| format!("cannot read {}: {e}", keys.display()))?;
        let doc = paycrypt_server::engine::KeyStoreDocument::from_json(&text)
            .map_err(|e| format!("cannot load {}: {e}", keys.display()))?;
        let (state_key, created) = key.load()?;
        if created {
            eprintln!(
                "paycrypt-server: created the state key file {} (mode 0600): keep it, the state \
                 cannot be opened without it",
                key.describe()
            );
        }
        paycrypt_server::state::import_document(state, &state_key, doc)
    };
    match run() {
        Ok((keys_added, aliases_added)) => {
            eprintln!(
                "paycrypt-server: imported {keys_added} keys and {aliases_added} aliases into {}",
                state.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("paycrypt-server: error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `paycrypt-server export`.
fn export(
    state: &std::path::Path,
    key: &config::StateKeySource,
    out: Option<&std::path::Path>,
) -> ExitCode {
    let run = || -> Result<Vec<String>, String> {
        if matches!(key, config::StateKeySource::File(p) if !p.exists()) {
            return Err(format!(
                "the state key file {} does not exist",
                key.describe()
            ));
        }
        let (state_key, _) = key.load()?;
        let (doc, left_out) = paycrypt_server::state::export_document(state, &state_key)?;
        let mut text = doc.to_pretty();
        text.push('\n');
        match out {
            Some(path) => {
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options
                    .open(path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
                    .map_err(|e| format!("cannot write the document: {e}"))?;
            }
        }
        Ok(left_out)
    };
    match run() {
        Ok(left_out) => {
            eprintln!(
                "paycrypt-server: warning: the exported document holds key material in the clear"
            );
            for alias in left_out {
                eprintln!("paycrypt-server: alias {alias} names no key: not exported");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("paycrypt-server: error: {e}");
            ExitCode::from(1)
        }
    }
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
