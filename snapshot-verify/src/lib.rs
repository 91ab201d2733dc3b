//! The library half of the `snapshot-verify` command (`main.rs` is its entry point).
//!
//! Split out so that the CLI-level code that sees archive values (the renderers, manifests, the
//! codes catalogue) can be driven without a process: the fuzz target `fuzz/fuzz_targets/cli.rs`
//! uses it. It is not a stable API; programs should use `snapshot-core` or the JSON report.

#![allow(clippy::disallowed_methods, reason = "the CLI is the front end that does the I/O, threads and clock reads")]

// Files are read with `pread` (`std::os::unix::fs::FileExt`) and opened with `O_NONBLOCK`.
#[cfg(not(unix))]
compile_error!(
    "snapshot-verify supports Unix-like systems only (Linux, macOS, the BSDs): its file source uses Unix positional reads"
);

pub mod baseline;
pub mod cli;
pub mod commands;
pub mod config;
pub mod engine;
pub mod exit;
mod hash;
mod inputs;
pub mod manifest;
#[cfg(feature = "remote")]
pub mod remote;
pub mod render;
mod source;
