//! Structure-aware fuzzing: start from a valid generated snapshot (every era sample of
//! `snapshot-tests`) and apply the fuzzer's bytes as a list of edits (byte flips and writes,
//! insertions, deletions, a truncation) at positions scaled to the archive's length, so most
//! inputs stay close to a real snapshot and reach the deep checks (local headers, inflate, CRC,
//! metadata, SQL, nested archives) instead of stopping at "not a zip".
//!
//! Input: byte 0 picks the base archive; then 5-byte edits `[kind, value, pos0, pos1, pos2]`
//! (at most 64), with `pos` a 24-bit fraction of the current length.
//!
//! Asserts: no panic, a consistent report, and the same JSON when verified twice.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod edits;
use edits::{bases, mutate};
use snapshot_core::{Level, Limits, Options, Severity, verify};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, edits)) = data.split_first() else { return };
    let bases = bases();
    let bytes = mutate(&bases[usize::from(pick) % bases.len()], edits);
    let opts = Options {
        level: Level::Full,
        target_version: Some("6.4.0".into()),
        file_name: "mutated.zip".into(),
        limits: Limits { max_output: 64 << 20, quick_json_budget: 8 << 20, ..Limits::default() },
        ..Options::default()
    };
    let report = verify(&bytes.as_slice(), &opts).expect("a byte slice never fails to read");
    let errors = report.findings().iter().filter(|f| f.severity == Severity::Error).count();
    assert_eq!(errors, report.summary().errors);
    assert_eq!(report.has_errors(), errors > 0);
    let again = verify(&bytes.as_slice(), &opts).expect("a byte slice never fails to read");
    assert_eq!(report.to_json().unwrap(), again.to_json().unwrap(), "the report must be a pure function of the bytes");
});
