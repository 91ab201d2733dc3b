//! Fixture generator for **snapshot-verify**: builds Cloudify Manager snapshot archives in
//! memory, faithful ones for every era of the format spec and hostile ones for every hazard
//! class of `zip-hazards.md` §3 and every broken variant of the Cloudify checklist (spec §9).
//!
//! - [`zipw`]: a low-level ZIP writer that can falsify any header field, plus a streaming
//!   writer for sparse multi-GiB ZIP64 archives.
//! - [`cloudify`]: snapshots written the way each era's manager writes them, with every secret
//!   value planted through a [`cloudify::Canary`].
//! - [`hostile`]: the case table: one archive per hazard or broken variant, with the finding
//!   codes the verifier must report.
//!
//! The crate does not depend on `snapshot-core`: the expected codes are plain strings, checked
//! against the catalogue's source by a unit test. It does no I/O except in
//! [`zipw::write_big_zip64`] and [`cloudify::write_big_snapshot`], and it never prints; the
//! `gen-fixtures` binary writes the corpus to a directory.

#![allow(
    clippy::disallowed_methods,
    reason = "a fixture crate: writing archives to files is its job, unlike the core's"
)]

use std::path::PathBuf;

pub mod cloudify;
pub mod hostile;
pub mod layouts;
pub mod writers;
pub mod zipw;

/// The directory of real Cloudify snapshots (`shared/fixtures/real`, next to the repository),
/// if it exists on this machine.
pub fn real_fixtures_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/real");
    dir.is_dir().then_some(dir)
}

/// A line for callers to print when [`real_fixtures_dir`] is `None` and their real-fixture
/// tests are skipped; `None` when the fixtures are present.
pub fn real_fixtures_notice() -> Option<String> {
    match real_fixtures_dir() {
        Some(_) => None,
        None => Some(format!(
            "note: real snapshot fixtures not found at {}/../../shared/fixtures/real; \
             tests on real archives were skipped",
            env!("CARGO_MANIFEST_DIR")
        )),
    }
}

/// The environment variable that turns missing test inputs into failures: set to `1` by
/// `scripts/test.sh` (and so by CI), unset for everyday `cargo test`.
pub const REQUIRE_FIXTURES_VAR: &str = "SNAPSHOT_VERIFY_REQUIRE_FIXTURES";

/// Whether [`REQUIRE_FIXTURES_VAR`] is set (to anything but empty or `0`).
pub fn fixtures_required() -> bool {
    std::env::var_os(REQUIRE_FIXTURES_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The directory of real Cloudify snapshots, for tests. When it is missing: with
/// [`REQUIRE_FIXTURES_VAR`] set, panics (the test fails, saying where the folder was looked
/// for); without it, prints [`real_fixtures_notice`] to stderr and returns `None`, and the caller
/// skips its real-archive part.
#[allow(clippy::print_stderr, reason = "the notice is the point: a skipped test must say so")]
pub fn real_fixtures() -> Option<PathBuf> {
    if let Some(dir) = real_fixtures_dir() {
        return Some(dir);
    }
    assert!(
        !fixtures_required(),
        "real snapshot fixtures not found at {}/../../shared/fixtures/real, and {REQUIRE_FIXTURES_VAR} \
         makes that a failure (provide the folder, or unset the variable to skip the real-archive tests)",
        env!("CARGO_MANIFEST_DIR")
    );
    eprintln!("{}", real_fixtures_notice().unwrap_or_default());
    None
}
