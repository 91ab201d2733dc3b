//! `check --sample PERCENT|SIZE|K/N --seed N` (issue 11): flags, exit codes, the report's
//! `sample` object and what the human and Markdown formats say.

use crate::util::{run, sample_with_stored_pg_data, write_zip};
use snapshot_tests::cloudify::sample;
use snapshot_tests::zipw::Entry;

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("a JSON report")
}

/// The sample snapshot with 40 more files, so a sample leaves something out.
fn fixture(dir: &std::path::Path) {
    let mut zip = sample().zip();
    for i in 0..40 {
        zip = zip.push(Entry::file(format!("resources/extra/{i}.txt"), format!("line {i}\n").repeat(50 + i)));
    }
    write_zip(dir, "a.zip", &zip);
}

#[test]
fn a_sampled_check_says_so_in_every_format_and_passes_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let full = run(d, &["check", "--format", "json", "a.zip"]);
    assert_eq!(full.code, 0, "{}", full.stderr);
    let full = json(&full.stdout);
    assert!(full.get("sample").is_none(), "an unsampled report has no sample");

    let r = run(d, &["check", "--sample", "1/3", "--seed", "5", "--format", "json", "a.zip"]);
    assert_eq!(r.code, 0, "a sample is a warning, not a failure: {}", r.stderr);
    let report = json(&r.stdout);
    let s = &report["sample"];
    assert_eq!((s["mode"].as_str(), s["spec"].as_str(), s["seed"].as_u64()), (Some("slice"), Some("1/3"), Some(5)));
    assert!(s["entries_checked"].as_u64() < s["entries_total"].as_u64());
    assert_eq!(report["verdict"], "pass-with-warnings");
    assert_eq!(report["summary"]["warnings"].as_u64().unwrap(), full["summary"]["warnings"].as_u64().unwrap() + 1);
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["code"] == "data-sampled"));

    let human = run(d, &["check", "--sample", "1/3", "--seed", "5", "a.zip"]);
    assert_eq!(human.code, 0);
    assert!(human.stdout.contains("PASS WITH WARNINGS (SAMPLED)"), "{}", human.stdout);
    assert!(human.stdout.contains("full, SAMPLED 1/3 seed 5:"), "{}", human.stdout);
    let md = run(d, &["check", "--sample", "10%", "--format", "markdown", "a.zip"]);
    assert!(md.stdout.contains("pass-with-warnings (sampled)"), "{}", md.stdout);
    // The same sample and seed give the same report.
    let again = run(d, &["check", "--sample", "1/3", "--seed", "5", "--format", "json", "a.zip"]);
    assert_eq!(again.stdout, r.stdout);
}

#[test]
fn sampling_needs_the_full_level_and_valid_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let r = run(d, &["check", "--level", "quick", "--sample", "10%", "a.zip"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--sample needs --level full"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
    for bad in [
        &["--seed", "3"][..],
        &["--sample", "120%"],
        &["--sample", "0/3"],
        &["--sample", "4/3"],
        &["--sample", "lots"],
        &["--sample", "1/2", "--seed", "-1"],
        &["--sample", "1/2", "--seed", "9007199254740992"],
    ] {
        let mut args = vec!["check"];
        args.extend_from_slice(bad);
        args.push("a.zip");
        let r = run(d, &args);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stdout);
        assert!(r.stdout.is_empty(), "{bad:?}");
    }
}

#[test]
fn sha256_with_a_sample_still_hashes_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixture(d);
    let hex = run(d, &["hash", "a.zip"]).stdout[..64].to_owned();
    let r = run(d, &["check", "--sample", "1K", "--sha256", "--format", "json", "a.zip"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = json(&r.stdout);
    assert_eq!(report["file"]["sha256"].as_str(), Some(hex.as_str()));
    assert!(report["sample"]["bytes_checked"].as_u64() < report["sample"]["bytes_total"].as_u64());
    let wrong = "0".repeat(64);
    assert_eq!(run(d, &["check", "--sample", "1K", "--expect-sha256", &wrong, "a.zip"]).code, 1);
}

#[test]
fn a_corrupt_critical_member_fails_any_sample() {
    let dir = tempfile::tempdir().unwrap();
    let (mut bytes, at) = sample_with_stored_pg_data();
    bytes[at] ^= 0x20;
    std::fs::write(dir.path().join("crc.zip"), bytes).unwrap();
    for spec in ["0%", "1", "2/2"] {
        let r = run(dir.path(), &["check", "--sample", spec, "--format", "json", "crc.zip"]);
        assert_eq!(r.code, 1, "{spec}");
        let report = json(&r.stdout);
        assert!(report["findings"].as_array().unwrap().iter().any(|f| f["code"] == "crc-mismatch"), "{spec}");
    }
}
