//! Conformance: every generated hostile case raises the codes the spec calls for, every era
//! sample verifies clean and is classified right, the real fixtures verify as their README
//! says, reports match the JSON Schema, and no canary secret reaches any report.

#![allow(clippy::disallowed_methods, reason = "tests read the real fixtures from disk")]
#![allow(clippy::print_stderr, reason = "a visible notice when the real fixtures are absent")]

use snapshot_core::{Level, Options, Report, Severity, verify};
use snapshot_tests::cloudify::{self, Era};
use snapshot_tests::{hostile, real_fixtures};

fn check(bytes: &[u8], name: &str, level: Level, target: Option<&str>) -> Report {
    let opts = Options {
        level,
        file_name: name.to_string(),
        target_version: target.map(str::to_string),
        ..Options::default()
    };
    verify(&bytes.to_vec(), &opts).expect("in-memory sources never fail to read")
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.findings().iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn every_hostile_case_raises_its_codes() {
    let mut failures = Vec::new();
    let cases = hostile::cases();
    assert!(cases.len() > 100, "the corpus shrank to {}", cases.len());
    for case in &cases {
        let level = if case.full { Level::Full } else { Level::Quick };
        let report = check(&case.bytes, &case.file_name(), level, None);
        let got = codes(&report);
        for want in case.expect {
            if !got.contains(want) {
                failures.push(format!("{}: expected {want}, got {got:?}", case.file_name()));
            }
        }
        // A case that only describes the security inventory is a valid snapshot; every other
        // case must not pass silently.
        if case.class != "S1"
            && case.class != "S2"
            && report.summary().errors + report.summary().warnings + report.summary().infos == 0
        {
            failures.push(format!("{}: no finding at all", case.file_name()));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn hostile_errors_fail_the_verdict() {
    for case in hostile::cases() {
        let report = check(&case.bytes, &case.file_name(), Level::Full, None);
        let expects_error = case
            .expect
            .iter()
            .any(|c| snapshot_core::Code::from_name(c).is_some_and(|c| c.default_severity() == Severity::Error));
        if expects_error {
            assert!(report.has_errors(), "{} must fail: {:?}", case.file_name(), codes(&report));
        }
    }
}

/// Severity by what readers extract (spec §11.7): the codes a case lists in `errors` must appear as
/// errors (readers disagree), the ones in `warnings` must appear and never as errors (they agree).
#[test]
fn hostile_severities_follow_the_readers() {
    let mut failures = Vec::new();
    let cases = hostile::cases();
    assert!(cases.iter().filter(|c| !c.errors.is_empty()).count() >= 20, "too few severity cases");
    assert!(cases.iter().filter(|c| !c.warnings.is_empty()).count() >= 10, "too few warning-only cases");
    for case in &cases {
        let level = if case.full { Level::Full } else { Level::Quick };
        let report = check(&case.bytes, &case.file_name(), level, None);
        let at =
            |code: &str, sev: Severity| report.findings().iter().any(|f| f.code.as_str() == code && f.severity == sev);
        for code in case.errors {
            if !at(code, Severity::Error) {
                failures.push(format!("{}: {code} is not an error", case.file_name()));
            }
        }
        for code in case.warnings {
            if at(code, Severity::Error) || !at(code, Severity::Warning) {
                failures.push(format!("{}: {code} must be a warning (and no error)", case.file_name()));
            }
        }
        if !case.errors.is_empty() {
            assert!(report.has_errors(), "{} must fail", case.file_name());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn era_samples_verify_without_errors_and_classify() {
    for snap in cloudify::era_samples() {
        let bytes = snap.bytes();
        let name = snap.file_name();
        for level in [Level::Quick, Level::Full] {
            let r = check(&bytes, &name, level, None);
            let errors: Vec<_> = r.findings().iter().filter(|f| f.severity == Severity::Error).collect();
            assert!(errors.is_empty(), "{name} at {level:?}: {errors:#?}");
            assert_eq!(r.snapshot().era.as_ref().map(|e| e.id), Some(snap.era.name()), "{name}");
            assert_eq!(r.snapshot().snapshot_version.as_deref(), Some(snap.version.as_str()), "{name}");
            if level == Level::Full {
                let data_entries = r.archive().unwrap().files;
                assert!(r.summary().entries_verified >= data_entries.saturating_sub(1), "{name}: {:?}", r.summary());
            }
        }
    }
}

#[test]
fn real_fixtures_verify_as_their_readme_says() {
    let Some(dir) = real_fixtures() else { return };
    let cases = [
        ("snap-5.1.0-dev-legacy.zip", Some(("L5", "5.1.0")), 51),
        ("snap-4.0.0-dev-legacy.zip", Some(("L0", "4.0.0")), 300),
        ("empty.zip", None, 0),
    ];
    for (file, era, entries) in cases {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        for level in [Level::Quick, Level::Full] {
            let r = check(&bytes, file, level, None);
            assert_eq!(r.summary().entries, entries, "{file}");
            match era {
                Some((id, version)) => {
                    assert!(!r.has_errors(), "{file} at {level:?}: {:#?}", r.findings());
                    assert_eq!(r.snapshot().era.as_ref().map(|e| e.id), Some(id));
                    assert_eq!(r.snapshot().snapshot_version.as_deref(), Some(version));
                    if level == Level::Full {
                        // Every entry with data verified, including the Python 2.7 directory
                        // entries (DEFLATE, 0 bytes) that unzip -t calls corrupt.
                        assert!(!codes(&r).contains(&"deflate-invalid"));
                        assert!(!codes(&r).contains(&"crc-mismatch"));
                    }
                }
                None => assert_eq!(codes(&r), vec!["not-a-snapshot"], "{file}"),
            }
        }
    }
}

#[test]
fn truncated_copies_of_real_and_generated_snapshots_are_diagnosed() {
    let mut inputs: Vec<(String, Vec<u8>)> =
        vec![("sample".into(), cloudify::sample().bytes()), ("n1".into(), cloudify::Snapshot::new(Era::N1).bytes())];
    if let Some(dir) = real_fixtures() {
        for f in ["snap-5.1.0-dev-legacy.zip", "snap-4.0.0-dev-legacy.zip"] {
            inputs.push((f.into(), std::fs::read(dir.join(f)).unwrap()));
        }
    }
    for (name, bytes) in inputs {
        let len = bytes.len();
        // Cut points across data, central directory and end record.
        let mut cuts: Vec<usize> = (1..40).map(|i| len * i / 40).collect();
        cuts.extend([len - 1, len - 10, len - 21, len - 22, len - 23, 4, 30]);
        for cut in cuts {
            let r = check(&bytes[..cut], &name, Level::Full, None);
            let c = codes(&r);
            assert!(r.has_errors(), "{name} cut at {cut}/{len} passed: {c:?}");
            assert!(
                c.contains(&"truncated")
                    || c.contains(&"comment-length-mismatch")
                    || c.contains(&"central-directory-out-of-bounds"),
                "{name} cut at {cut}/{len}: {c:?}"
            );
            if let Some(f) = r.findings().iter().find(|f| f.code.as_str() == "truncated") {
                assert!(f.message.contains(&format!("byte {cut}")), "{name} cut at {cut}: {}", f.message);
            }
        }
    }
}

#[test]
fn no_canary_reaches_a_report() {
    for built in [cloudify::canary_snapshot_legacy(), cloudify::canary_snapshot_new()] {
        let bytes = built.zip.build();
        assert!(!built.canaries.is_empty());
        for level in [Level::Quick, Level::Full] {
            let json = check(&bytes, "canary.zip", level, Some("7.0.4")).to_json().unwrap();
            for canary in &built.canaries {
                assert!(!json.contains(canary.as_str()), "canary {canary} leaked");
            }
            assert!(json.contains("secrets-in-clear") || json.contains("key-material"));
        }
    }
}

#[test]
fn reports_match_the_json_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut inputs: Vec<(String, Vec<u8>)> =
        cloudify::era_samples().iter().map(|s| (s.file_name(), s.bytes())).collect();
    inputs.extend(hostile::cases().into_iter().map(|c| (c.file_name(), c.bytes)));
    for (name, bytes) in inputs {
        for (level, target) in [(Level::Quick, None), (Level::Full, Some("6.4.0"))] {
            let json: serde_json::Value =
                serde_json::from_str(&check(&bytes, &name, level, target).to_json().unwrap()).unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&json).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{name}: {errors:#?}");
        }
    }
}

#[test]
fn target_prediction_quotes_restore() {
    let l5 = cloudify::Snapshot::new(Era::L5).bytes();
    let r = check(&l5, "l5.zip", Level::Quick, Some("5.0.5"));
    assert!(codes(&r).contains(&"target-snapshot-newer"));
    assert!(
        r.findings()
            .iter()
            .any(|f| f.message.contains("Cannot restore a newer manager's snapshot on this manager [5.1.0 > 5.0.5]"))
    );
    assert_eq!(r.snapshot().compatibility.target.as_ref().map(|t| t.restorable), Some(false));

    let r = check(&l5, "l5.zip", Level::Quick, Some("6.4.0"));
    assert!(!r.has_errors(), "{:?}", codes(&r));
    assert_eq!(r.snapshot().compatibility.target.as_ref().map(|t| t.restorable), Some(true));

    let e1 = cloudify::Snapshot::new(Era::E1).bytes();
    let r = check(&e1, "e1.zip", Level::Quick, Some("5.1.0"));
    assert!(r.findings().iter().any(|f| f.message.contains("Restoring snapshot from version 3.3 is not supported")));

    let community = cloudify::Snapshot::new(Era::L6).community().bytes();
    let r = check(&community, "l6c.zip", Level::Quick, Some("7.0.4"));
    assert!(codes(&r).contains(&"target-routes-new-path"), "{:?}", codes(&r));
    // Restores nothing: not restorable (issue 12 point 5).
    let t = r.snapshot().compatibility.target.clone().unwrap();
    assert_eq!((t.restorable, t.outcome), (false, snapshot_core::Outcome::RestoresNothing));

    let n1 = cloudify::Snapshot::new(Era::N1).bytes();
    // Before 7.0 the validator refuses the newer snapshot before anything reads the format.
    let r = check(&n1, "n1.zip", Level::Quick, Some("6.4.0"));
    assert!(codes(&r).contains(&"target-snapshot-newer"), "{:?}", codes(&r));
    assert_eq!(r.snapshot().compatibility.target.as_ref().map(|t| t.restore_path), Some("legacy"));
    assert!(codes(&check(&n1, "n1.zip", Level::Quick, Some("7.0.0"))).contains(&"target-format-unsupported"));
    assert!(!check(&n1, "n1.zip", Level::Quick, Some("7.0.4")).has_errors());
}

#[test]
fn reports_are_deterministic() {
    let bytes = cloudify::sample().bytes();
    let a = check(&bytes, "s.zip", Level::Full, Some("7.0.4")).to_json().unwrap();
    let b = check(&bytes, "s.zip", Level::Full, Some("7.0.4")).to_json().unwrap();
    assert_eq!(a, b);
}

/// Many central records pointing at one local header (the overlap bomb) must not make the
/// report grow with them: findings are listed per code up to a cap, the rest counted.
#[test]
fn findings_are_capped_per_code() {
    use snapshot_tests::zipw::{Entry, ZipBuilder};
    let mut entries = vec![Entry::file("pg_data", vec![0u8; 1024])];
    entries.extend((1..20_000).map(|i| Entry::file(format!("f{i:07}"), vec![0u8; 1024]).alias_of(0)));
    let bytes = ZipBuilder::with(entries).build();
    let r = check(&bytes, "overlap.zip", Level::Full, None);
    let overlaps: Vec<_> = r.findings().iter().filter(|f| f.code.as_str() == "entries-overlap").collect();
    assert!((100..=101).contains(&overlaps.len()), "{} overlap findings", overlaps.len());
    assert!(overlaps.iter().any(|f| f.message.contains("more entries-overlap findings")));
    assert!(r.to_json().unwrap().len() < 200_000, "report of {} bytes", r.to_json().unwrap().len());
}

/// `accepted_by`, `target` and the findings agree by construction (issue 12 point 5): for every
/// era sample, every known release and both editions, the release is in `accepted_by` (with its
/// edition condition) exactly when the prediction for it says `restorable`, and `restorable`
/// means outcome `restores` and no error finding.
#[test]
fn accepted_by_agrees_with_every_target_prediction() {
    const RELEASES: &[&str] = &[
        "3.3.0", "3.3.1", "3.4.0", "3.4.2", "4.0.0", "4.0.1", "4.1.0", "4.2.0", "4.3.0", "4.4.0", "4.5.5", "4.6.0",
        "5.0.0", "5.0.5", "5.1.0", "5.2.0", "6.0.0", "6.2.0", "6.3.0", "6.4.0", "6.4.2", "7.0.0", "7.0.1", "7.0.4",
    ];
    let key = |v: &str| -> Vec<u32> { v.split('.').map(|p| p.parse().unwrap()).collect() };
    let mut failures = Vec::new();
    for sample in cloudify::era_samples() {
        let bytes = sample.bytes();
        let name = sample.file_name();
        let plain = check(&bytes, &name, Level::Quick, None);
        let ranges = &plain.snapshot().compatibility.accepted_by;
        for &release in RELEASES {
            for edition in [snapshot_core::Edition::Premium, snapshot_core::Edition::Community] {
                let opts = Options {
                    level: Level::Quick,
                    file_name: name.clone(),
                    target_version: Some(release.to_string()),
                    edition,
                    ..Options::default()
                };
                let r = verify(&bytes, &opts).unwrap();
                let t = r.snapshot().compatibility.target.clone().expect("a prediction");
                let clean = !r.has_errors();
                if t.restorable != (t.outcome == snapshot_core::Outcome::Restores && clean) {
                    failures.push(format!(
                        "{name} on {release} {edition:?}: restorable {} vs outcome {:?}, errors {:?}",
                        t.restorable,
                        t.outcome,
                        codes(&r)
                    ));
                }
                let listed = ranges.iter().any(|range| {
                    let from_ok = range.from.as_deref().is_none_or(|f| key(f) <= key(release));
                    let to_ok = range.to.as_deref().is_none_or(|to| key(release) <= key(to));
                    let edition_ok = match edition {
                        snapshot_core::Edition::Premium => !range.note.contains("community managers only"),
                        snapshot_core::Edition::Community => !range.note.contains("premium managers only"),
                    };
                    from_ok && to_ok && edition_ok
                });
                if listed != t.restorable {
                    failures.push(format!(
                        "{name} on {release} {edition:?}: accepted_by lists it {listed}, restorable {}",
                        t.restorable
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}
