//! New-format payload rules (N0, N1; spec §9 D1–D13, S1, F) on archives from the
//! `snapshot-tests` generator: the valid eras, one broken variant per rule, and the canary rule.

use serde_json::{Value, json};
use snapshot_core::report::ContentCounts;
use snapshot_core::{Level, Limits, Options, Report, Severity, verify};
use snapshot_tests::cloudify::{Era, Snapshot, base64, canary_snapshot_new, envelope, py_json};
use snapshot_tests::hostile;
use snapshot_tests::zipw::{Entry, ZipBuilder};

const T: &str = "tenants/default_tenant/";

/// A 7.0.4 snapshot of two tenants (default_tenant: hello-world; team-a: nodecellar).
fn n1() -> ZipBuilder {
    Snapshot::new(Era::N1).tenants(&["default_tenant", "team-a"]).zip()
}

fn n0() -> ZipBuilder {
    Snapshot::new(Era::N0).tenants(&["default_tenant", "team-a"]).zip()
}

fn check(z: &ZipBuilder) -> Report {
    check_with(z, &Options::default())
}

fn check_with(z: &ZipBuilder, opts: &Options) -> Report {
    verify(&z.build(), opts).expect("verification runs")
}

fn with(mut z: ZipBuilder, f: impl FnOnce(&mut ZipBuilder)) -> ZipBuilder {
    f(&mut z);
    z
}

fn set(z: &mut ZipBuilder, name: &str, data: impl Into<Vec<u8>>) {
    z.entry_mut(name).data = data.into();
}

fn edit_json(z: &mut ZipBuilder, name: &str, f: impl FnOnce(&mut Value)) {
    let e = z.entry_mut(name);
    let mut v: Value = serde_json::from_slice(&e.data).expect("fixture JSON");
    f(&mut v);
    e.data = py_json(&v).into_bytes();
}

/// The findings with `code`, as (severity, path, message).
fn found(r: &Report, code: &str) -> Vec<(Severity, Option<String>, String)> {
    r.findings()
        .iter()
        .filter(|f| f.code.as_str() == code)
        .map(|f| (f.severity, f.path.clone(), f.message.clone()))
        .collect()
}

/// Asserts exactly one finding of `code`, with `severity`, at `path`; returns its message.
fn one(r: &Report, code: &str, severity: Severity, path: Option<&str>) -> String {
    let hits = found(r, code);
    assert_eq!(hits.len(), 1, "expected one {code}, got {hits:#?}\n{}", r.to_json().unwrap());
    let (sev, at, message) = hits.into_iter().next().expect("one");
    assert_eq!((sev, at.as_deref()), (severity, path), "{code}: {message}");
    message
}

fn counts(r: &Report) -> [Option<u64>; 9] {
    let ContentCounts { tenants, blueprints, deployments, plugins, agents, secrets, users, executions, events } =
        r.snapshot().counts.clone();
    [tenants, blueprints, deployments, plugins, agents, secrets, users, executions, events]
}

/// Two tenants, each with one blueprint, deployment, plugin, agent, execution and event and two
/// secrets; one user.
const FULL_COUNTS: [Option<u64>; 9] = [Some(2), Some(2), Some(2), Some(2), Some(2), Some(4), Some(1), Some(2), Some(2)];

#[test]
fn valid_n1_is_clean_with_exact_counts() {
    for level in [Level::Quick, Level::Full] {
        let r = check_with(&n1(), &Options { level, ..Options::default() });
        assert_eq!(r.summary().errors, 0, "{}", r.to_json().unwrap());
        let warnings: Vec<&str> =
            r.findings().iter().filter(|f| f.severity == Severity::Warning).map(|f| f.code.as_str()).collect();
        assert_eq!(warnings, ["secrets-in-clear"]);
        assert!(found(&r, "unexpected-file").is_empty() && found(&r, "quick-limit").is_empty());
        assert_eq!(r.snapshot().era.as_ref().map(|e| e.id), Some("N1"));
        assert_eq!(r.snapshot().tenants, ["default_tenant", "team-a"]);
        assert_eq!(counts(&r), FULL_COUNTS);
    }
}

