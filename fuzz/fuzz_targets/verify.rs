//! No input may panic, hang or exhaust memory: verify arbitrary bytes at the full level with
//! tight limits, and check the report is internally consistent. Seeded by `run-short.sh` with
//! the generated fixture corpus and the real snapshots.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snapshot_core::{Level, Limits, Options, Report, Severity, verify};

fn consistent(report: &Report) {
    let count = |s: Severity| report.findings().iter().filter(|f| f.severity == s).count();
    assert_eq!(count(Severity::Error), report.summary().errors);
    assert_eq!(count(Severity::Warning), report.summary().warnings);
    assert_eq!(count(Severity::Info), report.summary().infos);
    assert_eq!(report.has_errors(), report.summary().errors > 0);
    assert!(report.summary().entries_verified <= report.summary().entries, "{:?}", report.summary());
    let json = report.to_json().unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "report JSON does not parse");
}

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        level: Level::Full,
        target_version: Some("7.0.4".into()),
        file_name: "fuzz.zip".into(),
        limits: Limits { max_output: 64 << 20, quick_json_budget: 8 << 20, ..Limits::default() },
        ..Options::default()
    };
    let report = verify(&data, &opts).expect("a byte slice never fails to read");
    consistent(&report);
});
