//! Legacy payload rules (C1–C15), the legacy preview (F) and security inventory (S1–S3), on
//! generated snapshots of every legacy era, their broken variants, and the real Cloudify
//! snapshots in `shared/fixtures/real`.

#![allow(clippy::disallowed_methods, reason = "tests read the real fixtures from disk")]
#![allow(clippy::print_stderr, reason = "a skipped real-fixture test says so")]

use snapshot_core::report::{SecretKind, Verdict};
use snapshot_core::{Code, Level, Options, Report, Severity, verify};
use snapshot_tests::cloudify::{Era, Snapshot, canary_snapshot_legacy};
use snapshot_tests::hostile::{FULL_CODES, cases};
use snapshot_tests::zipw::{Entry, ZipBuilder};
use std::collections::BTreeSet;

const LEGACY_ERAS: [Era; 11] =
    [Era::E0, Era::E1, Era::E2, Era::E2b, Era::L0, Era::L1, Era::L2, Era::L3, Era::L4, Era::L5, Era::L6];

fn run(bytes: &[u8], level: Level) -> Report {
    verify(&bytes, &Options { level, ..Options::default() }).expect("verification runs")
}

fn run_target(bytes: &[u8], level: Level, target: &str) -> Report {
    let opts = Options { level, target_version: Some(target.into()), ..Options::default() };
    verify(&bytes, &opts).expect("verification runs")
}

fn codes(r: &Report) -> BTreeSet<&'static str> {
    r.findings().iter().map(|f| f.code.as_str()).collect()
}

/// Codes of the legacy payload rules (C1–C15).
fn c_codes(r: &Report) -> BTreeSet<&'static str> {
    r.findings().iter().filter(|f| f.code.rule().starts_with('C')).map(|f| f.code.as_str()).collect()
}

fn set<'a>(codes: &[&'a str]) -> BTreeSet<&'a str> {
    codes.iter().copied().collect()
}

fn dump(r: &Report) -> String {
    r.findings().iter().map(|f| format!("{} {}: {}\n", f.severity.as_str(), f.code.as_str(), f.message)).collect()
}

fn messages(r: &Report, code: Code) -> Vec<&str> {
    r.findings().iter().filter(|f| f.code == code).map(|f| f.message.as_str()).collect()
}

fn secret(r: &Report, kind: SecretKind, path: &str) -> Option<u64> {
    r.security().items.iter().find(|i| i.kind == kind && i.path == path).map(|i| i.count)
}

fn edit(z: &mut ZipBuilder, name: &str, f: impl FnOnce(String) -> String) {
    let e = z.entry_mut(name);
    e.data = f(String::from_utf8(std::mem::take(&mut e.data)).unwrap()).into_bytes();
}

/// A real Cloudify fixture's bytes, or `None` with a visible notice when the folder is absent (a
/// failure under `SNAPSHOT_VERIFY_REQUIRE_FIXTURES`: see [`snapshot_tests::real_fixtures`]).
fn real(name: &str) -> Option<Vec<u8>> {
    snapshot_tests::real_fixtures().map(|dir| std::fs::read(dir.join(name)).expect("real fixture reads"))
}

#[test]
fn real_4_0_0_dev_build() {
    let Some(bytes) = real("snap-4.0.0-dev-legacy.zip") else { return };
    for level in [Level::Quick, Level::Full] {
        let r = run(&bytes, level);
        assert_eq!(r.summary().errors, 0, "{level:?}\n{}", dump(&r));
        // Both es_data and pg_data: the 4.0 development build's genuine layout (spec §8), so no
        // era-mismatch.
        let mut expect = set(&["secrets-in-clear", "key-material", "routing-hazard", "advice-restore-disk"]);
        if level == Level::Quick {
            expect.insert("quick-limit");
        }
        assert_eq!(codes(&r), expect, "{level:?}\n{}", dump(&r));
        assert_eq!(r.snapshot().era.as_ref().map(|e| e.id), Some("L0"));
        let s = r.snapshot();
        assert_eq!(s.counts.agents, Some(1));
        assert_eq!(s.counts.blueprints, Some(1));
        // A pre-release layout: uploaded-blueprints/<bp>/ without a tenant level.
        assert!(s.tenants.is_empty(), "{:?}", s.tenants);
        assert!(s.flags.include_credentials);
        assert_eq!(secret(&r, SecretKind::BrokerPassword, "agents.json: broker_pass"), Some(1));
        assert_eq!(secret(&r, SecretKind::AgentKey, "snapshot-credentials/*/agent_key"), Some(1));
        if level == Level::Full {
            // pg_data is complete and ends with the DELETE of its own execution (6 rows - 1).
            assert_eq!(s.counts.executions, Some(5));
            assert_eq!(s.counts.deployments, Some(1));
            assert_eq!(r.summary().entries_verified, r.summary().entries);
        }
    }
}

