//! The commands of `docs/ci.md` run as written (the shell does the redirections), against a
//! directory of generated snapshots, with the built binary first on PATH.

use snapshot_tests::cloudify::{Era, Snapshot, sample};
use std::path::Path;
use std::process::Command;

/// Every `snapshot-verify …` command line in the document, YAML list markers stripped.
fn commands(doc: &str) -> Vec<String> {
    doc.lines()
        .map(|l| l.trim().trim_start_matches("- ").trim())
        .filter(|l| l.starts_with("snapshot-verify "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_in_docs_ci_md_runs() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ci.md")).unwrap();
    let cmds = commands(&doc);
    assert!(cmds.len() >= 8, "docs/ci.md lost its examples: {cmds:?}");
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().join("snapshots");
    std::fs::create_dir(&snaps).unwrap();
    std::fs::write(snaps.join("nightly.zip"), sample().bytes()).unwrap();
    std::fs::write(snaps.join("n1.zip"), Snapshot::new(Era::N1).bytes()).unwrap();
    // Last night's: one tenant fewer (tonight one was added: a difference, not a loss).
    std::fs::create_dir(dir.path().join("previous")).unwrap();
    let previous = Snapshot { canary_prefix: "example", ..Snapshot::new(Era::L6) };
    std::fs::write(dir.path().join("previous/nightly.zip"), previous.bytes()).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_snapshot-verify")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    // The committed policy the document shows, where the job would have it.
    let toml = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|t| t.split("```").next())
        .expect("docs/ci.md shows a snapshot-verify.toml");
    std::fs::write(dir.path().join("snapshot-verify.toml"), toml).unwrap();
    let summary = dir.path().join("summary.md");
    for cmd in &cmds {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", cmd])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            // The workflow's bucket prefixes, as local folders (the remote tests cover URLs).
            .env("SNAPSHOTS", "snapshots/")
            .env("PREVIOUS", "previous/")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "`{cmd}` failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the examples promise to leave behind.
    let junit = std::fs::read_to_string(dir.path().join("snapshot-verify.xml")).unwrap();
    assert!(junit.contains("<testsuites") && junit.contains("nightly.zip"));
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("nightly.zip"));
    assert!(summary.contains("### Snapshot diff") && summary.contains("- added: `team-a`"), "{summary}");
    let diff: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("snapshot-diff.json")).unwrap()).unwrap();
    assert_eq!(diff["tenants"]["added"], serde_json::json!(["team-a"]));
    assert!(std::fs::read_to_string(dir.path().join("snapshot-diff.md")).unwrap().contains("No losses"));
    let jsonl = std::fs::read_to_string(dir.path().join("snapshot-diff.jsonl")).unwrap();
    assert!(jsonl.lines().last().is_some_and(|l| l.contains(r#""event":"summary""#)), "{jsonl}");
    let sums = std::fs::read_to_string(dir.path().join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 2);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snaps.join("nightly.zip.manifest.json")).unwrap()).unwrap();
    assert!(manifest["manifest_sha256"].is_string());
    let check =
        Command::new("sha256sum").arg("-c").arg("snapshots/SHA256SUMS").current_dir(dir.path()).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}
