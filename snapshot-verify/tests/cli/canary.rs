//! No output format ever contains a secret value (issue 2, S1–S4): archives with planted
//! canary secrets go through every command and format, and no canary may appear.

use crate::util::{run, write_zip};
use snapshot_tests::cloudify::{canary_snapshot_legacy, canary_snapshot_new, sample};
use snapshot_tests::zipw::Entry;

#[test]
fn no_output_contains_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let legacy = canary_snapshot_legacy();
    let new = canary_snapshot_new();
    write_zip(d, "legacy.zip", &legacy.zip);
    write_zip(d, "new.zip", &new.zip);
    // The simplest case: a broker password in a 4.x agents.json leaf.
    let mut simple = sample().zip();
    simple.entry_mut("agents.json").data = br#"{"default_tenant": {"dep": {"vm": {"vm_1": {"version": "4.3.0",
        "broker_config": {"broker_user": "guest", "broker_pass": "CANARY-123"}}}}}}"#
        .to_vec();
    simple.entries.push(Entry::file("extra/secret.json", r#"{"password": "CANARY-123"}"#));
    write_zip(d, "simple.zip", &simple);

    let mut canaries = legacy.canaries.clone();
    canaries.extend(new.canaries.iter().cloned());
    canaries.push("CANARY-123".to_owned());
    assert!(canaries.len() > 5);

    let files = ["legacy.zip", "new.zip", "simple.zip"];
    let mut outputs = Vec::new();
    for format in ["human", "json", "jsonl", "junit", "github", "markdown"] {
        for level in ["quick", "full"] {
            let mut args = vec!["check", "--sha256", "--level", level, "--format", format];
            args.extend(files);
            outputs.push((format!("check {level} {format}"), run(d, &args)));
        }
    }
    for f in files {
        for format in ["human", "json"] {
            outputs.push((format!("inspect {format} {f}"), run(d, &["inspect", "--format", format, f])));
        }
        outputs.push((format!("manifest {f}"), run(d, &["manifest", "create", f])));
    }
    for (what, r) in &outputs {
        assert!(!r.stdout.is_empty(), "{what} printed nothing");
        for c in &canaries {
            assert!(!r.stdout.contains(c.as_str()), "{what}: stdout contains the secret {c}");
            assert!(!r.stderr.contains(c.as_str()), "{what}: stderr contains the secret {c}");
        }
    }
    // The inventory still says the secrets are there.
    let r = run(d, &["check", "--format", "json", "simple.zip"]);
    assert!(r.stdout.contains("broker_pass"), "{}", r.stdout);
}
