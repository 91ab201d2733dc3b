//! `diff OLD NEW` (issue 13): generated snapshots that differ in known ways, identical inputs,
//! exit codes, `--fail-on-drop`, every format (JSON validated against `schema/diff-v1.json`),
//! and no planted secret in any output.

use crate::util::{run, sample_with_stored_pg_data, write_zip};
use serde_json::Value;
use snapshot_tests::cloudify::{Era, Snapshot, canary_snapshot_legacy, canary_snapshot_new, sample};
use snapshot_tests::zipw::{Entry, ZipBuilder};
use std::path::Path;

const FORMATS: [&str; 4] = ["human", "json", "markdown", "jsonl"];

/// `diff --format json` of two files in `d`, validated against the schema; returns the code and
/// the document.
fn json(d: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["diff", "--format", "json"];
    all.extend(args);
    let r = run(d, &all);
    assert!(r.code < 2, "diff {args:?} could not run: {}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    assert_schema(&v);
    (r.code, v)
}

fn assert_schema(v: &Value) {
    let schema: Value = serde_json::from_str(include_str!("../../../schema/diff-v1.json")).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator.iter_errors(v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{v:#}");
}

fn write(d: &Path, name: &str, zip: &ZipBuilder) {
    write_zip(d, name, zip);
}

#[test]
fn identical_inputs_exit_0_with_no_differences_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.zip", &sample().zip());
    write(d, "b.zip", &sample().zip());
    for format in FORMATS {
        for level in ["quick", "full"] {
            let r = run(d, &["diff", "--level", level, "--format", format, "a.zip", "b.zip"]);
            assert_eq!(r.code, 0, "{format} {level}: {}{}", r.stdout, r.stderr);
            let said = match format {
                "human" => r.stdout.contains("no differences"),
                "markdown" => r.stdout.contains("**No differences**"),
                "json" => r.stdout.contains("\"identical\": true"),
                _ => r.stdout.lines().last().is_some_and(|l| l.contains("\"identical\":true")),
            };
            assert!(said, "{format} {level}:\n{}", r.stdout);
        }
    }
    let (code, v) = json(d, &["--fail-on-drop", "1", "a.zip", "a.zip"]);
    assert_eq!(code, 0);
    assert_eq!(v["differences"], 0);
    assert_eq!(v["losses"]["dropped"], serde_json::json!([]));
}

#[test]
fn a_removed_tenant_and_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "old.zip", &sample().zip());
    write(d, "new.zip", &Snapshot { canary_prefix: "example", ..Snapshot::new(Era::L6) }.zip());
    let (code, v) = json(d, &["old.zip", "new.zip"]);
    assert_eq!(code, 1);
    assert_eq!(v["tenants"]["removed"], serde_json::json!(["team-a"]));
    let tenants = v["counts"].as_array().unwrap().iter().find(|c| c["kind"] == "tenants").unwrap();
    assert_eq!(
        (tenants["old"].as_u64(), tenants["new"].as_u64(), tenants["delta"].as_i64()),
        (Some(2), Some(1), Some(-1))
    );
    let team_a: Vec<&Value> =
        v["tenant_counts"].as_array().unwrap().iter().filter(|c| c["tenant"] == "team-a").collect();
    assert!(team_a.iter().any(|c| c["kind"] == "deployments" && c["new"] == 0), "{team_a:#?}");
    // A disappeared tenant fails whatever the threshold; the human format names it.
    let (code, v) = json(d, &["--fail-on-drop", "100", "old.zip", "new.zip"]);
    assert_eq!(code, 1);
    assert_eq!(v["losses"]["tenants_removed"], serde_json::json!(["team-a"]));
    let r = run(d, &["diff", "--fail-on-drop", "100", "old.zip", "new.zip"]);
    assert!(
        r.stdout.contains("- team-a (disappeared)") && r.stdout.contains("tenant team-a disappeared"),
        "{}",
        r.stdout
    );
    // The other way round a tenant was added: a difference, but no loss.
    let (code, v) = json(d, &["new.zip", "old.zip"]);
    assert_eq!(code, 1);
    assert_eq!(v["tenants"]["added"], serde_json::json!(["team-a"]));
    let (code, _) = json(d, &["--fail-on-drop", "10", "new.zip", "old.zip"]);
    assert_eq!(code, 0, "growth is no loss");
}