#[test]
fn valid_n0_is_clean_but_only_for_7_0_0() {
    let r = check(&n0());
    assert_eq!(r.summary().errors, 0, "{}", r.to_json().unwrap());
    assert_eq!(r.snapshot().era.as_ref().map(|e| e.id), Some("N0"));
    one(&r, "new-format-variant", Severity::Warning, None);
    assert!(found(&r, "unexpected-file").is_empty(), "{}", r.to_json().unwrap());
    assert_eq!(r.snapshot().tenants, ["default_tenant", "team-a"]);
    assert_eq!(counts(&r), FULL_COUNTS);
    assert!(found(&check(&n1()), "new-format-variant").is_empty());
}

#[test]
fn counts_dedup_across_files_like_restore() {
    // The audit-log append writes changed entities again to later files: counted once.
    let z = with(n1(), |z| {
        let blueprints = z.entry_mut(&format!("{T}00000004.json")).data.clone();
        let events = z.entry_mut(&format!("{T}00000010.json")).data.clone();
        z.entries.push(Entry::file(format!("{T}00000012.json"), blueprints));
        z.entries.push(Entry::file(format!("{T}00000013.json"), events));
    });
    assert_eq!(counts(&check(&z)), FULL_COUNTS);
    // The same ids in another tenant are other entities.
    let z = with(n1(), |z| {
        let secrets = z.entry_mut(&format!("{T}00000003.json")).data.clone();
        z.entries.push(Entry::file("tenants/team-a/00000012.json", secrets));
    });
    assert_eq!(check(&z).snapshot().counts.secrets, Some(6));
}

#[test]
fn d2_tenant_discovery_follows_directory_entries() {
    let r = check(&with(n1(), |z| drop(z.remove("tenants/team-a/"))));
    let m = one(&r, "tenant-dir-missing", Severity::Error, Some("tenants/team-a/"));
    assert!(m.contains("silently skips"), "{m}");
    // Restore never reads team-a: its entities are not counted, and not cross-checked.
    assert_eq!(r.snapshot().tenants, ["default_tenant"]);
    assert_eq!(r.snapshot().counts.blueprints, Some(1));
    assert!(found(&r, "blueprint-archive-missing").is_empty());

    let r = check(&with(n1(), |z| z.entries.push(Entry::dir("tenants/empty-tenant/"))));
    one(&r, "tenant-empty", Severity::Warning, Some("tenants/empty-tenant/"));
    assert_eq!(r.snapshot().tenants, ["default_tenant", "empty-tenant", "team-a"]);
}

#[test]
fn d3_envelopes_have_type_and_items() {
    for (data, why) in [
        ("[1, 2]", "a JSON array"),
        ("{\"type\": \"sites\", \"items\": [", "not valid JSON"),
        ("{\"items\": []}", "no string 'type'"),
        ("{\"type\": \"sites\"}", "no 'items'"),
        ("{\"type\": \"sites\", \"items\": {}}", "not a list"),
    ] {
        let r = check(&with(n1(), |z| set(z, &format!("{T}00000001.json"), data)));
        let m = one(&r, "envelope-invalid", Severity::Error, Some(&format!("{T}00000001.json")));
        assert!(m.contains(why), "{data}: {m}");
    }
    // Stage and Composer `configuration` holds an object; every other UI dump a list.
    let r = check(&with(n1(), |z| set(z, "stage/configuration.json", envelope("configuration", &json!([])))));
    one(&r, "envelope-invalid", Severity::Error, Some("stage/configuration.json"));
    let r = check(&with(n1(), |z| set(z, "stage/pages.json", envelope("pages", &json!({})))));
    one(&r, "envelope-invalid", Severity::Error, Some("stage/pages.json"));
}

