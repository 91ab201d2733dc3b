use super::*;
use crate::{Options, Verifier};
use snapshot_tests::cloudify::{Era, Snapshot, sample};
use snapshot_tests::zipw::{Entry, ZipBuilder};

/// The report and entries of `bytes` at the quick level.
fn side(bytes: &[u8]) -> (Report, Vec<EntryInfo>) {
    let v = Verifier::new(&bytes, Options::default()).unwrap();
    let entries = v.entries();
    (v.finish(&bytes), entries)
}

fn compare(old: &[u8], new: &[u8], opts: &DiffOptions) -> Diff {
    let (a, ea) = side(old);
    let (b, eb) = side(new);
    diff(Side { report: &a, entries: &ea }, Side { report: &b, entries: &eb }, opts)
}

#[test]
fn identical_inputs_have_no_differences() {
    let bytes = sample().bytes();
    let d = compare(&bytes, &bytes, &DiffOptions { drop_percent: Some(1.0), ..DiffOptions::default() });
    assert!(d.identical, "{d:#?}");
    assert_eq!(d.differences, 0);
    assert!(!d.has_losses());
    assert_eq!(d.container.unchanged, d.old.entries);
    assert!(d.counts.iter().all(|c| !c.changed()));
}

#[test]
fn a_removed_tenant_is_a_loss_with_its_counts() {
    let old = Snapshot::new(Era::L6).tenants(&["default_tenant", "team-a"]).bytes();
    let new = Snapshot::new(Era::L6).tenants(&["default_tenant"]).bytes();
    let d = compare(&old, &new, &DiffOptions { drop_percent: Some(50.0), ..DiffOptions::default() });
    assert!(!d.identical);
    assert_eq!(d.tenants.removed, ["team-a"]);
    assert!(d.tenants.added.is_empty());
    assert_eq!(d.tenants.kept, 1);
    let team_a: Vec<_> = d.tenant_counts.iter().filter(|c| c.tenant.as_deref() == Some("team-a")).collect();
    assert!(team_a.iter().any(|c| c.kind == "deployments" && c.old == Some(1) && c.new == Some(0)), "{team_a:#?}");
    assert!(team_a.iter().all(|c| c.drop_percent == Some(100.0)));
    let tenants = d.counts.iter().find(|c| c.kind == "tenants").unwrap();
    assert_eq!(
        (tenants.old, tenants.new, tenants.delta, tenants.drop_percent),
        (Some(2), Some(1), Some(-1), Some(50.0))
    );
    let losses = d.losses.as_ref().unwrap();
    assert_eq!(losses.tenants_removed, ["team-a"]);
    assert!(losses.dropped.iter().any(|c| c.kind == "tenants"));
    assert!(d.container.removed > 0 && d.container.added == 0);
    // A threshold above the drop lists the tenant, but not the 50 % drop.
    let d = compare(&old, &new, &DiffOptions { drop_percent: Some(60.0), ..DiffOptions::default() });
    let losses = d.losses.unwrap();
    assert_eq!(losses.tenants_removed, ["team-a"]);
    assert!(!losses.dropped.iter().any(|c| c.kind == "tenants"));
}

#[test]
fn dropped_deployments_are_counted_per_tenant() {
    let old = Snapshot::new(Era::N1).tenants(&["default_tenant", "team-a"]).zip();
    let mut new = old.clone();
    new.remove_prefix("tenants/team-a/deployments/");
    let d = compare(&old.build(), &new.build(), &DiffOptions { drop_percent: Some(10.0), ..DiffOptions::default() });
    assert!(d.tenants.removed.is_empty());
    let dep = d.tenant_counts.iter().find(|c| c.kind == "deployments").expect("a deployment count changed");
    assert_eq!((dep.tenant.as_deref(), dep.old, dep.new), (Some("team-a"), Some(1), Some(0)));
    assert!(d.has_losses());
    assert!(d.container.removed_entries.iter().all(|e| e.name.starts_with("tenants/team-a/deployments/")));
}

#[test]
fn same_size_crc_changes_are_called_out_first() {
    let mut zip = ZipBuilder::new();
    for i in 0..10 {
        zip = zip.push(Entry::file(format!("f{i}.txt"), format!("content number {i}")));
    }
    let old = zip.clone();
    let mut new = zip;
    new.entry_mut("f1.txt").data = b"content longer than before".to_vec();
    new.entry_mut("f7.txt").data = b"content NUMBER 7".to_vec();
    let f8 = new.entry_mut("f8.txt");
    *f8 = f8.clone().stored();
    new.entries.push(Entry::file("added.txt", "x"));
    new.remove("f9.txt");
    let d = compare(&old.build(), &new.build(), &DiffOptions { max_listed: 2, ..DiffOptions::default() });
    let c = &d.container;
    assert_eq!((c.added, c.removed, c.changed, c.same_size_crc_changed, c.unchanged), (1, 1, 3, 1, 6));
    assert_eq!(c.changed_entries.len(), 2);
    assert_eq!(c.changed_entries[0].name, "f7.txt");
    assert!(c.changed_entries[0].same_size_crc_changed);
    assert_eq!(c.changed_entries[0].fields, ["crc32"]);
    assert_eq!(c.changed_entries[1].name, "f1.txt");
    assert_eq!(c.unlisted, 1);
    assert_eq!(c.added_entries[0].name, "added.txt");
    assert_eq!(c.removed_entries[0].name, "f9.txt");
}

