//! Property test (issue 15): archives whose declared sizes, counts and offsets sit at the type
//! limits (0, 2^32 - 1, 2^32, 2^63, 2^64 - 1 …) never panic, and every figure the JSON report
//! computes from them is either exact or explicitly marked as saturated.
//!
//! "Exact" is checked against sums done here in `u128` over the entries as `list_entries`
//! reads them (the declared sizes, independent of the report's own arithmetic): the archive's
//! compressed and uncompressed totals, each preview part's totals, and the entry counts. A sum
//! past 2^64 - 1 must show as 2^64 - 1 *and* the report must carry a finding that says the
//! declared sizes add up to more than 2^64 (the marker a reader sees); a saturated restore-disk
//! estimate likewise. No other number may be 2^64 - 1 unless it is a value the archive declares.
//!
//! Cases: 64 by default, `PROPTEST_CASES=N` for more.
#![allow(clippy::disallowed_methods, reason = "a test: it reads PROPTEST_CASES")]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use snapshot_core::{EntryInfo, Level, Options, Report, list_entries, verify};
use snapshot_tests::cloudify::{Era, Snapshot};
use snapshot_tests::zipw::{self, Entry, Fields, ZipBuilder};

/// Values at and around the limits of u16, u32 and u64, and some ordinary ones.
fn edge() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        0u64..4096,
        Just(u64::from(u16::MAX)),
        Just(u64::from(u32::MAX) - 1),
        Just(u64::from(u32::MAX)),
        Just(u64::from(u32::MAX) + 1),
        Just(1 << 63),
        Just(u64::MAX / 2),
        Just(u64::MAX / 2 + 1),
        Just(u64::MAX - 1),
        Just(u64::MAX),
        any::<u64>(),
    ]
}

/// One added entry: declared uncompressed and compressed sizes, stored or deflated, and whether
/// its name is in a shared top-level part (so part totals sum several lies).
#[derive(Debug, Clone)]
struct Lie {
    usize: u64,
    csize: u64,
    stored: bool,
    in_part: bool,
}

fn lie() -> impl Strategy<Value = Lie> {
    (edge(), edge(), any::<bool>(), any::<bool>()).prop_map(|(usize, csize, stored, in_part)| Lie {
        usize,
        csize,
        stored,
        in_part,
    })
}

/// Archive-level overrides of the ZIP64 end record: entry count, directory size and offset.
#[derive(Debug, Clone)]
struct End {
    entries: Option<u64>,
    cd_size: Option<u64>,
    cd_offset: Option<u64>,
}

fn end() -> impl Strategy<Value = Option<End>> {
    prop_oneof![
        3 => Just(None),
        1 => (proptest::option::of(edge()), proptest::option::of(edge()), proptest::option::of(edge()))
            .prop_map(|(entries, cd_size, cd_offset)| Some(End { entries, cd_size, cd_offset })),
    ]
}

/// A ZIP64 extended-information extra field holding `values`.
fn zip64_extra(values: &[u64]) -> Vec<u8> {
    let mut x = Vec::new();
    zipw::put16(&mut x, 1);
    zipw::put16(&mut x, u16::try_from(values.len() * 8).expect("a few values"));
    values.iter().for_each(|&v| zipw::put64(&mut x, v));
    x
}

fn build(base: usize, lies: &[Lie], end: &Option<End>) -> Vec<u8> {
    let mut zip = match base {
        0 => Snapshot::new(Era::L4).zip(),
        1 => Snapshot::new(Era::N1).zip(),
        2 => Snapshot::new(Era::E2).zip(),
        _ => ZipBuilder::with(vec![Entry::file("a.txt", b"hello".to_vec())]),
    };
    for (i, l) in lies.iter().enumerate() {
        let name = if l.in_part { format!("huge/{i}.bin") } else { format!("huge-{i}.bin") };
        let sentinels =
            Fields { uncompressed_size: Some(u32::MAX), compressed_size: Some(u32::MAX), ..Fields::default() };
        let mut e =
            Entry::file(name, b"hello, world\n".repeat(8)).both(sentinels).extra(&zip64_extra(&[l.usize, l.csize]));
        if l.stored {
            e = e.stored();
        }
        zip.entries.push(e);
    }
    if let Some(end) = end {
        zip.zip64_end = true;
        zip.eocd64.entries = end.entries;
        zip.eocd64.entries_on_disk = end.entries;
        zip.eocd64.cd_size = end.cd_size;
        zip.eocd64.cd_offset = end.cd_offset;
    }
    zip.build()
}

/// Whether the report says that declared sizes add up past 2^64 (the saturation marker).
fn marked(r: &Report) -> bool {
    r.findings().iter().any(|f| f.path.is_none() && f.message.contains("more than 2^64"))
}

fn dump(r: &Report) -> String {
    r.findings().iter().map(|f| format!("  {} {:?}: {}\n", f.code.as_str(), f.path, f.message)).collect()
}

