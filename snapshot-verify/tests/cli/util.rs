//! Running the binary, temporary fixture directories and snapshot settings.

use snapshot_tests::cloudify::{Era, Snapshot, sample};
use snapshot_tests::zipw::ZipBuilder;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `snapshot-verify args…` in `cwd`, with colour off.
pub fn run(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_snapshot-verify"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A real Cloudify fixture, or `None` with a visible notice when the folder is absent (a
/// failure under `SNAPSHOT_VERIFY_REQUIRE_FIXTURES`: see [`snapshot_tests::real_fixtures`]).
pub fn real(name: &str) -> Option<PathBuf> {
    snapshot_tests::real_fixtures().map(|dir| dir.join(name))
}

/// The sample snapshot with `pg_data` stored, so that one flipped byte is a CRC mismatch and
/// not a broken DEFLATE stream. Returns the bytes and the offset of a byte in `pg_data`'s data.
pub fn sample_with_stored_pg_data() -> (Vec<u8>, usize) {
    let mut zip = sample().zip();
    let entry = zip.entry_mut("pg_data");
    *entry = entry.clone().stored();
    let index = zip.find("pg_data").expect("the sample has pg_data");
    let (bytes, layout) = zip.build_with_layout();
    let span = layout.entries[index];
    (bytes, span.data + (span.end - span.data) / 2)
}

/// The mixed directory of the format tests, relative names only:
///
/// - `good.zip`: the sample (a premium 6.4.0 legacy snapshot, L6);
/// - `new/n1.zip`: a 7.0.4 new-format snapshot (N1);
/// - `crc.zip`: the sample with one byte of `pg_data` flipped (`crc-mismatch` at full level);
/// - `truncated.zip`: the sample cut at two thirds (`truncated`);
/// - `text.zip`: a text file (`not-a-zip`).
pub fn mixed_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let d = dir.path().join("mixed");
    std::fs::create_dir_all(d.join("new")).unwrap();
    let good = sample().bytes();
    std::fs::write(d.join("good.zip"), &good).unwrap();
    std::fs::write(d.join("new/n1.zip"), Snapshot::new(Era::N1).bytes()).unwrap();
    let (mut crc, at) = sample_with_stored_pg_data();
    crc[at] ^= 0x20;
    std::fs::write(d.join("crc.zip"), crc).unwrap();
    std::fs::write(d.join("truncated.zip"), &good[..good.len() * 2 / 3]).unwrap();
    std::fs::write(d.join("text.zip"), "this is not an archive\n").unwrap();
    dir
}

/// Writes `zip` to `dir/name` and returns the path.
pub fn write_zip(dir: &Path, name: &str, zip: &ZipBuilder) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, zip.build()).unwrap();
    path
}

/// Insta settings: snapshots in `tests/snapshots`, timings and versions filtered.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s.add_filter(r"\b\d+ min \d+ s\b", "[TIME]");
    s.add_filter(r"\b\d+\.\d+ s\b", "[TIME]");
    s.add_filter(r#"time="\d+\.\d+""#, r#"time="[TIME]""#);
    s.add_filter(r#""elapsed_ms":\d+"#, r#""elapsed_ms":"[MS]""#);
    s.add_filter(
        &regex_escape(&format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"))),
        "\"version\": \"[VERSION]\"",
    );
    s.add_filter(&regex_escape(&format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION"))), "\"version\":\"[VERSION]\"");
    s
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
        out
    })
}
