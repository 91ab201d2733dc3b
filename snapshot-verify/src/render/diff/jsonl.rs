//! `diff --format jsonl`: one JSON object per line, its `event` member saying what it is.
//!
//! - `{"event":"diff-start","old":{…},"new":{…},"level":…}`: the two sides (as in the JSON).
//! - `{"event":"field","field":…,"old":…,"new":…}`: a changed field (era, version, revision…).
//! - `{"event":"tenant-added"|"tenant-removed","tenant":…}`.
//! - `{"event":"count","kind":…,"old":…,"new":…,"delta":…,"drop_percent":…}`: a changed count
//!   of the whole snapshot; with `"tenant":…` a per-tenant one.
//! - `{"event":"secret-added"|"secret-removed"|"secret-changed","kind":…,"path":…,"old":N,"new":N}`.
//! - `{"event":"finding-new"|"finding-resolved","code":…,"severity":…,"rule":…,"path":…,"message":…}`.
//! - `{"event":"entry-added"|"entry-removed","name":…,"method":…,"crc32":…,…}` and
//!   `{"event":"entry-changed","name":…,"fields":[…],"same_size_crc_changed":…,"old":{…},"new":{…}}`
//!   (at most `--max-listed` of each).
//! - `{"event":"loss",…}`: with `--fail-on-drop`, a tenant that disappeared (`"tenant"`) or a
//!   count that dropped (`"count"`).
//! - `{"event":"summary","identical":…,"differences":…,"added":…,"removed":…,"changed":…,
//!   "same_size_crc_changed":…,"unlisted":…,"losses":…}`: last.

use serde::Serialize;
use snapshot_core::diff::Diff;
use std::io::Write;

#[derive(Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
enum Event<'a> {
    DiffStart {
        old: &'a snapshot_core::diff::SideInfo,
        new: &'a snapshot_core::diff::SideInfo,
        level: snapshot_core::Level,
    },
    Field(&'a snapshot_core::diff::FieldChange),
    TenantAdded {
        tenant: &'a str,
    },
    TenantRemoved {
        tenant: &'a str,
    },
    Count(&'a snapshot_core::diff::CountChange),
    SecretAdded(&'a snapshot_core::diff::SecretChange),
    SecretRemoved(&'a snapshot_core::diff::SecretChange),
    SecretChanged(&'a snapshot_core::diff::SecretChange),
    FindingNew(&'a snapshot_core::diff::FindingRef),
    FindingResolved(&'a snapshot_core::diff::FindingRef),
    EntryAdded(&'a snapshot_core::diff::EntryRecord),
    EntryRemoved(&'a snapshot_core::diff::EntryRecord),
    EntryChanged(&'a snapshot_core::diff::EntryChange),
    Loss {
        #[serde(skip_serializing_if = "Option::is_none")]
        tenant: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<&'a snapshot_core::diff::CountChange>,
    },
    Summary {
        identical: bool,
        differences: u64,
        added: u64,
        removed: u64,
        changed: u64,
        same_size_crc_changed: u64,
        unlisted: u64,
        losses: Option<bool>,
    },
}

pub(super) fn render(out: &mut impl Write, d: &Diff) -> anyhow::Result<()> {
    let mut events = vec![Event::DiffStart { old: &d.old, new: &d.new, level: d.level }];
    events.extend(d.fields.iter().map(Event::Field));
    events.extend(d.tenants.added.iter().map(|t| Event::TenantAdded { tenant: t }));
    events.extend(d.tenants.removed.iter().map(|t| Event::TenantRemoved { tenant: t }));
    events.extend(d.counts.iter().filter(|c| c.changed()).chain(&d.tenant_counts).map(Event::Count));
    events.extend(d.secrets.added.iter().map(Event::SecretAdded));
    events.extend(d.secrets.removed.iter().map(Event::SecretRemoved));
    events.extend(d.secrets.changed.iter().map(Event::SecretChanged));
    events.extend(d.findings.new.iter().map(Event::FindingNew));
    events.extend(d.findings.resolved.iter().map(Event::FindingResolved));
    let c = &d.container;
    events.extend(c.added_entries.iter().map(Event::EntryAdded));
    events.extend(c.removed_entries.iter().map(Event::EntryRemoved));
    events.extend(c.changed_entries.iter().map(Event::EntryChanged));
    if let Some(l) = &d.losses {
        events.extend(l.tenants_removed.iter().map(|t| Event::Loss { tenant: Some(t), count: None }));
        events.extend(l.dropped.iter().map(|c| Event::Loss { tenant: None, count: Some(c) }));
    }
    events.push(Event::Summary {
        identical: d.identical,
        differences: d.differences,
        added: c.added,
        removed: c.removed,
        changed: c.changed,
        same_size_crc_changed: c.same_size_crc_changed,
        unlisted: c.unlisted,
        losses: d.losses.as_ref().map(|l| l.any()),
    });
    for e in events {
        serde_json::to_writer(&mut *out, &e)?;
        writeln!(out)?;
    }
    Ok(())
}
