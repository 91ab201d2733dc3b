//! Sampled data pass (`--sample PERCENT|SIZE|K/N` with `--seed`, issue 11): deterministic by
//! seed, K/N slices that together check every entry exactly once, restore-critical members
//! always checked, budgets kept, corruption found when sampled and named as unchecked when not,
//! and a sampled run never a plain pass. Unsampled reports carry no `sample` at all.

use snapshot_core::report::{Report, Verdict};
use snapshot_core::{Code, Level, Options, Sample, Sampling, Severity, Verifier, list_entries, verify};
use snapshot_tests::cloudify::{Era, Snapshot, sample};
use snapshot_tests::zipw::{Entry, ZipBuilder};
use std::collections::{BTreeMap, BTreeSet};

/// Members restore cannot do without in the legacy sample (all present there).
const LEGACY_CRITICAL: [&str; 6] =
    ["metadata.json", "pg_data", "stage_data", "composer_data", "agents.json", "rest-security.conf"];

/// The legacy sample plus 60 files of varied size, so there is something to sample but fewer
/// unchecked entries than the report lists (100).
fn archive() -> ZipBuilder {
    let mut zip = sample().zip();
    for i in 0..60u32 {
        let len = 200 + (i as usize * 977) % 9000;
        let data: Vec<u8> = (0..len).map(|k| (k as u32).wrapping_mul(2_654_435_761).wrapping_add(i) as u8).collect();
        zip = zip.push(Entry::file(format!("resources/extra/file-{i:02}.bin"), data).stored());
    }
    zip
}

fn sampled(sample: &str, seed: u64) -> Options {
    let sample = Sample::parse(sample).unwrap();
    Options { level: Level::Full, sample: Some(Sampling { sample, seed }), ..Options::default() }
}

fn check(bytes: &[u8], opts: &Options) -> Report {
    verify(&bytes, opts).expect("verification runs")
}

/// The entries a full data pass checks, with their compressed sizes.
fn candidates(bytes: &[u8]) -> BTreeMap<String, u64> {
    let entries = list_entries(&bytes).unwrap().expect("a readable archive");
    let mut out = BTreeMap::new();
    for e in entries.into_iter().filter(|e| e.readable && !(e.is_dir && e.uncompressed_size == 0)) {
        if !(e.compressed_size == 0 && e.uncompressed_size == 0 && e.crc32 == 0) {
            assert!(out.insert(e.name, e.compressed_size).is_none(), "the fixture has no duplicate names");
        }
    }
    out
}

/// The names a sampled report says were checked (it lists the others, uncapped here).
fn checked(report: &Report, all: &BTreeMap<String, u64>) -> BTreeSet<String> {
    let s = report.sample().expect("a sampled report");
    assert_eq!(s.not_checked_omitted, 0, "the fixture stays under the list's cap");
    assert_eq!(s.entries_total, all.len() as u64);
    let skipped: BTreeSet<&str> = s.not_checked.iter().map(String::as_str).collect();
    all.keys().filter(|n| !skipped.contains(n.as_str())).cloned().collect()
}

fn sampled_finding(report: &Report) -> &snapshot_core::Finding {
    let mut found = report.findings().iter().filter(|f| f.code == Code::DataSampled);
    let f = found.next().expect("a data-sampled finding");
    assert!(found.next().is_none(), "one data-sampled finding");
    f
}

#[test]
fn unsampled_reports_have_no_sample() {
    let bytes = archive().build();
    for level in [Level::Quick, Level::Full] {
        let report = check(&bytes, &Options { level, ..Options::default() });
        assert!(report.sample().is_none());
        assert!(!report.to_json().unwrap().contains("\"sample\""));
        assert!(report.findings().iter().all(|f| f.code != Code::DataSampled));
    }
    // The quick level reads no entry data: a sample there is ignored, not reported.
    let quick = Options { level: Level::Quick, ..sampled("10%", 1) };
    assert_eq!(check(&bytes, &quick), check(&bytes, &Options::default()));
}

#[test]
fn the_same_seed_checks_the_same_entries_and_another_seed_others() {
    let bytes = archive().build();
    let all = candidates(&bytes);
    for spec in ["25%", "20K", "2/5"] {
        let a = check(&bytes, &sampled(spec, 42));
        assert_eq!(a.to_json().unwrap(), check(&bytes, &sampled(spec, 42)).to_json().unwrap(), "{spec}");
        let seeds: BTreeSet<BTreeSet<String>> =
            (0..8).map(|seed| checked(&check(&bytes, &sampled(spec, seed)), &all)).collect();
        assert!(seeds.len() > 1, "{spec}: different seeds pick different entries");
        let s = a.sample().unwrap();
        assert_eq!((s.spec.as_str(), s.seed), (Sample::parse(spec).unwrap().to_string().as_str(), 42));
    }
}

