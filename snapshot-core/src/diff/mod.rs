//! The difference between two snapshots: a pure function of their two reports and entry lists.
//!
//! [`diff`] compares what the core already learned about each archive: the entry lists of the
//! central directories ([`crate::Verifier::entries`], no second parse), and the reports (era,
//! version, revisions, tenants, counts, the secret inventory, findings). It does no I/O, so the
//! browser module can call it as the CLI does.
//!
//! # Wire format
//!
//! `serde_json::to_string_pretty(&diff)` is the schema, versioned by [`DIFF_SCHEMA_VERSION`] and
//! described field by field in `schema/diff-v1.json` (a CLI test validates output against it).
//! Within one version fields are only added.
//!
//! Secret values never appear: the inventory compared is the report's (kinds, paths, counts),
//! and finding messages are the report's own, which never hold one.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

mod container;
mod content;
#[cfg(test)]
mod tests;

use crate::EntryInfo;
use crate::report::{Level, Report, SecretKind};
use serde::Serialize;

pub use container::{ContainerDiff, EntryChange, EntryRecord};

/// The version of the diff schema (`schema/diff-v1.json`). Bumped on any incompatible change.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// What one side of the comparison is: a report and the archive's entries.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The archive's report (any level; both sides should have the same).
    pub report: &'a Report,
    /// Its entries in central-directory order ([`crate::Verifier::entries`]).
    pub entries: &'a [EntryInfo],
}

/// How to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOptions {
    /// The most entries listed per kind of change (added, removed, changed); the counts are
    /// always exact. Bounds the output for archives of millions of entries.
    pub max_listed: usize,
    /// `--fail-on-drop`: list as losses a tenant that disappeared and any count that dropped by
    /// at least this many percent (0 < pct ≤ 100). `None`: no loss check.
    pub drop_percent: Option<f64>,
}

impl Default for DiffOptions {
    fn default() -> DiffOptions {
        DiffOptions { max_listed: 1000, drop_percent: None }
    }
}

/// The difference between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Always `snapshot-verify-diff`.
    pub schema: &'static str,
    /// [`DIFF_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The core's version.
    pub tool_version: &'static str,
    /// The level both reports were made at (`quick` reads central directories and small
    /// members; `full` also checked every entry's data).
    pub level: Level,
    /// The old archive.
    pub old: SideInfo,
    /// The new archive.
    pub new: SideInfo,
    /// Whether nothing differs (no item in any list below, no changed field).
    pub identical: bool,
    /// How many differences in all: changed fields, entries added, removed or changed, tenants
    /// added or removed, changed counts, secret-inventory changes, findings new or resolved.
    pub differences: u64,
    /// Fields of the two reports that differ (era, version, revisions, flags, verdict…).
    pub fields: Vec<FieldChange>,
    /// The ZIP containers.
    pub container: container::ContainerDiff,
    /// Tenants added and removed.
    pub tenants: TenantDiff,
    /// Content counts of the whole snapshot, every kind (changed or not).
    pub counts: Vec<CountChange>,
    /// Per-tenant counts from the archive's paths, only those that changed.
    pub tenant_counts: Vec<CountChange>,
    /// The secret inventory (kinds, paths, counts; never values).
    pub secrets: SecretsDiff,
    /// Findings new in NEW and resolved since OLD, matched by code, path and rule.
    pub findings: FindingsDiff,
    /// With a drop threshold: each tenant that disappeared and each count that dropped by at
    /// least that much. `None` without one.
    pub losses: Option<Losses>,
}

/// What identifies one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideInfo {
    /// The file's base name.
    pub name: String,
    /// Its size.
    pub size: u64,
    /// The whole-file SHA-256, when computed.
    pub sha256: Option<String>,
    /// `pass`, `pass-with-warnings` or `fail`.
    pub verdict: &'static str,
    /// Entries in the central directory.
    pub entries: u64,
    /// The era, when classified.
    pub era: Option<&'static str>,
    /// `snapshot_version`.
    pub snapshot_version: Option<String>,
}

/// A field whose value differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Which (`era`, `snapshot_version`, `schema_revision`, `flags.metrics`…).
    pub field: &'static str,
    /// The old value (`None`: absent or not known).
    pub old: Option<String>,
    /// The new value.
    pub new: Option<String>,
}

/// Tenants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TenantDiff {
    /// In NEW only, sorted.
    pub added: Vec<String>,
    /// In OLD only, sorted.
    pub removed: Vec<String>,
    /// In both.
    pub kept: u64,
}

/// One count on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountChange {
    /// The tenant, for per-tenant counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// `tenants`, `blueprints`, `deployments`, `plugins`, `agents`, `secrets`, `users`,
    /// `executions`, `events` (per tenant: `blueprints`, `deployments`, `plugins`, `entries`).
    pub kind: &'static str,
    /// The old count (`None`: not known at this level).
    pub old: Option<u64>,
    /// The new count.
    pub new: Option<u64>,
    /// `new - old` when both are known (saturating).
    pub delta: Option<i64>,
    /// How much it dropped, in percent of the old count (one decimal), when it dropped.
    pub drop_percent: Option<f64>,
}