#[test]
fn real_5_1_0_dev_build() {
    let Some(bytes) = real("snap-5.1.0-dev-legacy.zip") else { return };
    for level in [Level::Quick, Level::Full] {
        let r = run(&bytes, level);
        assert_eq!(r.summary().errors, 0, "{level:?}\n{}", dump(&r));
        let mut expect = set(&[
            "secrets-in-clear",
            "key-material",
            "password-hashes",
            "advice-restore-disk",
            "composer-revision-first-migration",
        ]);
        if level == Level::Quick {
            expect.insert("quick-limit");
        }
        assert_eq!(codes(&r), expect, "{level:?}\n{}", dump(&r));
        let s = r.snapshot();
        assert_eq!(s.era.as_ref().map(|e| e.id), Some("L5"));
        assert_eq!(s.tenants, ["default_tenant"]);
        assert_eq!((s.counts.tenants, s.counts.blueprints, s.counts.agents), (Some(1), Some(1), Some(2)));
        assert!(!s.flags.include_credentials && !s.flags.metrics);
        assert_eq!(secret(&r, SecretKind::EncryptionKey, "rest-security.conf"), Some(4));
        for key in ["cloudify_internal_ca_key", "cloudify_internal_key", "cloudify_external_key", "rabbitmq-key"] {
            assert_eq!(secret(&r, SecretKind::PrivateKey, &format!("ssl/{key}.pem")), Some(1), "{key}");
        }
        assert_eq!(secret(&r, SecretKind::Certificate, "ssl/cloudify_internal_ca_cert.pem"), Some(1));
        assert_eq!(secret(&r, SecretKind::PasswordHash, "admin_account.json: password"), Some(1));
        // Database URLs with passwords, a GitHub password, Composer's session secret.
        assert_eq!(secret(&r, SecretKind::ConfigCredential, "stage/conf/app.json"), Some(2));
        assert_eq!(secret(&r, SecretKind::ConfigCredential, "composer/backend/conf/prod.json"), Some(2));
        if level == Level::Full {
            let c = &s.counts;
            assert_eq!(
                (c.events, c.users, c.secrets, c.executions, c.deployments),
                (Some(75), Some(2), Some(0), Some(9), Some(1))
            );
            assert_eq!((s.flags.events_excluded, s.flags.logs_excluded), (Some(false), Some(false)));
            assert_eq!(secret(&r, SecretKind::PasswordHash, "pg_data: users.password"), Some(2));
            assert_eq!(secret(&r, SecretKind::EncryptedSecret, "pg_data: tenants.rabbitmq_password"), Some(1));
        }
    }
    // On its own version as target, premium: stage_data and composer_data are there.
    let r = run_target(&bytes, Level::Full, "5.1.0");
    assert_eq!(r.summary().errors, 0, "{}", dump(&r));
    assert!(c_codes(&r).is_empty(), "{}", dump(&r));
}

#[test]
fn every_legacy_era_is_clean() {
    for era in LEGACY_ERAS {
        for premium in [true, false] {
            let snap = if premium { Snapshot::new(era) } else { Snapshot::new(era).community() };
            let bytes = snap.bytes();
            for level in [Level::Quick, Level::Full] {
                let r = run(&bytes, level);
                let what = format!("{} premium={premium} {level:?}\n{}", era.name(), dump(&r));
                assert_eq!(r.summary().errors, 0, "{what}");
                assert!(c_codes(&r).is_empty(), "{what}");
                assert!(!codes(&r).contains("nested-archive-invalid"), "{what}");
                assert_eq!(codes(&r).contains("quick-limit"), level == Level::Quick, "{what}");
                let s = r.snapshot();
                assert_eq!(s.counts.agents, Some(1), "{what}");
                assert_eq!(s.counts.blueprints, Some(1), "{what}");
                let v4 = era >= Era::L0;
                assert_eq!(s.tenants, if v4 { vec!["default_tenant".to_string()] } else { vec![] }, "{what}");
                assert_eq!(s.counts.tenants, v4.then_some(1), "{what}");
                assert!(s.flags.include_credentials, "{what}");
                if level == Level::Full {
                    assert_eq!(s.counts.events, Some(2), "{what}");
                    assert_eq!(s.counts.executions, Some(1), "{what}");
                }
            }
        }
    }
}

