//! `codes`, `--help`, usage errors and a closed output pipe.

use crate::util::run;
use serde_json::Value;
use snapshot_tests::cloudify::sample;
use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn codes_lists_the_whole_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["codes", "--format", "json"]);
    assert_eq!(r.code, 0);
    let codes: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(codes.len(), snapshot_core::Code::ALL.len());
    for (c, code) in codes.iter().zip(snapshot_core::Code::ALL) {
        assert_eq!(c["code"], code.as_str());
        assert_eq!(c["severity"], code.default_severity().as_str());
        assert_eq!(c["rule"], code.rule());
        assert_eq!(c["description"], code.description());
    }
    let human = run(dir.path(), &["codes"]);
    assert!(human.stdout.contains("crc-mismatch") && human.stdout.contains("The entry's data does not match"));
}

#[test]
fn help_documents_the_exit_codes_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--help"][..], &["check", "--help"]] {
        let r = run(dir.path(), args);
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("Exit codes:\n  0  no finding at or above"), "{}", r.stdout);
        assert!(r.stdout.contains("  2  could not run"), "{}", r.stdout);
    }
    assert_eq!(run(dir.path(), &["check"]).code, 2);
    assert_eq!(run(dir.path(), &["check", "--level", "deep", "x.zip"]).code, 2);
    assert_eq!(run(dir.path(), &["check", "--jobs", "0", "x.zip"]).code, 2);
    assert_eq!(run(dir.path(), &["frobnicate"]).code, 2);
}

#[test]
fn inspect_is_quick_and_check_is_full_by_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.zip"), sample().bytes()).unwrap();
    let inspect: Value =
        serde_json::from_str(&run(dir.path(), &["inspect", "--format", "json", "a.zip"]).stdout).unwrap();
    assert_eq!(inspect["settings"]["level"], "quick");
    let check: Value = serde_json::from_str(&run(dir.path(), &["check", "--format", "json", "a.zip"]).stdout).unwrap();
    assert_eq!(check["settings"]["level"], "full");
    let target = run(
        dir.path(),
        &["inspect", "--target-version", "7.0.4", "--edition", "community", "--format", "json", "a.zip"],
    );
    let target: Value = serde_json::from_str(&target.stdout).unwrap();
    assert_eq!(target["settings"]["target_version"], "7.0.4");
    assert_eq!(target["settings"]["edition"], "community");
    assert!(target["settings"].get("restore_certificates").is_none());
    let certs = run(dir.path(), &["inspect", "--restore-certificates", "--format", "json", "a.zip"]);
    let certs: Value = serde_json::from_str(&certs.stdout).unwrap();
    assert_eq!(certs["settings"]["restore_certificates"], true);
    let c9: Vec<&Value> = certs["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "C9").collect();
    assert_eq!(c9.len(), 1, "{c9:?}");
    assert_eq!(c9[0]["code"], "certificates-complete");
}

/// `--target-runtime kubernetes`: a 7.0.1+ manager on Kubernetes refuses a legacy-path snapshot
/// (7.0.4 snapshots/snapshot_restore.py `SnapshotRestore.restore`); on one host it restores.
#[test]
fn target_runtime_kubernetes_refuses_legacy() {
    use snapshot_tests::cloudify::{Era, Snapshot};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("l6.zip"), Snapshot::new(Era::L6).bytes()).unwrap();
    let args = ["inspect", "--target-version", "7.0.4", "--format", "json", "l6.zip"];
    let host = run(dir.path(), &args);
    assert_eq!(host.code, 0, "{}", host.stdout);
    let k8s = run(dir.path(), &[&args[..], &["--target-runtime", "kubernetes"]].concat());
    assert_eq!(k8s.code, 1, "{}", k8s.stdout);
    let report: Value = serde_json::from_str(&k8s.stdout).unwrap();
    assert_eq!(report["settings"]["runtime"], "kubernetes");
    let target = &report["snapshot"]["compatibility"]["target"];
    assert_eq!((target["restorable"].as_bool(), target["outcome"].as_str()), (Some(false), Some("refused")));
    let codes: Vec<&str> = report["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    assert!(codes.contains(&"target-runtime-refuses-legacy"), "{codes:?}");
    assert_eq!(run(dir.path(), &[&args[..], &["--target-runtime", "k8s"]].concat()).code, 2);
}

/// The JSON of one file is exactly the core's `Report::to_json()` and a newline (what the
/// browser module emits), whatever the number of threads, with the SHA-256 the CLI adds.
#[test]
fn json_output_is_exactly_the_core_report() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample().bytes();
    std::fs::write(dir.path().join("a.zip"), &bytes).unwrap();
    let opts = snapshot_core::Options {
        level: snapshot_core::Level::Full,
        target_version: Some("7.0.4".into()),
        file_name: "a.zip".into(),
        ..snapshot_core::Options::default()
    };
    let mut report = snapshot_core::verify(&bytes, &opts).unwrap();
    let hex: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    report.set_sha256(hex);
    let expected = report.to_json().unwrap() + "\n";
    for jobs in ["1", "2", "7"] {
        let r = run(
            dir.path(),
            &["check", "--sha256", "--target-version", "7.0.4", "--format", "json", "-j", jobs, "a.zip"],
        );
        assert_eq!(r.stdout, expected, "--jobs {jobs}");
    }
}

/// A reader that goes away (`snapshot-verify check … | head -c 100`) ends the run quietly with
/// exit 0, even though the files would have failed.
#[test]
fn a_closed_pipe_exits_0_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let good = sample().bytes();
    for i in 0..150 {
        std::fs::write(dir.path().join(format!("cut-{i:03}.zip")), &good[..good.len() / 2]).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_snapshot-verify"))
        .args(["check", "--format", "jsonl", "."])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}