impl CountChange {
    /// Whether the two counts differ (a count becoming unknown is a difference too).
    pub fn changed(&self) -> bool {
        self.old != self.new
    }
}

/// One secret-inventory item on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretChange {
    /// What it is.
    pub kind: SecretKind,
    /// Where it is.
    pub path: String,
    /// Values of this kind at this path in OLD (0: absent).
    pub old: u64,
    /// In NEW.
    pub new: u64,
}

/// The secret inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SecretsDiff {
    /// Items in NEW only.
    pub added: Vec<SecretChange>,
    /// Items in OLD only.
    pub removed: Vec<SecretChange>,
    /// Items in both whose count changed.
    pub changed: Vec<SecretChange>,
    /// Values in OLD, all kinds.
    pub old_total: u64,
    /// Values in NEW.
    pub new_total: u64,
}

/// A finding as the diff lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    /// Its code.
    pub code: &'static str,
    /// Its severity.
    pub severity: &'static str,
    /// Its spec rule.
    pub rule: &'static str,
    /// The entry it concerns.
    pub path: Option<String>,
    /// The report's message.
    pub message: String,
}

/// Findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FindingsDiff {
    /// In NEW, not in OLD.
    pub new: Vec<FindingRef>,
    /// In OLD, not in NEW.
    pub resolved: Vec<FindingRef>,
}

/// Losses at the `--fail-on-drop` threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Losses {
    /// The threshold, in percent.
    pub threshold_percent: f64,
    /// Tenants that disappeared.
    pub tenants_removed: Vec<String>,
    /// Counts (whole snapshot and per tenant) that dropped by at least the threshold.
    pub dropped: Vec<CountChange>,
}

impl Losses {
    /// Whether anything was lost.
    pub fn any(&self) -> bool {
        !self.tenants_removed.is_empty() || !self.dropped.is_empty()
    }
}

impl Diff {
    /// Whether the threshold found a loss (`false` without a threshold).
    pub fn has_losses(&self) -> bool {
        self.losses.as_ref().is_some_and(Losses::any)
    }

    /// The diff as pretty JSON.
    pub fn to_json(&self) -> Result<String, crate::Error> {
        serde_json::to_string_pretty(self).map_err(crate::Error::Json)
    }
}

/// Compares two snapshots.
pub fn diff(old: Side, new: Side, opts: &DiffOptions) -> Diff {
    let container = container::compare(old.entries, new.entries, opts.max_listed);
    let fields = content::fields(old.report, new.report);
    let tenants = content::tenants(old.report, new.report);
    let counts = content::counts(old.report, new.report);
    let era = |s: &Side| s.report.snapshot().era.as_ref().map(|e| e.id);
    let tenant_counts = content::tenant_counts(old.entries, new.entries, era(&old), era(&new));
    let secrets = content::secrets(old.report, new.report);
    let findings = content::findings(old.report, new.report);
    let losses = opts.drop_percent.map(|pct| Losses {
        threshold_percent: pct,
        tenants_removed: tenants.removed.clone(),
        dropped: counts
            .iter()
            .chain(&tenant_counts)
            .filter(|c| c.drop_percent.is_some_and(|d| d >= pct))
            .cloned()
            .collect(),
    });
    let len = |n: usize| n as u64;
    let differences = [
        len(fields.len()),
        container.added,
        container.removed,
        container.changed,
        len(tenants.added.len()),
        len(tenants.removed.len()),
        len(counts.iter().filter(|c| c.changed()).count()),
        len(tenant_counts.len()),
        len(secrets.added.len()),
        len(secrets.removed.len()),
        len(secrets.changed.len()),
        len(findings.new.len()),
        len(findings.resolved.len()),
    ]
    .iter()
    .fold(0u64, |a, &b| a.saturating_add(b));
    Diff {
        schema: "snapshot-verify-diff",
        schema_version: DIFF_SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        level: new.report.settings().level,
        old: side_info(&old),
        new: side_info(&new),
        identical: differences == 0,
        differences,
        fields,
        container,
        tenants,
        counts,
        tenant_counts,
        secrets,
        findings,
        losses,
    }
}

fn side_info(side: &Side) -> SideInfo {
    let r = side.report;
    SideInfo {
        name: r.file().name.clone(),
        size: r.file().size,
        sha256: r.file().sha256.clone(),
        verdict: r.verdict().as_str(),
        entries: side.entries.len() as u64,
        era: r.snapshot().era.as_ref().map(|e| e.id),
        snapshot_version: r.snapshot().snapshot_version.clone(),
    }
}