#[test]
fn tenants_and_counts_of_a_two_tenant_snapshot() {
    let bytes = Snapshot::new(Era::L6).tenants(&["default_tenant", "team-a"]).bytes();
    for level in [Level::Quick, Level::Full] {
        let r = run(&bytes, level);
        let s = r.snapshot();
        assert_eq!(s.tenants, ["default_tenant", "team-a"]);
        assert_eq!((s.counts.tenants, s.counts.blueprints, s.counts.deployments), (Some(2), Some(2), Some(2)));
        assert_eq!((s.counts.plugins, s.counts.agents), (Some(2), Some(2)));
        assert_eq!(secret(&r, SecretKind::AgentKey, "snapshot-credentials/*/agent_key"), Some(2));
        assert!(c_codes(&r).is_empty(), "{}", dump(&r));
    }
}

#[test]
fn broken_variants_raise_their_codes_and_only_those() {
    let mut seen = 0;
    for case in cases().into_iter().filter(|c| c.class.starts_with('C')) {
        seen += 1;
        let expect = set(case.expect);
        let full = run(&case.bytes, Level::Full);
        assert_eq!(c_codes(&full), expect, "{} {}\n{}", case.class, case.name, dump(&full));
        let quick = run(&case.bytes, Level::Quick);
        let quick_expect: BTreeSet<&str> = expect.iter().copied().filter(|c| !FULL_CODES.contains(c)).collect();
        assert_eq!(c_codes(&quick), quick_expect, "{} {} quick\n{}", case.class, case.name, dump(&quick));
        for code in &expect {
            let sev = full.findings().iter().find(|f| f.code.as_str() == *code).map(|f| f.severity);
            let default = Code::from_name(code).map(Code::default_severity);
            assert_eq!(sev, default, "{} {code}", case.name);
        }
    }
    assert!(seen >= 25, "{seen} C cases");
}

#[test]
fn security_cases_are_inventoried() {
    for case in cases()
        .into_iter()
        .filter(|c| (c.class.starts_with('S') && c.name.starts_with("legacy")) || c.name == "stage-db-url")
    {
        let r = run(&case.bytes, Level::Full);
        for code in case.expect {
            assert!(codes(&r).contains(code), "{} lacks {code}\n{}", case.name, dump(&r));
        }
    }
    // ≤ 4.3: secrets and tenant broker passwords in clear; 4.4+: encrypted.
    let r = run(&Snapshot::new(Era::L2).bytes(), Level::Full);
    assert_eq!(secret(&r, SecretKind::ClearSecret, "pg_data: secrets.value"), Some(1));
    assert_eq!(secret(&r, SecretKind::BrokerPassword, "pg_data: tenants.rabbitmq_password"), Some(1));
    assert_eq!(secret(&r, SecretKind::BrokerPassword, "agents.json: broker_pass"), Some(1));
    assert_eq!(secret(&r, SecretKind::EncryptionKey, "hash_salt.json"), Some(1));
    let r = run(&Snapshot::new(Era::L3).bytes(), Level::Full);
    assert_eq!(secret(&r, SecretKind::EncryptedSecret, "pg_data: secrets.value"), Some(1));
    assert_eq!(secret(&r, SecretKind::EncryptedSecret, "pg_data: agents.rabbitmq_password"), Some(1));
    assert_eq!(secret(&r, SecretKind::BrokerPassword, "agents.json: broker_pass"), None);
    assert_eq!(secret(&r, SecretKind::PrivateKey, "ssl/cloudify_internal.p12"), Some(1));
    // E0: the VM password in agents.json.
    let r = run(&Snapshot::new(Era::E0).bytes(), Level::Quick);
    assert_eq!(secret(&r, SecretKind::ClearSecret, "agents.json: password"), Some(1));
}

#[test]
fn no_secret_value_reaches_the_report() {
    let mut built = vec![canary_snapshot_legacy()];
    built.extend(LEGACY_ERAS.iter().map(|e| Snapshot::new(*e).build()));
    for b in built {
        let mut zip = b.zip.clone();
        // Break things so that every message path runs too.
        edit(&mut zip, "agents.json", |t| t.replacen("\"broker_config\"", "\"broker_conf\"", 1));
        for bytes in [b.zip.build(), zip.build()] {
            for level in [Level::Quick, Level::Full] {
                let json = run(&bytes, level).to_json().unwrap();
                for canary in &b.canaries {
                    assert!(!json.contains(canary.as_str()), "{canary} leaked");
                }
                assert!(!json.contains("CANARY"), "a canary leaked");
            }
        }
    }
}

