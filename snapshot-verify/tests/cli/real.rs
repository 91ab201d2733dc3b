//! The real Cloudify snapshots (issue 2: every real fixture verifies with exit 0 and the right
//! era and version; `empty.zip` is not a snapshot).

use crate::util::{real, run};
use serde_json::Value;
use snapshot_core::{Level, Options};

fn check_json(name: &str) -> Option<(i32, Value, String)> {
    let path = real(name)?;
    let r = run(path.parent().unwrap(), &["check", "--format", "json", name]);
    let report: Value = serde_json::from_str(&r.stdout).expect("one JSON report");
    Some((r.code, report, r.stdout))
}

#[test]
fn snap_5_1_0_is_l5_and_passes() {
    let Some((code, report, _)) = check_json("snap-5.1.0-dev-legacy.zip") else { return };
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["snapshot"]["era"]["id"], "L5");
    assert_eq!(report["snapshot"]["snapshot_version"], "5.1.0");
    assert_eq!(report["settings"]["level"], "full");
    assert_eq!(report["summary"]["errors"], 0);
}

#[test]
fn snap_4_0_0_is_l0_and_passes() {
    let Some((code, report, _)) = check_json("snap-4.0.0-dev-legacy.zip") else { return };
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["snapshot"]["era"]["id"], "L0");
    assert_eq!(report["snapshot"]["snapshot_version"], "4.0.0");
}

#[test]
fn empty_zip_is_not_a_snapshot() {
    let Some((code, report, _)) = check_json("empty.zip") else { return };
    assert_eq!(code, 1);
    let codes: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"not-a-snapshot"), "{codes:?}");
}

/// The CLI's JSON for one file is byte for byte the core's `Report::to_json()` plus a newline,
/// which is what the browser module emits; parallel entry checks must not change it.
#[test]
fn single_file_json_is_exactly_the_core_report() {
    let Some(path) = real("snap-4.0.0-dev-legacy.zip") else { return };
    let bytes = std::fs::read(&path).unwrap();
    let opts = Options { level: Level::Full, file_name: "snap-4.0.0-dev-legacy.zip".into(), ..Options::default() };
    let expected = snapshot_core::verify(&bytes, &opts).unwrap().to_json().unwrap() + "\n";
    for jobs in ["1", "4"] {
        let r =
            run(path.parent().unwrap(), &["check", "--format", "json", "--jobs", jobs, "snap-4.0.0-dev-legacy.zip"]);
        assert_eq!(r.stdout, expected, "--jobs {jobs}");
    }
}
