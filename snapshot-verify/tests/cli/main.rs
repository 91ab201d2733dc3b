//! Integration tests: each runs the built `snapshot-verify` binary and checks exit codes and
//! output. Archives are generated in code with the `snapshot-tests` crate; the real Cloudify
//! fixtures in `../shared/fixtures/real` are used when present (a notice says when they are
//! not).

#![allow(clippy::disallowed_methods, reason = "tests write fixture files; only the core is kept free of I/O")]
#![allow(clippy::print_stderr, reason = "a visible notice when a check is skipped for a missing tool or fixture")]

mod util;

mod broken;
mod canary;
mod ci_examples;
mod completions;
mod diff;
mod formats;
mod hash;
mod inputs;
mod manifest;
mod misc;
mod policy;
mod real;
mod sample;