#[test]
fn d4_unknown_and_misplaced_types_are_ignored() {
    let r = check(&with(n1(), |z| {
        z.entries.push(Entry::file(format!("{T}00000012.json"), envelope("widgets", &json!([{"id": "w"}]))));
    }));
    let m = one(&r, "envelope-unknown-type", Severity::Warning, Some(&format!("{T}00000012.json")));
    assert!(m.contains("'widgets'") && m.contains("ignores"), "{m}");

    let r = check(&with(n1(), |z| {
        let bp = json!([{"id": "x", "main_file_name": "b.yaml"}]);
        z.entries.push(Entry::file("mgmt/00000005.json", envelope("blueprints", &bp)));
        z.entries.push(Entry::file(format!("{T}00000012.json"), envelope("users", &json!([{"username": "u"}]))));
    }));
    assert_eq!(found(&r, "envelope-unknown-type").len(), 2);
    // Ignored dumps are not counted.
    assert_eq!(counts(&r), FULL_COUNTS);
}

#[test]
fn d5_items_have_dedup_keys_and_required_fields() {
    let path = format!("{T}00000004.json");
    let r = check(&with(n1(), |z| {
        edit_json(z, &path, |v| drop(v["items"][0].as_object_mut().expect("item").remove("main_file_name")));
    }));
    let m = one(&r, "envelope-item-invalid", Severity::Error, Some(&path));
    assert!(m.contains("1 of 1 'blueprints' items") && m.contains("'main_file_name'"), "{m}");

    let plugins = format!("{T}00000002.json");
    let r = check(&with(n1(), |z| {
        edit_json(z, &plugins, |v| {
            let item = v["items"][0].as_object_mut().expect("item");
            item.remove("uploaded_at");
            item.remove("title");
        })
    }));
    assert_eq!(found(&r, "envelope-item-invalid").len(), 2);

    let secrets = format!("{T}00000003.json");
    let r = check(&with(n1(), |z| {
        edit_json(z, &secrets, |v| drop(v["items"][1].as_object_mut().expect("item").remove("key")));
    }));
    let m = one(&r, "envelope-item-invalid", Severity::Error, Some(&secrets));
    assert!(m.contains("1 of 2 'secrets' items") && m.contains("'key'"), "{m}");
    assert!(!m.contains("CANARY"), "{m}");

    let r = check(&with(n1(), |z| set(z, "mgmt/00000002.json", envelope("permissions", &json!([{"role": "x"}, 7])))));
    assert_eq!(found(&r, "envelope-item-invalid").len(), 2);
}

#[test]
fn d6_d7_blueprint_and_plugin_archives() {
    let bp = format!("{T}blueprints/hello-world.tar.gz");
    let r = check(&with(n1(), |z| drop(z.remove(&bp))));
    let m = one(&r, "blueprint-archive-missing", Severity::Error, Some(&bp));
    assert!(m.contains("'hello-world'") && m.contains("'default_tenant'"), "{m}");

    let r = check(&with(n1(), |z| z.remove_prefix(&format!("{T}plugins/"))));
    let hits = found(&r, "plugin-archive-missing");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].1.as_deref().is_some_and(|p| p.starts_with(&format!("{T}plugins/")) && p.ends_with(".zip")));

    // 7.0.0 looks for blueprints_archives/<id>.zip whatever the bytes are.
    let r = check(&with(n0(), |z| {
        z.entry_mut(&format!("{T}blueprints_archives/hello-world.zip")).name =
            format!("{T}blueprints_archives/hello-world.tar.gz").into_bytes();
    }));
    let m =
        one(&r, "blueprint-archive-missing", Severity::Error, Some(&format!("{T}blueprints_archives/hello-world.zip")));
    assert!(
        m.contains("blueprints_archives/hello-world.tar")
            && m.contains("is there, but restore looks only for the .zip name"),
        "{m}"
    );

    // The archives are sniffed: a blueprint must be zip/tar/gzip/bzip2, a plugin a whole zip.
    let r = check(&with(n1(), |z| set(z, &bp, "blueprint.yaml text, not an archive")));
    one(&r, "nested-archive-invalid", Severity::Warning, Some(&bp));
    let plugin = |z: &mut ZipBuilder| {
        let e = z.entries.iter_mut().find(|e| e.name.starts_with(format!("{T}plugins/").as_bytes()) && !e.is_dir());
        e.expect("plugin zip").data = b"PK\x03\x04 but not really a zip".to_vec();
    };
    let r = check(&with(n1(), plugin));
    let (_, _, m) = found(&r, "nested-archive-invalid").pop().expect("finding");
    assert!(m.contains("no end record"), "{m}");
}

