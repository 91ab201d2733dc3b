//! Broken archives built in the test, and files that cannot be verified at all.

use crate::util::{run, sample_with_stored_pg_data};
use serde_json::Value;
use snapshot_tests::cloudify::sample;

fn codes(stdout: &str) -> Vec<String> {
    let report: Value = serde_json::from_str(stdout).expect("one JSON report");
    report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_truncated_copy_is_truncated_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample().bytes();
    std::fs::write(dir.path().join("cut.zip"), &good[..good.len() / 2]).unwrap();
    let r = run(dir.path(), &["check", "--format", "json", "cut.zip"]);
    assert_eq!(r.code, 1);
    assert!(codes(&r.stdout).contains(&"truncated".to_owned()), "{}", r.stdout);
}

#[test]
fn a_flipped_data_byte_is_a_crc_mismatch_at_full_level_only() {
    let dir = tempfile::tempdir().unwrap();
    let (mut bytes, at) = sample_with_stored_pg_data();
    std::fs::write(dir.path().join("good.zip"), &bytes).unwrap();
    bytes[at] ^= 0x01;
    std::fs::write(dir.path().join("flip.zip"), &bytes).unwrap();

    let good = run(dir.path(), &["check", "--level", "full", "--format", "json", "good.zip"]);
    assert!(!codes(&good.stdout).contains(&"crc-mismatch".to_owned()), "{}", good.stdout);

    let full = run(dir.path(), &["check", "--level", "full", "--format", "json", "flip.zip"]);
    assert_eq!(full.code, 1);
    assert!(codes(&full.stdout).contains(&"crc-mismatch".to_owned()), "{}", full.stdout);

    let quick = run(dir.path(), &["check", "--level", "quick", "--format", "json", "flip.zip"]);
    assert!(!codes(&quick.stdout).contains(&"crc-mismatch".to_owned()));
}

#[test]
fn a_missing_file_cannot_run_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["check", "nope.zip"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.starts_with("snapshot-verify: error: nope.zip: could not open the file"), "{}", r.stderr);
    assert!(r.stderr.contains("  Cause: No such file or directory"), "{}", r.stderr);
}

#[test]
fn a_text_file_is_not_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello\n").unwrap();
    let r = run(dir.path(), &["check", "--format", "json", "notes.txt"]);
    assert_eq!(r.code, 1);
    assert_eq!(codes(&r.stdout), ["not-a-zip"]);
}

#[test]
fn the_worst_result_wins_across_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.zip"), sample().bytes()).unwrap();
    std::fs::write(dir.path().join("text.zip"), "hello\n").unwrap();
    assert_eq!(run(dir.path(), &["check", "good.zip"]).code, 0);
    assert_eq!(run(dir.path(), &["check", "good.zip", "text.zip"]).code, 1);
    assert_eq!(run(dir.path(), &["check", "good.zip", "text.zip", "missing.zip"]).code, 2);
    // A pattern the shell did not expand is expanded by the program.
    let r = run(dir.path(), &["check", "--format", "json", "*.zip"]);
    assert_eq!(r.code, 1);
    assert_eq!(serde_json::from_str::<Value>(&r.stdout).unwrap().as_array().unwrap().len(), 2);
    let r = run(dir.path(), &["check", "*.none"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no file matches `*.none`"), "{}", r.stderr);
}

#[test]
fn fail_on_warning_fails_a_file_with_only_warnings() {
    let dir = tempfile::tempdir().unwrap();
    // A 7.0.0 (N0) archive always carries the new-format-variant warning.
    let n0 = snapshot_tests::cloudify::Snapshot::new(snapshot_tests::cloudify::Era::N0).bytes();
    std::fs::write(dir.path().join("n0.zip"), n0).unwrap();
    let r = run(dir.path(), &["check", "--format", "json", "n0.zip"]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 0, "{report:#}");
    assert!(report["summary"]["warnings"].as_u64().unwrap() > 0, "{report:#}");
    assert_eq!(r.code, 0);
    assert_eq!(run(dir.path(), &["check", "--fail-on", "warning", "n0.zip"]).code, 1);
}

#[test]
fn max_duration_stops_early_and_says_the_run_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.zip"), sample().bytes()).unwrap();
    let r = run(dir.path(), &["check", "--max-duration", "0.000000001", "--sha256", "good.zip"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("FAILED: verification incomplete: stopped after 0.000000001 s"), "{}", r.stdout);
    let r = run(dir.path(), &["check", "--max-duration", "0.000000001", "--format", "json", "good.zip"]);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["summary"]["entries_verified"], 0);
    let notes: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "verification-incomplete").collect();
    assert!(notes.iter().any(|f| f["message"].as_str().unwrap().starts_with("verification incomplete")), "{notes:?}");
    assert_eq!(report["verdict"], "fail");
}