#[test]
fn truncated_dump_is_found_only_by_the_full_pass() {
    let mut zip = Snapshot::new(Era::L6).zip();
    edit(&mut zip, "pg_data", |t| t[..t.find("0\tadmin").unwrap()].to_string());
    let bytes = zip.build();
    let quick = run(&bytes, Level::Quick);
    assert_eq!(quick.verdict(), Verdict::PassWithWarnings, "{}", dump(&quick));
    assert_eq!(messages(&quick, Code::QuickLimit).len(), 1);
    assert!(messages(&quick, Code::QuickLimit)[0].starts_with("pg_data ("));
    let full = run(&bytes, Level::Full);
    let m = messages(&full, Code::SqlDumpTruncated);
    assert_eq!(m.len(), 1, "{}", dump(&full));
    assert!(m[0].contains("table 'users'") && m[0].contains("dump complete"), "{}", m[0]);
    assert_eq!(
        full.findings().iter().find(|f| f.code == Code::SqlDumpTruncated).unwrap().path.as_deref(),
        Some("pg_data")
    );
    // Counts from a cut dump would mislead: they stay file-based.
    assert_eq!(full.snapshot().counts.users, None);
}

#[test]
fn long_rows_stream_through_bounded_lines() {
    let mut zip = Snapshot::new(Era::L5).zip();
    let big = "x".repeat(3 << 20);
    edit(&mut zip, "pg_data", |t| t.replace("\t{}\t{}\t", &format!("\t{big}\t{{}}\t")));
    let r = run(&zip.build(), Level::Full);
    assert_eq!(r.summary().errors, 0, "{}", dump(&r));
    assert!(c_codes(&r).is_empty(), "{}", dump(&r));
    assert_eq!(r.snapshot().counts.deployments, Some(1));
}

#[test]
fn es_data_lines_are_checked_and_counted() {
    let mut zip = Snapshot::new(Era::E2).zip();
    edit(&mut zip, "es_data", |t| t + "{\"_type\": \"widget\", \"_source\": {}}\n{\"_type\": \"node\"}\n");
    let r = run(&zip.build(), Level::Full);
    let m = messages(&r, Code::EsDataLineInvalid);
    assert_eq!(m.len(), 1, "{}", dump(&r));
    assert!(m[0].contains("2 of 11 lines") && m[0].contains("lines 10, 11"), "{}", m[0]);
    assert_eq!(r.snapshot().counts.events, Some(2));
    assert_eq!(r.snapshot().counts.deployments, Some(1));
}