#[test]
fn d8_deployment_workdirs_are_base64_zips() {
    let path = format!("{T}deployments/hello-world-dep.b64zip");
    for (data, why) in [
        ("!!! not base64 !!!".to_string(), "not ASCII base64"),
        ("UEsDBA=".to_string(), "incorrect padding"),
        (base64(b"plain text", false), "not a zip"),
        (String::new(), "empty"),
    ] {
        let r = check(&with(n1(), |z| set(z, &path, data.clone())));
        let m = one(&r, "nested-archive-invalid", Severity::Warning, Some(&path));
        assert!(m.contains(why), "{data:?}: {m}");
    }
    // The empty workdir zip (which the creator skips writing) and wrapped base64 are fine.
    let empty = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==";
    let wrapped = |z: &mut ZipBuilder| {
        let text = String::from_utf8(z.entry_mut(&path).data.clone()).expect("ascii");
        let lines: Vec<String> = text.as_bytes().chunks(76).map(|l| String::from_utf8_lossy(l).into_owned()).collect();
        set(z, &path, lines.join("\n") + "\n");
    };
    for z in [with(n1(), |z| set(z, &path, empty)), with(n1(), wrapped)] {
        assert!(found(&check(&z), "nested-archive-invalid").is_empty());
    }
}

/// Archives over 1 MiB are only sniffed: their first bytes inflated, base64 decoded as a prefix.
#[test]
fn d6_d8_large_archives_are_sniffed() {
    let mut x = 0x2545_f491_u32;
    let noise: Vec<u8> = (0..1_600_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let workdir = ZipBuilder::with(vec![Entry::file("disk.bin", noise).stored()]).build();
    let path = format!("{T}deployments/hello-world-dep.b64zip");
    let bp = format!("{T}blueprints/hello-world.tar.gz");
    let big = with(n1(), |z| set(z, &path, base64(&workdir, false)));
    assert!(found(&check(&big), "nested-archive-invalid").is_empty());
    let r = check(&with(big, |z| {
        set(z, &path, format!("#{}", base64(&workdir, false)));
        set(z, &bp, "not a tarball ".repeat(100_000));
    }));
    let hits = found(&r, "nested-archive-invalid");
    assert_eq!(hits.len(), 2, "{hits:#?}");
    assert!(hits.iter().any(|h| h.1.as_deref() == Some(bp.as_str()) && h.2.contains("not a zip, gzip")));
}

#[test]
fn d9_composer_needs_one_metadata_and_one_snapshot() {
    let r = check(&with(n1(), |z| drop(z.remove("composer/blueprints.json"))));
    let m = one(&r, "composer-blueprints-count", Severity::Error, Some("composer/"));
    assert!(m.contains("\"Cannot find blueprints' metadata in composer snapshot.\""), "{m}");

    let extra = Entry::file("composer/blueprints.tgz", b"\x1f\x8b...".to_vec());
    let r = check(&n1().push(extra));
    let m = one(&r, "composer-blueprints-count", Severity::Error, Some("composer/"));
    assert!(m.contains("\"Cannot find blueprints' snapshot in composer snapshot.\""), "{m}");

    // Community snapshots have no composer/ at all.
    let r = check(&with(n1(), |z| z.remove_prefix("composer/")));
    assert!(found(&r, "composer-blueprints-count").is_empty());
}

#[test]
fn d10_stage_entities_and_tenants() {
    let r = check(&n1().push(Entry::file("stage/unknown-entity.json", envelope("unknown-entity", &json!([])))));
    one(&r, "stage-entry-unexpected", Severity::Warning, Some("stage/unknown-entity.json"));

    let r = check(&n1().push(Entry::file("stage/ghost/ua.json", envelope("ua", &json!([])))));
    let m = one(&r, "stage-entry-unexpected", Severity::Warning, Some("stage/ghost/"));
    assert!(m.contains("not a tenant"), "{m}");

    let r = check(&n1().push(Entry::file("stage/pages/ua.json", envelope("ua", &json!([])))));
    let m = one(&r, "stage-entry-unexpected", Severity::Warning, Some("stage/pages/"));
    assert!(m.contains("named like a Stage entity"), "{m}");

    let r = check(&n1().push(Entry::file("stage/default_tenant/x/ua.json", envelope("ua", &json!([])))));
    one(&r, "stage-entry-unexpected", Severity::Warning, Some("stage/default_tenant/x/ua.json"));
}

#[test]
fn d11_sub_entity_and_event_dumps_name_their_source() {
    let nodes = format!("{T}00000006.json");
    let r = check(&with(n1(), |z| edit_json(z, &nodes, |v| drop(v.as_object_mut().expect("env").remove("source_id")))));
    let m = one(&r, "envelope-source-missing", Severity::Warning, Some(&nodes));
    assert!(m.contains("'nodes'") && m.contains("source_id"), "{m}");

    let events = format!("{T}00000010.json");
    let r = check(&with(n1(), |z| edit_json(z, &events, |v| v["source"] = json!("deployments"))));
    let m = one(&r, "envelope-source-missing", Severity::Warning, Some(&events));
    assert!(m.contains("source (executions or execution_groups)"), "{m}");

    // N0 names the source in the file name instead.
    assert!(found(&check(&n0()), "envelope-source-missing").is_empty());
}

#[test]
fn d12_references_resolve() {
    let deps = format!("{T}00000005.json");
    let r = check(&with(n1(), |z| edit_json(z, &deps, |v| v["items"][0]["blueprint_id"] = json!("missing-bp"))));
    let m = one(&r, "dangling-reference", Severity::Warning, None);
    assert!(m.contains("'hello-world-dep'") && m.contains("'missing-bp'"), "{m}");

    // A global blueprint of another tenant is usable.
    let r = check(&with(n1(), |z| {
        edit_json(z, &deps, |v| v["items"][0]["blueprint_id"] = json!("nodecellar"));
        edit_json(z, "tenants/team-a/00000004.json", |v| v["items"][0]["visibility"] = json!("global"));
    }));
    assert!(found(&r, "dangling-reference").is_empty(), "{}", r.to_json().unwrap());

    let r = check(&with(n1(), |z| edit_json(z, &format!("{T}00000007.json"), |v| v["source_id"] = json!("gone-dep"))));
    let m = one(&r, "dangling-reference", Severity::Warning, None);
    assert!(m.contains("'gone-dep'"), "{m}");

    // Capped: five findings and one count of the rest.
    let r = check(&with(n1(), |z| {
        edit_json(z, &deps, |v| {
            let item = v["items"][0].clone();
            let items: Vec<Value> = (0..9)
                .map(|k| {
                    let mut i = item.clone();
                    i["id"] = json!(format!("dep-{k}"));
                    i["blueprint_id"] = json!(format!("bp-{k}"));
                    i
                })
                .collect();
            v["items"] = Value::Array(items);
        })
    }));
    let hits = found(&r, "dangling-reference");
    assert_eq!(hits.len(), 6, "{hits:#?}");
    assert!(
        hits.iter().any(|h| h.1.is_none() && h.2.contains("5 more dangling-reference findings like the ones above")),
        "{hits:#?}"
    );
}

#[test]
fn d13_paths_restore_does_not_classify() {
    let r = check(&n1().push(Entry::file("notes.txt", "remember\n")));
    one(&r, "unexpected-file", Severity::Info, Some("notes.txt"));
    // N0 layout leftovers on an N1 archive.
    let r = check(&n1().push(Entry::file("mgmt/users/0.json", envelope("users", &json!([])))));
    let m = one(&r, "unexpected-file", Severity::Info, Some("mgmt/users/0.json"));
    assert!(m.contains("N0-style"), "{m}");
    let r = check(&n1().push(Entry::file(format!("{T}blueprints_archives/x.zip"), b"PK".to_vec())));
    one(&r, "unexpected-file", Severity::Info, Some(&format!("{T}blueprints_archives/x.zip")));
    // And N1 leftovers on an N0 archive.
    let r = check(&n0().push(Entry::file(format!("{T}sites.json"), envelope("sites", &json!([])))));
    one(&r, "unexpected-file", Severity::Info, Some(&format!("{T}sites.json")));
}

#[test]
fn budget_makes_counts_lower_bounds() {
    let opts = Options { limits: Limits { quick_json_budget: 4000, ..Limits::default() }, ..Options::default() };
    let r = check_with(&n1(), &opts);
    let m = one(&r, "quick-limit", Severity::Info, None);
    assert!(m.contains("lower bounds") && m.contains("D12: skipped"), "{m}");
    let c = counts(&r);
    assert!(c.iter().zip(FULL_COUNTS).all(|(a, b)| a <= &b) && c != FULL_COUNTS, "{c:?}");
    assert_eq!(r.summary().errors, 0, "{}", r.to_json().unwrap());
}

#[test]
fn secrets_are_inventoried_and_never_echoed() {
    let built = canary_snapshot_new();
    assert!(built.canaries.len() >= 8);
    // The valid archive, and broken ones whose findings name files, types and fields.
    let broken = with(built.zip.clone(), |z| {
        edit_json(z, &format!("{T}00000003.json"), |v| {
            v["items"][0].as_object_mut().expect("secret").remove("key");
        });
        edit_json(z, "mgmt/00000004.json", |v| drop(v["items"][0].as_object_mut().expect("user").remove("username")));
        edit_json(z, "mgmt/00000001.json", |v| v["type"] = v["items"][0]["rabbitmq_password"].clone());
    });
    for z in [&built.zip, &broken] {
        for level in [Level::Quick, Level::Full] {
            let r = check_with(z, &Options { level, ..Options::default() });
            let text = r.to_json().unwrap();
            assert!(!text.contains("CANARY-"), "a planted value leaked:\n{text}");
            assert!(!text.contains("pbkdf2"), "a hash leaked");
        }
    }
    let r = check(&built.zip);
    let kinds: Vec<(&str, String, u64)> = r
        .security()
        .items
        .iter()
        .map(|i| (serde_json::to_value(i.kind).ok().and_then(|v| v.as_str().map(str::to_owned)), i))
        .map(|(k, i)| (if k.as_deref() == Some("clear-secret") { "clear" } else { "other" }, i.path.clone(), i.count))
        .collect();
    assert!(kinds.contains(&("clear", format!("{T}00000003.json: secrets"), 2)), "{kinds:?}");
    let paths: Vec<&str> = r.security().items.iter().map(|i| i.path.as_str()).collect();
    for p in [
        "mgmt/00000001.json: tenants.rabbitmq_password",
        "mgmt/00000004.json: users.password_hash",
        "tenants/default_tenant/00000008.json: agents.rabbitmq_password",
        "tenants/default_tenant/00000007.json: node_instances.broker_pass",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
    one(&r, "secrets-in-clear", Severity::Warning, None);
    one(&r, "password-hashes", Severity::Info, None);
}

/// The shared corpus: every D case and the new-format nested-archive case raise their codes.
#[test]
fn hostile_new_format_cases() {
    let cases: Vec<_> =
        hostile::cases().into_iter().filter(|c| c.class.starts_with('D') || c.name == "plugin-zip-garbage").collect();
    assert!(cases.len() >= 20, "{} D cases", cases.len());
    for case in cases {
        let level = if case.full { Level::Full } else { Level::Quick };
        let r = verify(&case.bytes, &Options { level, ..Options::default() }).expect("runs");
        for code in case.expect {
            assert!(
                r.findings().iter().any(|f| f.code.as_str() == *code),
                "{}: expected {code}\n{}",
                case.name,
                r.to_json().unwrap()
            );
        }
    }
}
