//! Property tests: random corruptions of valid generated snapshots (byte flips, truncations,
//! insertions, deletions) never pass silently when they change what restore would read, never
//! panic, and give the same report twice.
//!
//! "What restore would read" is the archive as Python's `zipfile` sees it: the central
//! directory's entries (name) and each entry's decompressed content and whether it matches its
//! CRC and sizes, obtained through `snapshot_core::list_entries` and `stream_entry` and compared
//! with the uncorrupted original. Any difference must make `verify` at `Level::Full` report at
//! least one error; a corruption that changes nothing restore reads (a flipped modification
//! time, the padding bits after a DEFLATE stream's last block) may pass.
//!
//! Cases per property: 96 by default, `PROPTEST_CASES=N` for more. Failures print the shrunk
//! input; nothing is written to disk.
#![allow(clippy::print_stderr, reason = "the tests print what they exercised")]
#![allow(clippy::disallowed_methods, reason = "a test: it reads the real fixtures and PROPTEST_CASES")]

use std::hash::{DefaultHasher, Hasher};
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use snapshot_core::{Level, Options, Report, list_entries, stream_entry, verify};
use snapshot_tests::cloudify::{self, Era, Snapshot};
use snapshot_tests::real_fixtures;

/// One entry as restore reads it: name, content digest and length, verified against its CRC
/// and sizes.
type EntryView = (String, u64, u64, bool);
/// The whole archive as restore reads it; `None` when there is no readable central directory.
type View = Option<Vec<EntryView>>;

struct Base {
    name: String,
    bytes: Vec<u8>,
    /// Non-empty compressed-data ranges of the entries (generated bases only).
    data: Vec<Range<usize>>,
    view: View,
}

fn view(bytes: &[u8]) -> View {
    let entries = list_entries(&bytes).expect("in-memory sources never fail to read")?;
    Some(
        entries
            .iter()
            .map(|e| {
                let mut h = DefaultHasher::new();
                let mut len = 0u64;
                let ok = stream_entry(&bytes, e.index, &mut |chunk| {
                    h.write(chunk);
                    len += chunk.len() as u64;
                })
                .expect("in-memory sources never fail to read");
                (e.name.clone(), h.finish(), len, ok)
            })
            .collect(),
    )
}

fn bases() -> &'static [Base] {
    static BASES: OnceLock<Vec<Base>> = OnceLock::new();
    BASES.get_or_init(|| {
        let mut snaps: Vec<(String, snapshot_tests::zipw::ZipBuilder)> =
            cloudify::era_samples().iter().map(|s| (s.file_name(), s.zip())).collect();
        snaps.push(("sample".into(), cloudify::sample().zip()));
        snaps.push(("L5-zip64".into(), Snapshot::new(Era::L5).zip().force_zip64()));
        let mut v: Vec<Base> = snaps
            .into_iter()
            .map(|(name, zip)| {
                let (bytes, layout) = zip.build_with_layout();
                let data = layout.entries.iter().filter(|s| s.end > s.data).map(|s| s.data..s.end).collect();
                let view = view(&bytes);
                Base { name, bytes, data, view }
            })
            .collect();
        if let Some(dir) = real_fixtures() {
            for f in ["snap-5.1.0-dev-legacy.zip", "snap-4.0.0-dev-legacy.zip"] {
                let bytes = std::fs::read(dir.join(f)).expect("real fixture reads");
                let view = view(&bytes);
                v.push(Base { name: f.into(), bytes, data: Vec::new(), view });
            }
        }
        for b in &v {
            let entries = b.view.as_ref().unwrap_or_else(|| panic!("{}: no central directory", b.name));
            assert!(entries.iter().all(|e| e.3), "{}: an entry of the valid base does not verify", b.name);
        }
        v
    })
}

fn full(bytes: &[u8]) -> Report {
    let opts = Options { level: Level::Full, file_name: "corrupt.zip".into(), ..Options::default() };
    verify(&bytes, &opts).expect("in-memory sources never fail to read")
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.findings().iter().map(|f| f.code.as_str()).collect()
}

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96);
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

#[derive(Default)]
struct Tally {
    changed: AtomicUsize,
    unchanged_errors: AtomicUsize,
    unchanged_clean: AtomicUsize,
}

impl Tally {
    fn report(&self, what: &str) {
        eprintln!(
            "{what}: {} corruptions changed what restore reads (all reported as errors), {} changed nothing \
             restore reads but drew errors, {} changed nothing and passed",
            self.changed.load(Ordering::Relaxed),
            self.unchanged_errors.load(Ordering::Relaxed),
            self.unchanged_clean.load(Ordering::Relaxed)
        );
    }
}