#[test]
fn dropped_deployments_fail_at_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = Snapshot::new(Era::N1).tenants(&["default_tenant", "team-a", "team-b", "team-c"]).zip();
    let mut new = old.clone();
    new.remove_prefix("tenants/team-a/deployments/");
    write(d, "old.zip", &old);
    write(d, "new.zip", &new);
    let (code, v) = json(d, &["old.zip", "new.zip"]);
    assert_eq!(code, 1);
    let dep: Vec<&Value> =
        v["tenant_counts"].as_array().unwrap().iter().filter(|c| c["kind"] == "deployments").collect();
    assert_eq!(dep.len(), 1, "{dep:#?}");
    assert_eq!(
        (dep[0]["tenant"].as_str(), dep[0]["old"].as_u64(), dep[0]["new"].as_u64()),
        (Some("team-a"), Some(1), Some(0))
    );
    assert_eq!(dep[0]["drop_percent"], 100.0);
    assert!(v["container"]["removed"].as_u64().unwrap() > 0);
    let (code, v) = json(d, &["--fail-on-drop", "25", "old.zip", "new.zip"]);
    assert_eq!(code, 1);
    assert!(!v["losses"]["dropped"].as_array().unwrap().is_empty());
    // Losses only: an added entry alone differs (exit 1), but is no loss (exit 0 with the flag).
    let mut grown = old.clone();
    grown.entries.push(Entry::file("tenants/team-b/blueprints/extra.tar.gz", "not really a tarball"));
    write(d, "grown.zip", &grown);
    assert_eq!(json(d, &["old.zip", "grown.zip"]).0, 1);
    assert_eq!(json(d, &["--fail-on-drop", "25", "old.zip", "grown.zip"]).0, 0);
}

#[test]
fn a_same_size_crc_change_is_called_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = sample().zip();
    let mut new = old.clone();
    let name = String::from_utf8(
        old.entries.iter().find(|e| e.name.starts_with(b"blueprints/") && !e.is_dir()).unwrap().name.clone(),
    )
    .unwrap();
    let entry = new.entry_mut(&name);
    let last = entry.data.len() - 1;
    entry.data[last] ^= 0x01;
    write(d, "old.zip", &old);
    write(d, "new.zip", &new);
    let (code, v) = json(d, &["old.zip", "new.zip"]);
    assert_eq!(code, 1);
    assert_eq!(v["container"]["same_size_crc_changed"], 1);
    assert_eq!(v["container"]["changed_entries"][0]["name"], name.as_str());
    assert_eq!(v["container"]["changed_entries"][0]["fields"][0], "crc32");
    let r = run(d, &["diff", "old.zip", "new.zip"]);
    assert!(r.stdout.contains("changed in place, or bit rot"), "{}", r.stdout);
    let r = run(d, &["diff", "--format", "markdown", "old.zip", "new.zip"]);
    assert!(r.stdout.contains("same size, CRC changed"), "{}", r.stdout);
}

#[test]
fn full_level_finds_data_damage_the_central_directory_hides() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (good, at) = sample_with_stored_pg_data();
    let mut bad = good.clone();
    bad[at] ^= 0x20;
    std::fs::write(d.join("good.zip"), &good).unwrap();
    std::fs::write(d.join("bad.zip"), &bad).unwrap();
    // The declared CRC did not change, so the quick level sees nothing.
    let (code, v) = json(d, &["good.zip", "bad.zip"]);
    assert_eq!((code, &v["identical"]), (0, &Value::Bool(true)));
    let (code, v) = json(d, &["--level", "full", "good.zip", "bad.zip"]);
    assert_eq!(code, 1);
    assert_eq!(v["level"], "full");
    assert!(v["findings"]["new"].as_array().unwrap().iter().any(|f| f["code"] == "crc-mismatch"), "{v:#}");
    let (_, v) = json(d, &["--level", "full", "bad.zip", "good.zip"]);
    assert!(v["findings"]["resolved"].as_array().unwrap().iter().any(|f| f["code"] == "crc-mismatch"));
}

#[test]
fn a_new_secret_and_a_version_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 6.4.0 → 7.0.4 legacy, with a private key more in ssl/.
    let old = sample();
    let mut new = Snapshot { canary_prefix: "example", ..old.clone() }.version("7.0.4").zip();
    new.entries.push(Entry::file(
        "ssl/new_key.pem",
        "-----BEGIN RSA PRIVATE KEY-----\nQUJDRA==\n-----END RSA PRIVATE KEY-----\n",
    ));
    write(d, "old.zip", &old.zip());
    write(d, "new.zip", &new);
    let (code, v) = json(d, &["old.zip", "new.zip"]);
    assert_eq!(code, 1);
    let version = v["fields"].as_array().unwrap().iter().find(|f| f["field"] == "snapshot_version").unwrap();
    assert_eq!((version["old"].as_str(), version["new"].as_str()), (Some("6.4.0"), Some("7.0.4")));
    let added = v["secrets"]["added"].as_array().unwrap();
    assert!(added.iter().any(|s| s["path"] == "ssl/new_key.pem" && s["kind"] == "private-key"), "{added:#?}");
    let r = run(d, &["diff", "--format", "markdown", "old.zip", "new.zip"]);
    assert!(r.stdout.contains("| snapshot_version | `6.4.0` | `7.0.4` |"), "{}", r.stdout);
    assert!(r.stdout.contains("| added | private-key | `ssl/new_key.pem` |"), "{}", r.stdout);
}