#[test]
fn duplicate_names_match_occurrence_by_occurrence() {
    let zip = ZipBuilder::new().push(Entry::file("a", "1")).push(Entry::file("a", "2"));
    let more = zip.clone().push(Entry::file("a", "3"));
    let d = compare(&zip.build(), &more.build(), &DiffOptions::default());
    assert_eq!((d.container.added, d.container.removed, d.container.unchanged), (1, 0, 2));
}

#[test]
fn a_version_upgrade_changes_the_version_fields() {
    let old = Snapshot::new(Era::N1).version("7.0.1").bytes();
    let new = Snapshot::new(Era::N1).version("7.0.4").bytes();
    let d = compare(&old, &new, &DiffOptions::default());
    let v = d.fields.iter().find(|f| f.field == "snapshot_version").expect("the version changed");
    assert_eq!((v.old.as_deref(), v.new.as_deref()), (Some("7.0.1"), Some("7.0.4")));
    let legacy = Snapshot::new(Era::L6).bytes();
    let d = compare(&legacy, &new, &DiffOptions::default());
    let fields: Vec<&str> = d.fields.iter().map(|f| f.field).collect();
    assert!(fields.contains(&"era") && fields.contains(&"format"), "{fields:?}");
    assert_eq!(d.old.era, Some("L6"));
    assert_eq!(d.new.era, Some("N1"));
}

#[test]
fn new_secrets_and_new_findings_are_listed() {
    let old = sample().zip();
    let mut new = old.clone();
    new.entries.push(Entry::file(
        "ssl/extra_key.pem",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
    ));
    new.entries.push(Entry::file("../evil.txt", "x"));
    let d = compare(&old.build(), &new.build(), &DiffOptions::default());
    assert!(d.secrets.added.iter().any(|s| s.path == "ssl/extra_key.pem"), "{:#?}", d.secrets);
    assert!(d.secrets.new_total > d.secrets.old_total);
    assert!(d.findings.new.iter().any(|f| f.path.as_deref() == Some("../evil.txt")), "{:#?}", d.findings);
    assert!(d.findings.resolved.is_empty(), "{:#?}", d.findings.resolved);
    // And the other way round they are resolved.
    let d = compare(&new.build(), &old.build(), &DiffOptions::default());
    assert!(d.findings.resolved.iter().any(|f| f.path.as_deref() == Some("../evil.txt")));
    assert!(d.secrets.removed.iter().any(|s| s.path == "ssl/extra_key.pem"));
}

#[test]
fn the_json_is_stable_and_names_its_schema() {
    let bytes = sample().bytes();
    let json: serde_json::Value =
        serde_json::from_str(&compare(&bytes, &bytes, &DiffOptions::default()).to_json().unwrap()).unwrap();
    assert_eq!(json["schema"], "snapshot-verify-diff");
    assert_eq!(json["schema_version"], DIFF_SCHEMA_VERSION);
    assert_eq!(json["identical"], true);
    assert!(json["losses"].is_null());
}

#[test]
fn reordered_entries_match_by_name() {
    let old = ZipBuilder::new().push(Entry::file("x", "1")).push(Entry::file("a", "2")).push(Entry::file("a", "3"));
    let new = ZipBuilder::new().push(Entry::file("a", "2")).push(Entry::file("a", "3")).push(Entry::file("y", "4"));
    let d = compare(&old.build(), &new.build(), &DiffOptions::default());
    let c = &d.container;
    assert_eq!((c.added, c.removed, c.unchanged), (1, 1, 2), "{c:#?}");
    assert_eq!((c.added_entries[0].name.as_str(), c.removed_entries[0].name.as_str()), ("y", "x"));
}

#[test]
fn every_entry_is_counted_once_whatever_the_order() {
    let info = |i: usize, name: String, crc: u32| EntryInfo {
        index: i,
        name,
        method: 8,
        crc32: crc,
        compressed_size: 1,
        uncompressed_size: 1,
        is_dir: false,
        readable: true,
    };
    let mut seed = 0x2545_f491_u32;
    let mut next = |m: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed % m
    };
    for _ in 0..300 {
        let (n, m) = (next(12) as usize, next(12) as usize);
        let old: Vec<EntryInfo> = (0..n).map(|i| info(i, format!("e{}", next(6)), next(2))).collect();
        let new: Vec<EntryInfo> = (0..m).map(|i| info(i, format!("e{}", next(6)), next(2))).collect();
        let c = container::compare(&old, &new, 1000);
        assert_eq!(c.added + c.changed + c.unchanged, m as u64, "{old:?} {new:?}");
        assert_eq!(c.removed + c.changed + c.unchanged, n as u64, "{old:?} {new:?}");
        // Names in NEW only are added, names in OLD only removed; a shared name pairs.
        for e in &c.added_entries {
            let (in_old, in_new) =
                (old.iter().filter(|o| o.name == e.name).count(), new.iter().filter(|o| o.name == e.name).count());
            assert!(in_new > in_old, "{} added with {in_old} old and {in_new} new", e.name);
        }
        let same = container::compare(&old, &old, 1000);
        assert_eq!((same.unchanged, same.added, same.removed), (n as u64, 0, 0));
    }
}
