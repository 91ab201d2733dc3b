//! `hash` and `check --expect-sha256` (issue 6: `sha256sum -c` accepts what `hash` writes).

use crate::util::{run, write_zip};
use snapshot_tests::cloudify::sample;
use std::process::Command;

#[test]
fn sha256sum_accepts_what_hash_writes_and_catches_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_zip(d, "a.zip", &sample().zip());
    std::fs::create_dir(d.join("sub dir")).unwrap();
    std::fs::write(d.join("sub dir/b.zip"), b"not a zip at all").unwrap();
    let r = run(d, &["hash", "a.zip", "sub dir/b.zip"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 2);
    assert!(r.stdout.lines().all(|l| l.len() > 66 && l.as_bytes()[64..66] == *b"  "), "{}", r.stdout);
    std::fs::write(d.join("SHA256SUMS"), &r.stdout).unwrap();

    let ok = Command::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(d).output().expect("sha256sum runs");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));

    std::fs::write(d.join("sub dir/b.zip"), b"not a zip at all!").unwrap();
    let bad = Command::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(d).output().expect("sha256sum runs");
    assert!(!bad.status.success());
}

#[test]
fn hash_of_a_missing_file_exits_2_after_hashing_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.zip"), b"x").unwrap();
    let r = run(dir.path(), &["hash", "missing.zip", "a.zip"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  a.zip\n");
    assert!(r.stderr.contains("missing.zip"), "{}", r.stderr);
}

#[test]
fn expect_sha256_passes_on_a_match_and_fails_on_a_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_zip(d, "a.zip", &sample().zip());
    let sums = run(d, &["hash", "a.zip"]).stdout;
    let hex = &sums[..64];
    std::fs::write(d.join("a.zip.sha256"), &sums).unwrap();

    assert_eq!(run(d, &["check", "--expect-sha256", hex, "a.zip"]).code, 0);
    let r = run(d, &["check", "--expect-sha256", "@a.zip.sha256", "--format", "json", "a.zip"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains(&format!("\"sha256\": \"{hex}\"")));

    let wrong = "0".repeat(64);
    let r = run(d, &["check", "--expect-sha256", &wrong, "a.zip"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains(&format!("FAILED: SHA-256 mismatch: expected {wrong}, got {hex}")), "{}", r.stdout);

    let r = run(d, &["check", "--expect-sha256", "xyz", "a.zip"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--expect-sha256 takes 64 hex digits"), "{}", r.stderr);
}