#[test]
fn k_of_n_slices_check_every_entry_exactly_once() {
    let bytes = archive().build();
    let all = candidates(&bytes);
    let critical: BTreeSet<String> = LEGACY_CRITICAL.iter().map(|n| (*n).to_owned()).collect();
    assert!(critical.iter().all(|n| all.contains_key(n)), "the sample has every critical member");
    for (n, seed) in [(1u32, 0u64), (2, 0), (3, 9), (7, 123_456_789)] {
        let mut times: BTreeMap<String, u32> = BTreeMap::new();
        for k in 1..=n {
            let report = check(&bytes, &sampled(&format!("{k}/{n}"), seed));
            let s = report.sample().unwrap();
            assert_eq!(s.mode, "slice");
            assert_eq!(s.critical_entries, critical.len() as u64);
            let got = checked(&report, &all);
            assert!(critical.is_subset(&got), "{k}/{n}: every critical member is checked");
            assert_eq!(s.entries_checked, got.len() as u64);
            assert_eq!(s.bytes_checked, got.iter().map(|n| all[n]).sum::<u64>());
            assert_eq!(report.summary().entries_verified, got.len() as u64, "a good archive verifies what it checks");
            for name in got.difference(&critical) {
                *times.entry(name.clone()).or_default() += 1;
            }
        }
        let others: BTreeSet<&String> = all.keys().filter(|k| !critical.contains(*k)).collect();
        assert_eq!(times.keys().collect::<BTreeSet<_>>(), others, "N = {n}: the slices cover every entry");
        assert!(times.values().all(|&t| t == 1), "N = {n}: each entry in exactly one slice: {times:?}");
    }
}

#[test]
fn percent_and_size_keep_their_budget() {
    let bytes = archive().build();
    let all = candidates(&bytes);
    let total: u64 = all.values().sum();
    let critical_bytes: u64 = LEGACY_CRITICAL.iter().map(|n| all[*n]).sum();
    let largest_other =
        all.iter().filter(|(n, _)| !LEGACY_CRITICAL.contains(&n.as_str())).map(|(_, s)| *s).max().unwrap();
    let cases = [
        ("0%", 0),
        ("10%", total / 10),
        ("50%", total / 2),
        ("90%", total * 9 / 10),
        ("100%", total),
        ("1", 1),
        ("40K", 40 << 10),
        ("1G", 1 << 30),
    ];
    for (spec, budget) in cases {
        for seed in [0, 5] {
            let report = check(&bytes, &sampled(spec, seed));
            let s = report.sample().unwrap();
            assert_eq!(s.bytes_total, total);
            assert!(s.bytes_checked >= critical_bytes, "{spec}: critical members are always read");
            assert!(s.bytes_checked <= budget.max(critical_bytes), "{spec}: {} over {budget}", s.bytes_checked);
            if s.entries_checked < s.entries_total {
                // An entry was left out only because it no longer fit: the budget is nearly used.
                assert!(
                    budget < critical_bytes || s.bytes_checked + largest_other > budget,
                    "{spec}: {} of {budget}",
                    s.bytes_checked
                );
            } else {
                assert_eq!(s.bytes_checked, total);
            }
            assert_eq!(checked(&report, &all).len() as u64, s.entries_checked);
        }
    }
    let everything = check(&bytes, &sampled("100%", 3));
    assert_eq!(everything.sample().unwrap().not_checked.len(), 0);
    assert_eq!(sampled_finding(&everything).severity, Severity::Info, "a sample of everything is a full check");
    let full = check(&bytes, &Options { level: Level::Full, ..Options::default() });
    assert_eq!(everything.summary().entries_verified, full.summary().entries_verified);
    assert_eq!(everything.verdict(), full.verdict());
}

#[test]
fn a_sampled_run_is_never_a_plain_pass() {
    let bytes = archive().build();
    let full = check(&bytes, &Options { level: Level::Full, ..Options::default() });
    assert_ne!(full.verdict(), Verdict::Fail, "the fixture is good");
    for spec in ["0%", "30%", "64K", "1/2", "3/4"] {
        let report = check(&bytes, &sampled(spec, 1));
        let f = sampled_finding(&report);
        assert_eq!((f.severity, f.rule), (Severity::Warning, "A5"), "{spec}");
        assert!(f.message.contains("not checked"), "{spec}: {}", f.message);
        assert_ne!(report.verdict(), Verdict::Pass, "{spec}");
        assert!(report.summary().warnings > full.summary().warnings, "{spec}");
    }
}

