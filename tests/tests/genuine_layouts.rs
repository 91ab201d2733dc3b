//! Issue 12, point 2: every era sample as each genuine writer would have packed it (Python 2.7
//! and 3 `zipfile`, Info-ZIP `zip -r`), with its nested archives deflated, stored, and a stored
//! nested ZIP last (its end record within the outer file's last 64 KiB) or in the middle. A
//! genuine layout gets no error and no structural warning, and the snapshot reads the same.

use snapshot_core::code::Family;
use snapshot_core::{Code, Level, Options, Report, Severity, verify};
use snapshot_tests::cloudify::era_samples;
use snapshot_tests::writers::{Nested, Writer, genuine, is_nested_archive};
use snapshot_tests::zipw::Method;

fn run(bytes: &[u8]) -> Report {
    verify(&bytes, &Options { level: Level::Full, ..Options::default() }).expect("verification runs")
}

fn dump(r: &Report) -> String {
    r.findings().iter().map(|f| format!("{} {}: {}\n", f.severity.as_str(), f.code.as_str(), f.message)).collect()
}

/// Findings about the container, its data or its names: a genuine writer's layout raises none
/// above info.
fn structural(r: &Report) -> Vec<Code> {
    r.findings()
        .iter()
        .filter(|f| f.severity <= Severity::Warning)
        .filter(|f| matches!(f.code.family(), Family::Container | Family::Data | Family::Names))
        .map(|f| f.code)
        .collect()
}

#[test]
fn every_era_reads_the_same_from_every_genuine_writer_and_nested_layout() {
    let mut checked = 0;
    for s in era_samples() {
        let plain = run(&s.bytes());
        for writer in Writer::ALL {
            for nested in Nested::ALL {
                let built = genuine(&s, writer, nested);
                if nested != Nested::AsWritten {
                    let stored = built.entries.iter().filter(|e| is_nested_archive(&e.name));
                    assert!(stored.clone().count() > 0 && stored.clone().all(|e| e.method == Method::Stored));
                }
                let bytes = built.build();
                let r = run(&bytes);
                let ctx = format!("{} {} {}:\n{}", s.file_name(), writer.name(), nested.name(), dump(&r));
                let errors: Vec<_> = r.findings().iter().filter(|f| f.severity == Severity::Error).collect();
                assert!(errors.is_empty(), "{ctx}");
                assert!(structural(&r).is_empty(), "{ctx}");
                assert_eq!(r.snapshot().era, plain.snapshot().era, "{ctx}");
                assert_eq!(r.snapshot().snapshot_version, plain.snapshot().snapshot_version, "{ctx}");
                assert_eq!(r.verdict(), plain.verdict(), "{ctx}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 24 * 16, "{checked}");
}

#[test]
fn the_last_nested_zip_ends_within_the_tail_a_reader_searches() {
    for s in era_samples() {
        let bytes = genuine(&s, Writer::Py3, Nested::StoredLast).build();
        // The nested archive's end record: the last "PK\5\6" before the outer one.
        let outer = bytes.len() - 22;
        let inner = bytes[..outer].windows(4).rposition(|w| w == b"PK\x05\x06").expect("a nested end record");
        assert!(
            outer - inner < 22 + 65_535,
            "{}: nested end record {} bytes before the end",
            s.file_name(),
            outer - inner
        );
    }
}
