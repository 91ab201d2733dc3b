//! No input may panic, hang or exhaust memory: verify arbitrary bytes at the full level with
//! tight limits, and check the report is internally consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use snapshot_core::{Level, Limits, Options, verify};

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        level: Level::Full,
        target_version: Some("7.0.4".into()),
        file_name: "fuzz.zip".into(),
        limits: Limits { max_output: 64 << 20, quick_json_budget: 8 << 20, ..Limits::default() },
        ..Options::default()
    };
    let report = verify(&data.to_vec(), &opts).expect("a byte slice never fails to read");
    let errors = report.findings.iter().filter(|f| f.severity == snapshot_core::Severity::Error).count();
    assert_eq!(errors, report.summary.errors);
    assert_eq!(report.has_errors(), errors > 0);
    let _ = report.to_json();
});