#[test]
fn quick_phase_rules_on_small_members() {
    // C1 with the other era's payload.
    let mut zip = Snapshot::new(Era::L4).zip();
    zip.remove("pg_data");
    zip.entries.push(Entry::file("es_data", "{}\n"));
    let r = run(&zip.build(), Level::Quick);
    let m = messages(&r, Code::PayloadMissing);
    assert!(m.len() == 1 && m[0].contains("has es_data instead"), "{}", dump(&r));

    // C1: an empty dump is no pg_dump output.
    let mut zip = Snapshot::new(Era::L4).zip();
    zip.entry_mut("pg_data").data.clear();
    for level in [Level::Quick, Level::Full] {
        let r = run(&zip.build(), level);
        assert_eq!(messages(&r, Code::SqlDumpInvalid).len(), 1, "{level:?}\n{}", dump(&r));
    }

    // C5: networks other than `default` are previewed.
    let mut zip = Snapshot::new(Era::L5).zip();
    zip.entry_mut("networks.json").data = br#"{"active_networks": ["default", "private-net"]}"#.to_vec();
    let r = run(&zip.build(), Level::Quick);
    let m = messages(&r, Code::NetworksActive);
    assert!(m.len() == 1 && m[0].contains("'private-net'") && !m[0].contains("'default'"), "{}", dump(&r));

    // C6: a 64-byte (Fernet256) key is fine; a missing one is not.
    let key64 = format!("{}==", "QUJD".repeat(21) + "QU");
    let mut zip = Snapshot::new(Era::L6).zip();
    edit(&mut zip, "rest-security.conf", |t| {
        let mut v: serde_json::Value = serde_json::from_str(&t).unwrap();
        v["encryption_key"] = key64.clone().into();
        v.to_string()
    });
    assert!(c_codes(&run(&zip.build(), Level::Quick)).is_empty());
    edit(&mut zip, "rest-security.conf", |t| t.replace("\"encryption_key\"", "\"encryption_kee\""));
    let r = run(&zip.build(), Level::Quick);
    let m = messages(&r, Code::EncryptionKeyInvalid);
    assert!(m.len() == 1 && m[0].contains("is missing"), "{}", dump(&r));
    assert_eq!(r.findings().iter().find(|f| f.code == Code::EncryptionKeyInvalid).unwrap().severity, Severity::Warning);

    // C7: admin_account.json is parsed after trimming its leading space and blank lines.
    let r = run(&Snapshot::new(Era::L3).bytes(), Level::Quick);
    assert!(!codes(&r).contains("admin-account-invalid"));

    // C8 with a target: target.rs owns the prediction, no duplicate warning.
    let mut zip = Snapshot::new(Era::L5).zip();
    zip.remove("stage_data");
    let r = run_target(&zip.build(), Level::Quick, "5.1.0");
    assert!(!codes(&r).contains("stage-data-missing") && codes(&r).contains("target-file-required"), "{}", dump(&r));

    // C13: a 4.1+ folder without the tenant prefix.
    let mut zip = Snapshot::new(Era::L5).zip();
    zip.entries.push(Entry::file("snapshot-credentials/dep_vm/agent_key", "key"));
    let r = run(&zip.build(), Level::Quick);
    let m = messages(&r, Code::CredentialsLayout);
    assert!(m.len() == 1 && m[0].contains("'dep_vm'") && m[0].contains("<tenant>_"), "{}", dump(&r));

    // C14: restore's own intermediate dump.
    let mut zip = Snapshot::new(Era::L5).zip();
    zip.entries.push(Entry::file("pg_data.new", "--\n"));
    assert_eq!(messages(&run(&zip.build(), Level::Quick), Code::RestoreTimeFile).len(), 1);

    // C15: metrics are flagged and previewed.
    let mut zip = Snapshot::new(Era::L3).zip();
    zip.entries.push(Entry::file("influxdb_data", "{}\n"));
    let r = run(&zip.build(), Level::Quick);
    assert!(r.snapshot().flags.metrics && codes(&r).contains("influxdb-ignored"));

    // C2: E0 leaves may be `{}`; elsewhere they are KeyErrors.
    for (era, bad) in [(Era::E0, false), (Era::L0, true)] {
        let mut zip = Snapshot::new(era).zip();
        edit(&mut zip, "agents.json", |t| {
            let mut v: serde_json::Value = serde_json::from_str(&t).unwrap();
            let dep = v.as_object_mut().unwrap().values_mut().next().unwrap();
            dep["vm"]["never_started"] = serde_json::json!({});
            v.to_string()
        });
        let r = run(&zip.build(), Level::Quick);
        assert_eq!(codes(&r).contains("agents-shape"), bad, "{}\n{}", era.name(), dump(&r));
        assert_eq!(r.snapshot().counts.agents, Some(1));
    }
}

#[test]
fn wagons_and_blueprint_archives_are_sniffed_in_the_full_pass() {
    let wagon = |z: &ZipBuilder| z.entries.iter().position(|e| e.name.ends_with(b".wgn")).unwrap();
    let mut gz_not_tar = Snapshot::new(Era::L4).zip();
    let i = wagon(&gz_not_tar);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &[b'x'; 2048]).unwrap();
    gz_not_tar.entries[i].data = gz.finish().unwrap();
    let mut not_gz = Snapshot::new(Era::L4).zip();
    let i = wagon(&not_gz);
    not_gz.entries[i].data = b"not a wagon".to_vec();
    let mut blueprint = Snapshot::new(Era::L4).zip();
    let i = blueprint.entries.iter().position(|e| e.name.ends_with(b".tar.gz")).unwrap();
    blueprint.entries[i].data = b"<html>502 Bad Gateway</html>".to_vec();
    for (zip, needle) in [(gz_not_tar, "holds no tar"), (not_gz, "not a gzip"), (blueprint, "not a zip, gzip")] {
        let bytes = zip.build();
        assert!(!codes(&run(&bytes, Level::Quick)).contains("nested-archive-invalid"));
        let r = run(&bytes, Level::Full);
        let m = messages(&r, Code::NestedArchiveInvalid);
        assert!(m.len() == 1 && m[0].contains(needle), "{}", dump(&r));
    }
}