/// The checks every corrupted archive must pass: the oracle, determinism, no panic at either
/// level (a panic fails the case through the runner).
fn check(base: &Base, corrupted: &[u8], must_fail: bool, tally: &Tally) -> Result<(), TestCaseError> {
    let report = full(corrupted);
    let again = full(corrupted);
    prop_assert_eq!(
        report.to_json().unwrap(),
        again.to_json().unwrap(),
        "{}: the report differs between two runs",
        base.name
    );
    let quick = Options { level: Level::Quick, file_name: "corrupt.zip".into(), ..Options::default() };
    verify(&corrupted, &quick).expect("in-memory sources never fail to read");

    let changed = view(corrupted) != base.view;
    if changed || must_fail {
        prop_assert!(
            report.has_errors(),
            "{}: the corruption changes what restore reads, but verify reports no error: {:?}",
            base.name,
            codes(&report)
        );
    }
    let counter = match (changed, report.has_errors()) {
        (true, _) => &tally.changed,
        (false, true) => &tally.unchanged_errors,
        (false, false) => &tally.unchanged_clean,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// Flips inside entries' compressed data, leaving every header intact: the kind of damage a bad
/// disk or a broken transfer does. Each flip that changes decompressed content must fail.
#[test]
fn flips_in_entry_data_that_change_content_are_errors() {
    let tally = Tally::default();
    let generated: Vec<&Base> = bases().iter().filter(|b| !b.data.is_empty()).collect();
    let flips = prop::collection::vec((any::<Index>(), any::<Index>(), 1u8..=255), 1..=4);
    runner()
        .run(&(any::<Index>(), flips), |(pick, flips)| {
            let base = generated[pick.index(generated.len())];
            let mut bytes = base.bytes.clone();
            for (entry, at, mask) in &flips {
                let range = &base.data[entry.index(base.data.len())];
                bytes[range.start + at.index(range.len())] ^= mask;
            }
            check(base, &bytes, false, &tally)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    tally.report("flips in entry data");
}

#[derive(Clone, Debug)]
enum Edit {
    Flip { at: Index, mask: u8 },
    Truncate { at: Index },
    Insert { at: Index, bytes: Vec<u8> },
    Delete { at: Index, len: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<Index>(), 1u8..=255).prop_map(|(at, mask)| Edit::Flip { at, mask }),
        1 => any::<Index>().prop_map(|at| Edit::Truncate { at }),
        2 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        2 => (any::<Index>(), 1usize..16).prop_map(|(at, len)| Edit::Delete { at, len }),
    ]
}

/// Any edit anywhere (headers, central directory, end records, data): whenever it changes the
/// entries restore would see or their content, verify must report an error. A truncation always
/// must.
#[test]
fn corruptions_anywhere_that_change_what_restore_reads_are_errors() {
    let tally = Tally::default();
    let bases = bases();
    runner()
        .run(&(any::<Index>(), prop::collection::vec(edit(), 1..=3)), |(pick, edits)| {
            let base = &bases[pick.index(bases.len())];
            let mut bytes = base.bytes.clone();
            let mut truncated = false;
            for e in &edits {
                if bytes.is_empty() {
                    break;
                }
                match e {
                    Edit::Flip { at, mask } => {
                        let i = at.index(bytes.len());
                        bytes[i] ^= mask;
                    }
                    Edit::Truncate { at } => {
                        bytes.truncate(at.index(bytes.len()));
                        truncated = true;
                    }
                    Edit::Insert { at, bytes: ins } => {
                        let i = at.index(bytes.len() + 1);
                        bytes.splice(i..i, ins.iter().copied());
                    }
                    Edit::Delete { at, len } => {
                        let i = at.index(bytes.len());
                        bytes.drain(i..(i + len).min(bytes.len()));
                    }
                }
            }
            check(base, &bytes, truncated, &tally)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    tally.report("corruptions anywhere");
}

/// The oracle itself: the bases are valid, and a flip in a stored entry's data is always seen.
#[test]
fn the_oracle_sees_a_changed_entry() {
    let base = bases().iter().find(|b| !b.data.is_empty()).expect("a generated base");
    let mut bytes = base.bytes.clone();
    let range = base.data.iter().max_by_key(|r| r.len()).expect("an entry with data").clone();
    bytes[range.start + range.len() / 2] ^= 0x20;
    assert_ne!(view(&bytes), base.view);
    assert!(full(&bytes).has_errors());
    assert!(!full(&base.bytes).has_errors(), "{}: {:?}", base.name, codes(&full(&base.bytes)));
}
