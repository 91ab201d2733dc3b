//! The restore rules read from Cloudify's restore code (issue 12 point 4): C9 with
//! `--restore-certificates`, C10/C11 (pg_data rows against files), D6a/D8a (new-format items
//! against archives), the 7.1-era layouts (sub-era N0b) and the Composer blueprints rule. Each
//! generated case must raise its codes at their severities; genuine layouts get no error.
#![allow(clippy::disallowed_methods, reason = "a test: it reads the real fixtures from files")]

use snapshot_core::{Level, Options, Report, Severity, verify};
use snapshot_tests::cloudify::newfmt71;
use snapshot_tests::cloudify::rules::{C9_CODES, FILE_CODES, RuleOptions, rule_cases};
use snapshot_tests::cloudify::{self, Era, Snapshot};

fn check(bytes: &[u8], name: &str, o: RuleOptions) -> Report {
    let opts = Options {
        level: if o.full { Level::Full } else { Level::Quick },
        file_name: name.to_owned(),
        target_version: o.target_version.map(str::to_owned),
        restore_certificates: o.restore_certificates,
        ..Options::default()
    };
    verify(&bytes.to_vec(), &opts).expect("in-memory sources never fail to read")
}

fn codes(r: &Report) -> Vec<(String, Severity)> {
    r.findings().iter().map(|f| (f.code.as_str().to_owned(), f.severity)).collect()
}

fn severity(s: &str) -> Severity {
    match s {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => Severity::Info,
    }
}

#[test]
fn every_rule_case_raises_its_codes() {
    let cases = rule_cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let mut names = std::collections::HashSet::new();
    for c in &cases {
        assert!(names.insert(c.file_name()), "duplicate {}", c.file_name());
        let r = check(&c.bytes, &c.file_name(), c.options);
        let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
        let invalid: Vec<String> =
            validator.iter_errors(&json).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(invalid.is_empty(), "{}: {invalid:?}", c.file_name());
        let found = codes(&r);
        for (code, sev) in c.expect {
            assert!(
                found.iter().any(|(f, s)| f == code && *s == severity(sev)),
                "{}: expected {code} ({sev}), got {found:?}",
                c.file_name()
            );
        }
        for code in c.absent {
            assert!(!found.iter().any(|(f, _)| f == code), "{}: {code} must not appear: {found:?}", c.file_name());
        }
        if c.genuine {
            let errors: Vec<_> = found.iter().filter(|(_, s)| *s == Severity::Error).collect();
            assert!(errors.is_empty(), "{}: a genuine layout got errors {errors:?}", c.file_name());
        }
    }
}

/// No era sample, genuine by construction, gets a C10/C11/D6a/D8a finding, and none gets a C9
/// finding without the flag; with it, every legacy one from 4.0.1 on has a complete ssl/ and
/// every new-format one is told that the flag is ignored.
#[test]
fn genuine_era_samples_pass_the_file_and_certificate_rules() {
    for s in cloudify::era_samples() {
        let bytes = s.bytes();
        let plain = RuleOptions { full: true, ..RuleOptions::default() };
        let found = codes(&check(&bytes, &s.file_name(), plain));
        for code in FILE_CODES.iter().chain(&C9_CODES) {
            assert!(!found.iter().any(|(f, _)| f == code), "{}: {code} in {found:?}", s.file_name());
        }
        let certs = RuleOptions { restore_certificates: true, ..plain };
        let found = codes(&check(&bytes, &s.file_name(), certs));
        let want = match s.era {
            Era::N0 | Era::N1 => "certificates-ignored",
            Era::E0 | Era::E1 | Era::E2 | Era::E2b | Era::L0 => "certificates-fallback",
            _ => "certificates-complete",
        };
        let c9: Vec<&(String, Severity)> = found.iter().filter(|(f, _)| C9_CODES.contains(&f.as_str())).collect();
        assert_eq!(c9.len(), 1, "{}: {c9:?}", s.file_name());
        assert_eq!((c9[0].0.as_str(), c9[0].1), (want, Severity::Info), "{}", s.file_name());
    }
}

/// The flag reaches the report's settings only when given, so reports without it are unchanged.
#[test]
fn restore_certificates_is_in_the_settings_only_when_given() {
    let bytes = Snapshot::new(Era::L6).bytes();
    let off = check(&bytes, "a.zip", RuleOptions::default()).to_json().unwrap();
    assert!(!off.contains("restore_certificates"));
    let on = check(&bytes, "a.zip", RuleOptions { restore_certificates: true, ..RuleOptions::default() });
    assert!(on.settings().restore_certificates);
    assert!(on.to_json().unwrap().contains("\"restore_certificates\": true"));
}

/// The two 7.1-era layouts are told apart: the 7.0.0 layout labelled 7.1.0 is sub-era N0b, the
/// numbered layout stays N1, and the N0b message says what each restore finds.
#[test]
fn seven_one_layouts_are_distinct_sub_eras() {
    let era = |z: snapshot_tests::zipw::ZipBuilder| {
        let r = check(&z.build(), "x.zip", RuleOptions::default());
        let id = r.snapshot().era.as_ref().map(|e| e.id);
        (id, r)
    };
    let (id, r) = era(newfmt71::n0b(true));
    assert_eq!(id, Some("N0b"));
    let variant = r.findings().iter().find(|f| f.code.as_str() == "new-format-variant").expect("D1 finding");
    assert!(variant.message.contains("A 7.0.0 manager restores it") && variant.message.contains("aborts"));
    let (id, r) = era(newfmt71::n0b(false));
    assert_eq!(id, Some("N0b"));
    let variant = r.findings().iter().find(|f| f.code.as_str() == "new-format-variant").expect("D1 finding");
    assert!(variant.message.contains("users, tenants, user groups and permissions are lost"), "{}", variant.message);
    assert_eq!(era(newfmt71::n1_71()).0, Some("N1"));
    assert_eq!(era(Snapshot::new(Era::N0).zip()).0, Some("N0"));
}

/// Real snapshots (read only, outside the repository) get no C10/C11 warning or error and no
/// incomplete-certificate warning.
#[test]
fn real_fixtures_pass_the_file_and_certificate_rules() {
    let dir = match std::env::var_os("SNAPSHOT_VERIFY_FIXTURES") {
        Some(d) => std::path::PathBuf::from(d),
        None => match snapshot_tests::real_fixtures() {
            Some(d) => d,
            None => return,
        },
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "zip") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("fixture");
        let o = RuleOptions { full: true, restore_certificates: true, target_version: None };
        let found = codes(&check(&bytes, "real.zip", o));
        for (code, sev) in &found {
            let ours = FILE_CODES.contains(&code.as_str()) || code == "certificates-incomplete";
            assert!(!(ours && *sev != Severity::Info), "{}: {code} {sev:?}", path.display());
        }
        seen += 1;
    }
    assert!(seen > 0, "no real fixture in {}", dir.display());
}
