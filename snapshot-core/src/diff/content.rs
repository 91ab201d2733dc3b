//! The snapshots: fields, tenants, counts, the secret inventory and findings.

use super::{CountChange, FieldChange, FindingRef, SecretChange, SecretsDiff, TenantDiff};
use crate::EntryInfo;
use crate::report::{ContentCounts, Finding, Report, SecretKind};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Scalar fields of the two reports that differ.
pub(super) fn fields(old: &Report, new: &Report) -> Vec<FieldChange> {
    let all = |r: &Report| -> Vec<(&'static str, Option<String>)> {
        let s = r.snapshot();
        let m = &s.metadata;
        let target = s.compatibility.target.as_ref();
        vec![
            ("verdict", Some(r.verdict().as_str().to_owned())),
            ("is_snapshot", Some(s.is_snapshot.to_string())),
            ("era", s.era.as_ref().map(|e| e.id.to_owned())),
            ("format", s.era.as_ref().map(|e| e.format.to_owned())),
            ("snapshot_version", s.snapshot_version.clone()),
            ("schema_revision", m.schema_revision.clone()),
            ("stage_schema_revision", m.stage_schema_revision.clone()),
            ("composer_schema_revision", m.composer_schema_revision.clone()),
            ("flags.include_credentials", Some(s.flags.include_credentials.to_string())),
            ("flags.metrics", Some(s.flags.metrics.to_string())),
            ("flags.events_excluded", s.flags.events_excluded.map(|b| b.to_string())),
            ("flags.logs_excluded", s.flags.logs_excluded.map(|b| b.to_string())),
            ("zip64", r.archive().map(|a| a.zip64.to_string())),
            ("accepted_by", Some(accepted_by(r))),
            ("target.outcome", target.and_then(|t| serde_json::to_value(t.outcome).ok()?.as_str().map(str::to_owned))),
            ("target.restorable", target.map(|t| t.restorable.to_string())),
        ]
    };
    all(old)
        .into_iter()
        .zip(all(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, old), (_, new))| FieldChange { field, old, new })
        .collect()
}

/// The accepting version ranges as one line (`4.0.0–7.0.4; 7.1.0–`).
fn accepted_by(r: &Report) -> String {
    let ranges: Vec<String> = r
        .snapshot()
        .compatibility
        .accepted_by
        .iter()
        .map(|v| format!("{}–{}", v.from.as_deref().unwrap_or(""), v.to.as_deref().unwrap_or("")))
        .collect();
    if ranges.is_empty() { "none".to_owned() } else { ranges.join("; ") }
}

pub(super) fn tenants(old: &Report, new: &Report) -> TenantDiff {
    let a: BTreeSet<&String> = old.snapshot().tenants.iter().collect();
    let b: BTreeSet<&String> = new.snapshot().tenants.iter().collect();
    TenantDiff {
        added: b.difference(&a).map(|t| (*t).clone()).collect(),
        removed: a.difference(&b).map(|t| (*t).clone()).collect(),
        kept: a.intersection(&b).count() as u64,
    }
}

/// The kinds of [`ContentCounts`], in report order.
fn count_list(c: &ContentCounts) -> [(&'static str, Option<u64>); 9] {
    [
        ("tenants", c.tenants),
        ("blueprints", c.blueprints),
        ("deployments", c.deployments),
        ("plugins", c.plugins),
        ("agents", c.agents),
        ("secrets", c.secrets),
        ("users", c.users),
        ("executions", c.executions),
        ("events", c.events),
    ]
}

pub(super) fn counts(old: &Report, new: &Report) -> Vec<CountChange> {
    count_list(&old.snapshot().counts)
        .into_iter()
        .zip(count_list(&new.snapshot().counts))
        .map(|((kind, a), (_, b))| count_change(None, kind, a, b))
        .collect()
}

fn count_change(tenant: Option<String>, kind: &'static str, old: Option<u64>, new: Option<u64>) -> CountChange {
    let signed = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let (delta, drop_percent) = match (old, new) {
        (Some(a), Some(b)) => {
            let drop = (b < a).then(|| {
                let pct = a.saturating_sub(b) as f64 * 100.0 / a as f64;
                (pct * 10.0).round() / 10.0
            });
            (Some(signed(b).saturating_sub(signed(a))), drop)
        }
        _ => (None, None),
    };
    CountChange { tenant, kind, old, new, delta, drop_percent }
}

/// Per-tenant counts from the archive's paths, only those that differ. A tenant absent on one
/// side counts 0 there.
pub(super) fn tenant_counts(
    old: &[EntryInfo],
    new: &[EntryInfo],
    old_era: Option<&str>,
    new_era: Option<&str>,
) -> Vec<CountChange> {
    let a = per_tenant(old, old_era);
    let b = per_tenant(new, new_era);
    let keys: BTreeSet<&(String, &'static str)> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (x, y) = (a.get(key).copied().unwrap_or(0), b.get(key).copied().unwrap_or(0));
            (x != y).then(|| count_change(Some(key.0.clone()), key.1, Some(x), Some(y)))
        })
        .collect()
}