#[test]
fn corruption_is_found_when_sampled_and_named_when_not() {
    let victim = "resources/extra/file-07.bin";
    let zip = archive();
    let index = zip.find(victim).unwrap();
    let (mut bytes, layout) = zip.build_with_layout();
    bytes[layout.entries[index].data + 10] ^= 0x40;
    let mut found = 0;
    let mut missed = 0;
    for k in 1..=3 {
        let report = check(&bytes, &sampled(&format!("{k}/3"), 11));
        let crc = report.findings().iter().any(|f| f.code == Code::CrcMismatch && f.path.as_deref() == Some(victim));
        let named = report.sample().unwrap().not_checked.iter().any(|n| n == victim);
        assert_ne!(crc, named, "{k}/3: either checked and found, or listed as not checked");
        if crc {
            found += 1;
            assert_eq!(report.verdict(), Verdict::Fail);
        } else {
            missed += 1;
            assert_eq!(report.verdict(), Verdict::PassWithWarnings, "unchecked corruption still reads as sampled");
        }
    }
    assert_eq!((found, missed), (1, 2), "exactly one slice holds the entry");

    // A corrupt restore-critical member is found by every sample, however small.
    let mut zip = archive();
    *zip.entry_mut("pg_data") = zip.entry_mut("pg_data").clone().stored();
    let index = zip.find("pg_data").unwrap();
    let (mut bytes, layout) = zip.build_with_layout();
    let span = layout.entries[index];
    bytes[span.data + (span.end - span.data) / 2] ^= 0x20;
    for spec in ["0%", "1", "1/5", "5/5"] {
        let report = check(&bytes, &sampled(spec, 0));
        assert!(
            report.findings().iter().any(|f| f.code == Code::CrcMismatch && f.path.as_deref() == Some("pg_data")),
            "{spec}"
        );
        assert_eq!(report.verdict(), Verdict::Fail);
    }
}

#[test]
fn new_format_envelopes_are_critical_and_archives_are_not() {
    let bytes = Snapshot::new(Era::N1).tenants(&["default_tenant", "team-a"]).bytes();
    let all = candidates(&bytes);
    let report = check(&bytes, &sampled("0%", 0));
    let got = checked(&report, &all);
    for name in all.keys() {
        let envelope = name == "metadata.json"
            || (name.ends_with(".json")
                && (name.starts_with("mgmt/")
                    || name.starts_with("tenants/") && name.matches('/').count() == 2
                    || name.starts_with("stage/")
                    || name.starts_with("composer/")));
        assert_eq!(got.contains(name), envelope, "{name}");
    }
    assert!(all.keys().any(|n| !got.contains(n)), "the N1 sample has archives to leave out");
}

#[test]
fn the_job_list_is_filtered_in_the_core() {
    // Front ends that run the data pass on threads (`take_jobs`) get the sample too, and the
    // same report as the sequential pass.
    let bytes = archive().build();
    let opts = sampled("1/4", 77);
    let mut v = Verifier::new(&bytes.as_slice(), opts.clone()).unwrap();
    let jobs = v.take_jobs();
    let expected = check(&bytes, &opts);
    assert_eq!(jobs.len() as u64, expected.sample().unwrap().entries_checked);
    assert_eq!(jobs.iter().map(|j| j.input_len()).sum::<u64>(), expected.sample().unwrap().bytes_checked);
    assert_eq!(v.progress().1, expected.sample().unwrap().bytes_checked);
    for job in jobs.into_iter().rev() {
        v.absorb(job.run(&bytes.as_slice()).unwrap());
    }
    assert_eq!(v.finish(&bytes.as_slice()).to_json().unwrap(), expected.to_json().unwrap());
}

#[test]
fn sampled_reports_match_the_schema_and_cap_their_list() {
    let mut zip = sample().zip();
    for i in 0..400u32 {
        zip = zip.push(Entry::file(format!("resources/many/{i:03}.txt"), format!("file {i}\n").repeat(3)));
    }
    let bytes = zip.build();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for spec in ["5%", "1/3", "2K"] {
        let report = check(&bytes, &sampled(spec, 2));
        let s = report.sample().unwrap();
        assert_eq!(s.not_checked.len(), 100, "{spec}");
        assert_eq!(s.not_checked.len() as u64 + s.not_checked_omitted, s.entries_total - s.entries_checked);
        let json: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&json).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{spec}: {errors:?}");
        assert_eq!(json["sample"]["mode"], s.mode);
    }
}