/// `value` is `exact`, or `exact` does not fit and `value` saturated with the marker present.
fn exact_or_marked(what: &str, value: &Value, exact: u128, r: &Report) -> Result<(), TestCaseError> {
    let v = value.as_u64().ok_or_else(|| TestCaseError::fail(format!("{what} is not a u64: {value}")))?;
    match u64::try_from(exact) {
        Ok(e) => prop_assert_eq!(v, e, "{} is not exact\n{}", what, dump(r)),
        Err(_) => {
            prop_assert_eq!(v, u64::MAX, "{} past 2^64 does not saturate\n{}", what, dump(r));
            prop_assert!(marked(r), "{} saturated without the marker\n{}", what, dump(r));
        }
    }
    Ok(())
}

/// Every number in the JSON is a non-negative integer that fits a u64.
fn all_u64(v: &Value, path: &str) -> Result<(), TestCaseError> {
    match v {
        Value::Number(n) => prop_assert!(n.as_u64().is_some(), "{} = {} is not a u64", path, n),
        Value::Array(a) => a.iter().enumerate().try_for_each(|(i, x)| all_u64(x, &format!("{path}[{i}]")))?,
        Value::Object(o) => o.iter().try_for_each(|(k, x)| all_u64(x, &format!("{path}.{k}")))?,
        _ => {}
    }
    Ok(())
}

/// The preview's part of an entry name (as the report groups them).
fn part(name: &str) -> String {
    match name.split_once('/') {
        Some((head, _)) => format!("{head}/"),
        None => name.to_owned(),
    }
}

fn check(bytes: &[u8], level: Level) -> Result<(), TestCaseError> {
    let r = verify(&bytes, &Options { level, file_name: "limits.zip".into(), ..Options::default() })
        .expect("in-memory sources never fail to read");
    let json: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    all_u64(&json, "")?;
    let Some(list) = list_entries(&bytes).expect("in-memory sources never fail to read") else {
        prop_assert!(json["archive"].is_null(), "no central directory, but an archive section");
        return Ok(());
    };
    let sum = |f: fn(&EntryInfo) -> u64, of: &dyn Fn(&EntryInfo) -> bool| -> u128 {
        list.iter().filter(|e| of(e)).map(|e| u128::from(f(e))).sum()
    };
    let a = &json["archive"];
    prop_assert_eq!(a["entries"].as_u64(), Some(list.len() as u64));
    prop_assert_eq!(json["summary"]["entries"].as_u64(), Some(list.len() as u64));
    let add = |x: &str, y: &str| a[x].as_u64().unwrap_or(0) + a[y].as_u64().unwrap_or(0);
    prop_assert_eq!(add("files", "directories"), list.len() as u64);
    prop_assert_eq!(add("stored", "deflated") + a["other_methods"].as_u64().unwrap_or(0), list.len() as u64);
    exact_or_marked("archive.compressed_size", &a["compressed_size"], sum(|e| e.compressed_size, &|_| true), &r)?;
    exact_or_marked("archive.uncompressed_size", &a["uncompressed_size"], sum(|e| e.uncompressed_size, &|_| true), &r)?;
    for p in json["snapshot"]["parts"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        if name.ends_with(" other parts)") {
            continue;
        }
        let mine = |e: &EntryInfo| part(&e.name) == name;
        prop_assert_eq!(p["entries"].as_u64(), Some(list.iter().filter(|e| mine(e)).count() as u64));
        exact_or_marked(
            &format!("part {name} compressed"),
            &p["compressed_size"],
            sum(|e| e.compressed_size, &mine),
            &r,
        )?;
        exact_or_marked(
            &format!("part {name} uncompressed"),
            &p["uncompressed_size"],
            sum(|e| e.uncompressed_size, &mine),
            &r,
        )?;
    }
    if let Some(estimate) = json["snapshot"]["restore_disk_estimate"].as_u64() {
        let declared = sum(|e| e.uncompressed_size, &|_| true);
        if declared > u128::from(u64::MAX) {
            prop_assert_eq!(estimate, u64::MAX, "the estimate of impossible sizes does not saturate\n{}", dump(&r));
        }
        if estimate == u64::MAX {
            prop_assert!(marked(&r), "a saturated estimate without the marker\n{}", dump(&r));
        }
    }
    Ok(())
}

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

#[test]
fn figures_from_declared_values_at_the_limits_are_exact_or_marked_saturated() {
    let strategy = (0usize..4, proptest::collection::vec(lie(), 1..5), end(), any::<bool>());
    runner()
        .run(&strategy, |(base, lies, end, full)| {
            let bytes = build(base, &lies, &end);
            check(&bytes, if full { Level::Full } else { Level::Quick })
        })
        .unwrap();
}

/// The deterministic corner the property is about: sizes that add up past 2^64 in a
/// non-legacy archive (no restore-disk estimate to carry a marker), at both levels.
#[test]
fn totals_past_u64_max_in_a_new_format_archive_are_marked() {
    let lies = [
        Lie { usize: u64::MAX / 2 + 1, csize: 100, stored: false, in_part: true },
        Lie { usize: u64::MAX / 2 + 1, csize: 100, stored: true, in_part: true },
    ];
    let bytes = build(1, &lies, &None);
    for level in [Level::Quick, Level::Full] {
        check(&bytes, level).unwrap();
        let r = verify(&bytes.as_slice(), &Options { level, ..Options::default() }).unwrap();
        assert!(marked(&r), "{}", dump(&r));
    }
}