/// Per tenant: distinct blueprints, deployments and plugins named by the paths, and entries
/// under the tenant's folders.
///
/// Legacy snapshots (4.0+) keep `blueprints/<t>/<bp>/…`, `uploaded-blueprints/<t>/<bp>/…`,
/// `deployments/<t>/<dep>/…` and `tenant-resources/<t>/…`; new-format ones keep
/// `tenants/<t>/{blueprints,deployments,plugins}/<id>.<ext>` (N1) or `…/<type>_archives/…`
/// (N0). 3.x snapshots have no tenant paths.
fn per_tenant(entries: &[EntryInfo], era: Option<&str>) -> BTreeMap<(String, &'static str), u64> {
    let legacy = era.is_some_and(|e| e.starts_with('L'));
    let new = era.is_some_and(|e| e.starts_with('N'));
    let mut ids: HashSet<(&str, &'static str, &str)> = HashSet::new();
    let mut files: HashMap<&str, u64> = HashMap::new();
    // Entries come grouped by folder: hash only when the tenant or the id changes.
    let mut last_id: Option<(&str, &'static str, &str)> = None;
    let mut run: Option<(&str, u64)> = None;
    for e in entries.iter().filter(|e| !e.is_dir) {
        let mut parts = e.name.splitn(4, '/');
        let (Some(top), Some(t), Some(third)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let fourth = parts.next();
        let (tenant, kind, id) = match (top, third, fourth) {
            ("blueprints" | "uploaded-blueprints", _, Some(_)) if legacy => (t, Some("blueprints"), third),
            ("deployments", _, Some(_)) if legacy => (t, Some("deployments"), third),
            ("tenant-resources", _, _) if legacy => (t, None, ""),
            ("tenants", "blueprints" | "blueprints_archives", Some(f)) if new => (t, Some("blueprints"), stem(f)),
            ("tenants", "deployments" | "deployments_archives", Some(f)) if new => (t, Some("deployments"), stem(f)),
            ("tenants", "plugins" | "plugins_archives", Some(f)) if new => (t, Some("plugins"), stem(f)),
            ("tenants", _, _) if new => (t, None, ""),
            _ => continue,
        };
        if tenant.is_empty() {
            continue;
        }
        match &mut run {
            Some((t, n)) if *t == tenant => *n = n.saturating_add(1),
            _ => {
                if let Some((t, n)) = run.replace((tenant, 1)) {
                    let total = files.entry(t).or_insert(0);
                    *total = total.saturating_add(n);
                }
            }
        }
        if let Some(kind) = kind
            && last_id != Some((tenant, kind, id))
        {
            last_id = Some((tenant, kind, id));
            ids.insert((tenant, kind, id));
        }
    }
    if let Some((t, n)) = run {
        let total = files.entry(t).or_insert(0);
        *total = total.saturating_add(n);
    }
    let mut out: BTreeMap<(String, &'static str), u64> = BTreeMap::new();
    for (tenant, kind, _) in ids {
        let n = out.entry((tenant.to_owned(), kind)).or_insert(0);
        *n = n.saturating_add(1);
    }
    for (tenant, n) in files {
        out.insert((tenant.to_owned(), "entries"), n);
    }
    out
}

/// A file name without its extension(s): `bp.tar.gz` → `bp`.
fn stem(f: &str) -> &str {
    f.split_once('.').map_or(f, |(s, _)| s)
}

pub(super) fn secrets(old: &Report, new: &Report) -> SecretsDiff {
    let map = |r: &Report| -> BTreeMap<(SecretKind, String), u64> {
        let mut m = BTreeMap::new();
        for i in &r.security().items {
            let n: &mut u64 = m.entry((i.kind, i.path.clone())).or_insert(0);
            *n = n.saturating_add(i.count);
        }
        m
    };
    let (a, b) = (map(old), map(new));
    let mut d = SecretsDiff {
        old_total: a.values().fold(0u64, |s, &n| s.saturating_add(n)),
        new_total: b.values().fold(0u64, |s, &n| s.saturating_add(n)),
        ..SecretsDiff::default()
    };
    let keys: BTreeSet<&(SecretKind, String)> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (x, y) = (a.get(key).copied(), b.get(key).copied());
        let change = SecretChange { kind: key.0, path: key.1.clone(), old: x.unwrap_or(0), new: y.unwrap_or(0) };
        match (x, y) {
            (None, Some(_)) => d.added.push(change),
            (Some(_), None) => d.removed.push(change),
            (Some(x), Some(y)) if x != y => d.changed.push(change),
            _ => {}
        }
    }
    d
}

/// New findings are in NEW beyond the ones OLD has with the same code, path and rule (as many
/// times as OLD has them); resolved ones the other way round. Messages and offsets are not
/// compared: they carry counts and positions that move between two nights.
pub(super) fn findings(old: &Report, new: &Report) -> super::FindingsDiff {
    super::FindingsDiff {
        new: unmatched(new.findings(), old.findings()),
        resolved: unmatched(old.findings(), new.findings()),
    }
}

type Key<'a> = (&'static str, Option<&'a str>, &'static str);

fn key(f: &Finding) -> Key<'_> {
    (f.code.as_str(), f.path.as_deref(), f.rule)
}

fn unmatched(these: &[Finding], others: &[Finding]) -> Vec<FindingRef> {
    let mut left: HashMap<Key, u64> = HashMap::new();
    for f in others {
        let n = left.entry(key(f)).or_insert(0);
        *n = n.saturating_add(1);
    }
    these
        .iter()
        .filter(|f| match left.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n = n.saturating_sub(1);
                false
            }
            _ => true,
        })
        .map(|f| FindingRef {
            code: f.code.as_str(),
            severity: f.severity.as_str(),
            rule: f.rule,
            path: f.path.clone(),
            message: f.message.clone(),
        })
        .collect()
}
