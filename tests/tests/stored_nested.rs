//! Stored nested archives (issue 12): a 5.0.5 snapshot's uncompressed blueprint zips carry their
//! own end records inside the outer entry's data. Those are content, not competing end records;
//! a second end record outside every entry's data still makes the archive ambiguous.

use snapshot_core::report::Verdict;
use snapshot_core::{Code, Level, Options, Report, Severity, verify};
use snapshot_tests::cloudify::{Era, Snapshot};
use snapshot_tests::layouts::{self, Place};
use std::collections::BTreeSet;

/// Codes about the outer container's structure, none of which a genuine layout may raise.
const STRUCTURAL: [Code; 10] = [
    Code::EndRecordAmbiguous,
    Code::HiddenLocalHeader,
    Code::UnexplainedBytes,
    Code::EntriesOverlap,
    Code::EntryOverlapsCentralDirectory,
    Code::TrailingData,
    Code::PrependedData,
    Code::SignatureInComment,
    Code::CentralDirectoryInvalid,
    Code::EntryCountMismatch,
];

/// How far back from the end a reader searches for the end record (record plus longest comment).
const TAIL: usize = 22 + 65535;

fn run(bytes: &[u8], level: Level) -> Report {
    verify(&bytes, &Options { level, ..Options::default() }).expect("verification runs")
}

fn dump(r: &Report) -> String {
    r.findings().iter().map(|f| format!("{} {}: {}\n", f.severity.as_str(), f.code.as_str(), f.message)).collect()
}

fn with_severity(r: &Report, severity: Severity) -> BTreeSet<&'static str> {
    r.findings().iter().filter(|f| f.severity == severity).map(|f| f.code.as_str()).collect()
}

/// Where the nested archive's own end record lands in the outer file.
fn nested_eocd(bytes: &[u8]) -> usize {
    let inner = layouts::blueprint_zip().build();
    let at = bytes.windows(inner.len()).position(|w| w == inner.as_slice()).expect("the nested zip is stored as is");
    at + inner.len() - 22
}

#[test]
fn genuine_stored_nested_zips_are_content_not_end_records() {
    let plain = run(&Snapshot::new(Era::L4).bytes(), Level::Full);
    for place in [Place::Last, Place::Middle] {
        let bytes = layouts::stored_nested(place).build();
        let eocd = nested_eocd(&bytes);
        // A generated snapshot is small: even in the middle the nested record is in the tail.
        let in_tail = eocd >= bytes.len().saturating_sub(TAIL);
        assert!(in_tail || place == Place::Middle, "{place:?}: nested end record at {eocd} of {}", bytes.len());
        for level in [Level::Quick, Level::Full] {
            let r = run(&bytes, level);
            let ctx = format!("{place:?} {level:?}:\n{}", dump(&r));
            assert!(with_severity(&r, Severity::Error).is_empty(), "{ctx}");
            assert_ne!(r.verdict(), Verdict::Fail, "{ctx}");
            assert!(r.findings().iter().all(|f| !STRUCTURAL.contains(&f.code)), "{ctx}");
            assert!(!r.findings().iter().any(|f| f.code == Code::NestedArchiveInvalid), "{ctx}");
            // No warning the plain snapshot does not already have.
            let base = with_severity(&plain, Severity::Warning);
            assert!(with_severity(&r, Severity::Warning).is_subset(&base), "{ctx}");
            // A reader that scans the tail forwards would stop at the nested record: named, as info.
            let embedded: Vec<_> = r.findings().iter().filter(|f| f.code == Code::EmbeddedEndRecord).collect();
            if in_tail {
                assert_eq!(embedded.len(), 1, "{ctx}");
                let f = embedded[0];
                assert_eq!(f.severity, Severity::Info);
                assert_eq!(f.offset, Some(eocd as u64));
                assert_eq!(f.path.as_deref(), Some(layouts::nested_name().as_str()));
                assert!(f.message.contains("forward"), "{}", f.message);
            } else {
                assert!(embedded.is_empty(), "{ctx}");
            }
        }
    }
}

#[test]
fn a_corrupt_stored_nested_zip_gets_its_nested_error_only() {
    let bytes = layouts::stored_nested_corrupt().build();
    let r = run(&bytes, Level::Full);
    let ctx = dump(&r);
    assert!(r.findings().iter().all(|f| !STRUCTURAL.contains(&f.code)), "{ctx}");
    assert!(with_severity(&r, Severity::Error).is_empty(), "{ctx}");
    let nested: Vec<_> = r.findings().iter().filter(|f| f.code == Code::NestedArchiveInvalid).collect();
    assert_eq!(nested.len(), 1, "{ctx}");
    assert_eq!(nested[0].path.as_deref(), Some(layouts::nested_name().as_str()));
    assert!(nested[0].message.contains("crc-mismatch"), "{}", nested[0].message);
}

#[test]
fn a_second_end_record_outside_every_entry_is_still_ambiguous() {
    for (name, bytes, records) in
        [("appended", layouts::appended_end_record(), 3), ("between entries", layouts::end_record_between_entries(), 2)]
    {
        for level in [Level::Quick, Level::Full] {
            let r = run(&bytes, level);
            let ctx = format!("{name} {level:?}:\n{}", dump(&r));
            let ambiguous: Vec<_> = r.findings().iter().filter(|f| f.code == Code::EndRecordAmbiguous).collect();
            assert_eq!(ambiguous.len(), 1, "{ctx}");
            assert_eq!(ambiguous[0].severity, Severity::Error);
            assert!(ambiguous[0].message.starts_with(&format!("{records} end-of-central-directory records")), "{ctx}");
            assert_eq!(r.verdict(), Verdict::Fail);
        }
    }
}
