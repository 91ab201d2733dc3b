//! `manifest create` and `manifest verify` (issue 6: the round trip catches a one-byte change,
//! an added entry and a removed entry; the manifest carries its own checksum).

use crate::util::{run, sample_with_stored_pg_data, write_zip};
use serde_json::Value;
use snapshot_tests::cloudify::sample;
use snapshot_tests::zipw::Entry;
use std::path::Path;
use std::process::Command;

fn create(dir: &Path, zip: &str) -> Value {
    let r = run(dir, &["manifest", "create", zip]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(dir.join("m.json"), &r.stdout).unwrap();
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn a_manifest_records_the_file_and_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    write_zip(dir.path(), "a.zip", &sample().zip());
    let m = create(dir.path(), "a.zip");
    assert_eq!(m["manifest_version"], 1);
    assert_eq!(m["file"]["name"], "a.zip");
    assert_eq!(m["snapshot"]["era"], "L6");
    let sums = run(dir.path(), &["hash", "a.zip"]).stdout;
    assert_eq!(m["file"]["sha256"].as_str().unwrap(), &sums[..64]);
    let entries = m["entries"].as_array().unwrap();
    assert_eq!(entries.len(), sample().zip().entries.len());
    for e in entries {
        assert_eq!(e["data_ok"], true, "{e}");
        assert_eq!(e["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(e["crc32"].as_str().unwrap().len(), 8);
    }
    // The documented recipe for the self-checksum, in Python.
    let py = Command::new("python3")
        .args([
            "-c",
            "import json,hashlib,sys; m=json.load(open(sys.argv[1])); s=m.pop('manifest_sha256'); \
             c=hashlib.sha256(json.dumps(m,sort_keys=True,separators=(',',':'),ensure_ascii=False).encode()).hexdigest(); \
             sys.exit(0 if c==s else 1)",
            "m.json",
        ])
        .current_dir(dir.path())
        .status();
    match py {
        Ok(status) => assert!(status.success(), "the Python recipe disagrees with manifest_sha256"),
        Err(_) => eprintln!("note: python3 not found; the manifest recipe check was skipped"),
    }
}

#[test]
fn verify_is_identical_for_the_same_archive() {
    let dir = tempfile::tempdir().unwrap();
    write_zip(dir.path(), "a.zip", &sample().zip());
    create(dir.path(), "a.zip");
    let r = run(dir.path(), &["manifest", "verify", "a.zip", "m.json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("a.zip: identical to m.json"), "{}", r.stdout);
}

#[test]
fn verify_catches_a_one_byte_change() {
    let dir = tempfile::tempdir().unwrap();
    let (mut bytes, at) = sample_with_stored_pg_data();
    std::fs::write(dir.path().join("a.zip"), &bytes).unwrap();
    create(dir.path(), "a.zip");
    bytes[at] ^= 0x01;
    std::fs::write(dir.path().join("a.zip"), &bytes).unwrap();
    let r = run(dir.path(), &["manifest", "verify", "--format", "json", "a.zip", "m.json"]);
    assert_eq!(r.code, 1);
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(d["identical"], false);
    assert!(d["file_sha256_changed"].is_array());
    assert_eq!(d["changed"][0]["name"], "pg_data");
    assert_eq!(d["manifest_tampered"], Value::Null);
}

#[test]
fn verify_catches_an_added_and_a_removed_entry() {
    let dir = tempfile::tempdir().unwrap();
    write_zip(dir.path(), "a.zip", &sample().zip());
    create(dir.path(), "a.zip");

    let mut added = sample().zip();
    added.entries.push(Entry::file("extra.txt", "hello"));
    write_zip(dir.path(), "added.zip", &added);
    let r = run(dir.path(), &["manifest", "verify", "added.zip", "m.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("\n  added    extra.txt\n"), "{}", r.stdout);
    assert!(r.stdout.contains("file sha256 changed"), "{}", r.stdout);

    let mut removed = sample().zip();
    removed.remove("agents.json");
    write_zip(dir.path(), "removed.zip", &removed);
    let r = run(dir.path(), &["manifest", "verify", "removed.zip", "m.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("\n  missing  agents.json\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("added "), "{}", r.stdout);
}

#[test]
fn verify_catches_a_tampered_manifest_and_rejects_garbage() {
    let dir = tempfile::tempdir().unwrap();
    write_zip(dir.path(), "a.zip", &sample().zip());
    let mut m = create(dir.path(), "a.zip");
    // Someone "fixes" an entry's checksum by hand without updating manifest_sha256.
    m["entries"][0]["crc32"] = Value::String("deadbeef".into());
    std::fs::write(dir.path().join("m.json"), serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let r = run(dir.path(), &["manifest", "verify", "a.zip", "m.json"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("manifest tampered"), "{}", r.stdout);

    std::fs::write(dir.path().join("bad.json"), "{").unwrap();
    let r = run(dir.path(), &["manifest", "verify", "a.zip", "bad.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("snapshot-verify: error: bad.json is not JSON"), "{}", r.stderr);
    assert_eq!(run(dir.path(), &["manifest", "verify", "a.zip", "none.json"]).code, 2);
}
