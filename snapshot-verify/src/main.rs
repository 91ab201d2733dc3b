//! `snapshot-verify`: the command-line front end of `snapshot-core`.
//!
//! It is glue: it parses the command line, opens files, schedules the core's work on threads,
//! renders reports and maps them to an exit code. Every check lives in the core, so this binary
//! and the browser module give the same verdict and the same JSON for the same archive.

#![allow(clippy::disallowed_methods, reason = "the CLI is the front end that does the I/O, threads and clock reads")]

// The modules live in the library half (lib.rs), which the fuzz target drives too.
use snapshot_verify::{cli, commands, exit};

use exit::ExitStatus;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse_ordered(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = err.print();
            return if err.use_stderr() { ExitStatus::Error.into() } else { ExitStatus::Success.into() };
        }
    };
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => report_error(&err).into(),
    }
}

/// Prints an error and its causes, unless it is a closed output pipe.
///
/// A consumer that stops reading (`snapshot-verify check … | head`) is not an error: on Unix a
/// program whose reader went away exits quietly and successfully, as ripgrep and ruff do. Rust
/// ignores SIGPIPE, so the write fails with `BrokenPipe` instead, and we look for that anywhere
/// in the chain.
fn report_error(err: &anyhow::Error) -> ExitStatus {
    if is_broken_pipe(err) {
        return ExitStatus::Success;
    }
    let mut stderr = io::stderr().lock();
    writeln!(stderr, "snapshot-verify: error: {err}").ok();
    for cause in err.chain().skip(1) {
        writeln!(stderr, "  Cause: {cause}").ok();
    }
    ExitStatus::Error
}

/// Whether a closed pipe caused `err`.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    // serde_json wraps the io::Error and does not expose it as a source, so ask it directly.
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(io::ErrorKind::BrokenPipe))
    })
}