#[test]
fn every_format_renders_every_section_and_jsonl_ends_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two tenants (4.5.5 legacy) → one (7.0.4 new format): every section has something.
    write(d, "old.zip", &canary_snapshot_legacy().zip);
    write(d, "new.zip", &Snapshot::new(Era::N1).zip().push(Entry::file("../evil.txt", "x")));
    for format in FORMATS {
        let r = run(d, &["diff", "--fail-on-drop", "10", "--format", format, "old.zip", "new.zip"]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(!r.stdout.is_empty());
    }
    let r = run(d, &["diff", "--format", "jsonl", "old.zip", "new.zip"]);
    let lines: Vec<Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["event"], "diff-start");
    assert_eq!(lines.last().unwrap()["event"], "summary");
    for e in ["field", "secret-added", "secret-removed", "finding-new", "entry-added", "entry-removed"] {
        assert!(lines.iter().any(|l| l["event"] == e), "no {e} event: {}", r.stdout);
    }
    json(d, &["--max-listed", "3", "old.zip", "new.zip"]);
}

#[test]
fn no_diff_output_contains_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let legacy = canary_snapshot_legacy();
    let new = canary_snapshot_new();
    let mut more = canary_snapshot_legacy().zip;
    more.entry_mut("agents.json").data = br#"{"default_tenant": {"dep": {"vm": {"vm_1": {"version": "4.3.0",
        "broker_config": {"broker_user": "guest", "broker_pass": "CANARY-DIFF-123"}}}}}}"#
        .to_vec();
    write(d, "legacy.zip", &legacy.zip);
    write(d, "new.zip", &new.zip);
    write(d, "more.zip", &more);
    write(d, "sample.zip", &sample().zip());
    let mut canaries = legacy.canaries.clone();
    canaries.extend(new.canaries.iter().cloned());
    canaries.push("CANARY-DIFF-123".to_owned());
    let pairs = [
        ("legacy.zip", "new.zip"),
        ("new.zip", "legacy.zip"),
        ("legacy.zip", "more.zip"),
        ("sample.zip", "legacy.zip"),
    ];
    let mut runs = 0;
    for (a, b) in pairs {
        for format in FORMATS {
            for level in ["quick", "full"] {
                let mut args = vec!["diff", "--level", level, "--format", format, a, b];
                if runs % 3 == 0 {
                    args.insert(1, "--fail-on-drop=5");
                }
                let r = run(d, &args);
                assert!(r.code < 2, "{args:?}: {}", r.stderr);
                for c in &canaries {
                    assert!(!r.stdout.contains(c.as_str()), "{a} {b} {format} {level}: stdout has {c}");
                    assert!(!r.stderr.contains(c.as_str()), "{a} {b} {format} {level}: stderr has {c}");
                }
                runs += 1;
            }
        }
    }
    assert_eq!(runs, 32);
    // The inventory still shows the changed broker password by kind and path.
    let (_, v) = json(d, &["legacy.zip", "more.zip"]);
    let s = &v["secrets"];
    let all: Vec<&Value> = ["added", "removed", "changed"].iter().flat_map(|k| s[*k].as_array().unwrap()).collect();
    assert!(all.iter().any(|i| i["path"].as_str().unwrap_or("").starts_with("agents.json")), "{s:#}");
}

#[test]
fn exit_2_when_it_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.zip", &sample().zip());
    std::fs::create_dir(d.join("two")).unwrap();
    write(&d.join("two"), "x.zip", &sample().zip());
    write(&d.join("two"), "y.zip", &sample().zip());
    for args in [
        vec!["diff", "a.zip", "missing.zip"],
        vec!["diff", "missing.zip", "a.zip"],
        vec!["diff", "a.zip", "two"],
        vec!["diff", "a.zip"],
        vec!["diff", "--fail-on-drop", "0", "a.zip", "a.zip"],
        vec!["diff", "--fail-on-drop", "150", "a.zip", "a.zip"],
        vec!["diff", "--format", "junit", "a.zip", "a.zip"],
    ] {
        let r = run(d, &args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    let r = run(d, &["diff", "a.zip", "missing.zip"]);
    assert!(r.stderr.contains("missing.zip"), "{}", r.stderr);
    // A file that is not an archive still compares: its report says so.
    std::fs::write(d.join("text.zip"), "not a zip\n").unwrap();
    let (code, v) = json(d, &["a.zip", "text.zip"]);
    assert_eq!(code, 1);
    assert!(v["findings"]["new"].as_array().unwrap().iter().any(|f| f["code"] == "not-a-zip"));
}
