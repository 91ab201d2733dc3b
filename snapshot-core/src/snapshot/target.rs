//! Restore prediction (spec §5.3–§5.5, rules B4–B6, B11, C8, D1, D13): which managers accept the
//! snapshot, and for `--target-version`, the message Cloudify's restore would fail with.

use super::version::Version;
use super::{Ctx, Era, Format, Semantics, sev};
use crate::code::{Code, Severity};
use crate::report::{Compatibility, Edition, Finding, TargetPrediction, VersionRange};

const fn v(a: u32, b: u32, c: u32) -> Version {
    Version::new(a, b, c)
}

/// The newest manager line the spec covers.
const NEWEST: Version = v(7, 0, 99);

pub(crate) fn predict(ctx: &mut Ctx, sem: &mut Semantics) {
    let Some(era) = sem.era else { return };
    let legacy_by_meta = ["schema_revision", "stage_schema_revision", "composer_schema_revision"]
        .iter()
        .all(|k| sem.metadata.contains_key(*k));
    sem.info.compatibility =
        Compatibility { accepted_by: accepted_ranges(era, sem.version, legacy_by_meta), target: None };
    advise(ctx, sem, era);

    let Some(target_text) = ctx.opts.target_version.clone() else { return };
    let Some(t) = Version::parse(&target_text) else {
        ctx.push(Finding::new(
            Code::TargetUnknownVersion,
            format!("the target version '{target_text}' is not a version; no prediction was made"),
        ));
        return;
    };
    let is_new = era.format() == Format::New;
    let gate = Gate {
        t,
        era,
        snap: sem.version,
        snap_text: sem.info.snapshot_version.clone().unwrap_or_else(|| "?".into()),
        is_new,
        // Which path a 7.x manager takes: legacy iff all three revision keys are present.
        path: if is_new || (t >= v(7, 0, 0) && !legacy_by_meta) { "new" } else { "legacy" },
        events_flag_missing: sem.info.metadata.has_cloudify_events.is_none(),
    };
    let mut out: Vec<Finding> = Vec::new();
    if t < v(3, 3, 0) || t > NEWEST {
        out.push(Finding::new(
            Code::TargetUnknownVersion,
            format!("target {t} is outside the versions the spec covers (3.3 – 7.0.x); the prediction follows the nearest known version"),
        ));
    }
    if t < v(5, 0, 0) {
        gate.before_5(&mut out);
    } else if t < v(7, 0, 0) || gate.path == "legacy" {
        gate.legacy_path(&mut out);
    } else {
        gate.new_path(&mut out);
    }
    required_files(ctx, sem, &gate, &mut out);
    conclude(ctx, sem, &gate, target_text, out);
}

/// Advisories that need no target: the disk a legacy restore needs, known issues.
fn advise(ctx: &mut Ctx, sem: &mut Semantics, era: Era) {
    if era.format() != Format::New {
        restore_disk(ctx, sem);
    }
    if era.format() == Format::Elasticsearch {
        ctx.push(Finding::new(
            Code::AdviceDuplicatedEvents,
            "known issue: restoring a 3.x snapshot onto the manager that created it (after deleting its blueprints) duplicates events",
        ));
    }
}

/// Advisory: disk a legacy restore needs (A10): everything extracted, plus a second pg_data
/// (prefix + dump) and a copy of stage/. Declared sizes that add up past 2^64 bytes cannot be
/// true: the estimate saturates and the advice says so, as `ratio-impossible` does per entry.
fn restore_disk(ctx: &mut Ctx, sem: &mut Semantics) {
    let entries = &ctx.archive.entries;
    let total = entries.iter().try_fold(0u64, |sum, e| sum.checked_add(e.uncompressed_size));
    let pg = ctx.archive.by_name("pg_data").map_or(0, |e| e.uncompressed_size);
    let stage = entries
        .iter()
        .filter(|e| e.name.starts_with("stage/"))
        .try_fold(0u64, |sum, e| sum.checked_add(e.uncompressed_size));
    let need = total.zip(stage).and_then(|(total, stage)| total.checked_add(pg)?.checked_add(stage));
    let Some(need) = need else {
        sem.info.restore_disk_estimate = Some(u64::MAX);
        impossible_sizes(ctx);
        return;
    };
    sem.info.restore_disk_estimate = Some(need);
    ctx.push(Finding::new(
        Code::AdviceRestoreDisk,
        format!(
            "a legacy restore extracts everything and copies pg_data and stage/ once more: plan for about {} of free space in the manager's temp directory",
            human_bytes(need)
        ),
    ));
}

/// The entries' declared uncompressed sizes add up past 2^64 bytes: no estimate, and the entry
/// declaring the most is flagged `ratio-impossible` unless the container checks already flagged
/// an entry so.
fn impossible_sizes(ctx: &mut Ctx) {
    ctx.push(Finding::new(
        Code::AdviceRestoreDisk,
        "the entries' declared uncompressed sizes add up to more than 2^64 bytes, which is impossible (see ratio-impossible): the sizes are lies, and no disk estimate can be made",
    ));
    if ctx.findings.iter().any(|f| f.code == Code::RatioImpossible) {
        return;
    }
    let Some(e) = ctx.archive.entries.iter().max_by_key(|e| e.uncompressed_size) else { return };
    let finding = Finding::new(
        Code::RatioImpossible,
        format!(
            "declares {} bytes from {} compressed bytes; with the other entries' declared sizes that adds up to more than 2^64 bytes, which no archive holds: the size is a lie",
            e.uncompressed_size, e.compressed_size
        ),
    )
    .at_path(&e.name)
    .at_offset(e.central_offset);
    ctx.push(finding);
}

/// What the version gates of the target's restore look at.
struct Gate {
    /// The target version.
    t: Version,
    era: Era,
    snap: Option<Version>,
    snap_text: String,
    is_new: bool,
    /// The restore path the target takes: `"new"` or `"legacy"`.
    path: &'static str,
    /// Whether a 3.x snapshot lacks `has_cloudify_events`.
    events_flag_missing: bool,
}

impl Gate {
    /// Restore refuses a snapshot newer than the target.
    fn newer(&self, out: &mut Vec<Finding>) {
        let t = self.t;
        if let Some(s) = self.snap
            && s > t
        {
            out.push(Finding::new(
                Code::TargetSnapshotNewer,
                format!(
                    "restore on {t} fails: \"Cannot restore a newer manager's snapshot on this manager [{s} > {t}]\""
                ),
            ));
        }
    }

    /// 3.4 – 4.0 parse the version strictly.
    fn strict(&self, out: &mut Vec<Finding>) {
        let (t, snap_text) = (self.t, &self.snap_text);
        if !super::version::Version::strict_ok(snap_text) {
            out.push(Finding::new(
                Code::TargetSnapshotUnsupported,
                format!("restore on {t} fails: its strict version parser raises ValueError on snapshot_version '{snap_text}'"),
            ));
        }
    }

    /// 3.3 – 4.6 managers.
    fn before_5(&self, out: &mut Vec<Finding>) {
        let (t, era, snap_text) = (self.t, self.era, &self.snap_text);
        if t < v(3, 4, 0) {
            // 3.3.x: a string lookup, no parsing.
            if self.is_new || era.format() == Format::Legacy {
                out.push(Finding::new(
                    Code::TargetFormatUnsupported,
                    format!("restore on {t} fails: \"Manager is not able to restore snapshot of manager {snap_text}\""),
                ));
            } else if snap_text != "3.3" && snap_text != "3.2" {
                out.push(Finding::new(
                    Code::TargetSnapshotUnsupported,
                    format!("restore on {t} fails: \"Manager is not able to restore snapshot of manager {snap_text}\""),
                ));
            }
            if era.format() == Format::Elasticsearch && self.events_flag_missing {
                out.push(Finding::new(
                    Code::TargetFileRequired,
                    format!("restore on {t} fails with KeyError: metadata.json lacks has_cloudify_events"),
                ));
            }
        } else if self.is_new {
            out.push(Finding::new(
                Code::TargetFormatUnsupported,
                format!("{t} cannot read new-format (7.x) snapshots: it looks for pg_data or es_data and fails"),
            ));
        } else {
            self.newer(out);
            if t < v(4, 1, 0) {
                self.strict(out);
            }
            if era.format() == Format::Elasticsearch && t < v(4, 0, 0) && self.events_flag_missing {
                out.push(Finding::new(
                    Code::TargetFileRequired,
                    format!("restore on {t} fails with KeyError: metadata.json lacks has_cloudify_events"),
                ));
            }
        }
    }

    /// 5.0 – 6.4 managers, and 7.x managers on the legacy path.
    fn legacy_path(&self, out: &mut Vec<Finding>) {
        let (t, snap_text) = (self.t, &self.snap_text);
        if self.is_new {
            out.push(Finding::new(
                Code::TargetFormatUnsupported,
                format!("{t} cannot read new-format (7.x) snapshots: its restore looks for pg_data and fails"),
            ));
        } else {
            if self.snap.is_some_and(|s| s < v(4, 0, 0)) {
                out.push(Finding::new(
                    Code::TargetSnapshotUnsupported,
                    format!("restore on {t} fails: \"Restoring snapshot from version {snap_text} is not supported\""),
                ));
            }
            self.newer(out);
        }
    }

    /// 7.x managers on the new-format path.
    fn new_path(&self, out: &mut Vec<Finding>) {
        let t = self.t;
        match self.era {
            Era::N1 if t < v(7, 0, 1) => out.push(Finding::new(
                Code::TargetFormatUnsupported,
                format!("7.0.0's new-format restore expects the N0 layout (mgmt/<type>/<i>.json); this N1 archive restores nothing on {t}"),
            )),
            Era::N0 if t >= v(7, 0, 1) => out.push(
                Finding::new(
                    Code::TargetFormatUnsupported,
                    format!("{t} restore does not understand the 7.0.0 (N0) layout: its scanner skips mgmt/<type>/ paths as 'Unexpected file' and looks for archives elsewhere; restore on 7.0.0"),
                )
                .severity(Severity::Warning),
            ),
            Era::N0 | Era::N1 => {
                if let Some(s) = self.snap.filter(|s| *s > t) {
                    out.push(Finding::new(
                        Code::TargetVersionUnchecked,
                        format!("the snapshot is from {s}, newer than {t}, and new-format restore runs no version check: entities may not fit the older schema"),
                    ));
                }
            }
            era => out.push(Finding::new(
                Code::TargetRoutesNewPath,
                format!(
                    "on {t} this {} archive takes the new-format restore path (metadata lacks a revision key): the scanner drops its files as 'Unexpected file', so restore fails or silently restores nothing",
                    era.info().id
                ),
            )),
        }
    }
}

/// Files the target's restore needs (§5.5) that the snapshot lacks.
fn required_files(ctx: &Ctx, sem: &Semantics, gate: &Gate, out: &mut Vec<Finding>) {
    let t = gate.t;
    if gate.path == "legacy"
        && !gate.is_new
        && ctx.opts.edition == Edition::Premium
        && t >= v(4, 0, 1)
        && let Some(s) = gate.snap
    {
        let has = |n: &str| ctx.archive.by_name(n).is_some();
        if s > v(4, 0, 0) && !has("stage_data") {
            out.push(
                    Finding::new(
                        Code::TargetFileRequired,
                        format!("premium {t} restores Stage for snapshots from 4.0.1 on and stage_data is missing; the restore fails"),
                    )
                    .severity(sev(s >= v(4, 3, 0))),
                );
        }
        let composer_needed = s >= v(4, 2, 0)
            && (t < v(6, 0, 0) || sem.info.metadata.composer_schema_revision.as_deref().is_some_and(|r| !r.is_empty()));
        if composer_needed && !has("composer_data") {
            out.push(Finding::new(
                    Code::TargetFileRequired,
                    format!("premium {t} with a Composer database restores composer_data for snapshots from 4.2 on, and it is missing; psql fails"),
                ));
        }
    }
}

/// Target-dependent adjustments and advice, then the prediction itself.
fn conclude(ctx: &mut Ctx, sem: &mut Semantics, gate: &Gate, target_text: String, mut out: Vec<Finding>) {
    let t = gate.t;
    if t < v(6, 3, 0) {
        // Restore before 6.3 does not apply the archive's modes (A9 targets 6.3+).
        ctx.findings.retain(|f| f.code != Code::UnreadableMode);
    }
    if let Some(s) = gate.snap
        && t > s
        && sem.info.counts.agents.unwrap_or(0) > 0
    {
        out.push(Finding::new(
            Code::AdviceInstallNewAgents,
            format!("after restoring onto the newer {t}, run the install_new_agents workflow ('cfy agents install') so the snapshot's agents connect to the new manager"),
        ));
    }
    let restorable = !out.iter().any(|f| f.severity == Severity::Error);
    let messages = out.iter().filter(|f| f.severity != Severity::Info).map(|f| f.message.clone()).collect();
    sem.info.compatibility.target = Some(TargetPrediction {
        version: target_text,
        edition: ctx.opts.edition,
        restore_path: gate.path,
        restorable,
        messages,
    });
    ctx.findings.extend(out);
}

/// The manager versions whose restore accepts the snapshot (the matrix of §5.4).
fn accepted_ranges(era: Era, snap: Option<Version>, legacy_by_meta: bool) -> Vec<VersionRange> {
    let r = |from: &str, to: &str, note: &str| VersionRange {
        from: (!from.is_empty()).then(|| from.to_string()),
        to: (!to.is_empty()).then(|| to.to_string()),
        note: note.to_string(),
    };
    let s = snap.map(|s| s.to_string()).unwrap_or_default();
    match era {
        Era::E0 | Era::E1 => vec![
            r("3.3.0", "3.4.2", "Elasticsearch restore"),
            r("4.0.0", "4.6.0", "converted by estopg; premium managers need a new tenant name"),
        ],
        Era::E2 | Era::E2b => vec![
            r(&s, "3.4.2", "Elasticsearch restore (snapshot must not be newer than the manager)"),
            r("4.0.0", "4.6.0", "converted by estopg; premium managers need a new tenant name"),
        ],
        Era::N0 => vec![r("7.0.0", "7.0.0", "new-format restore (7.0.1+ does not understand the N0 layout)")],
        Era::N1 => vec![r("7.0.1", "", "new-format restore; no version check is made")],
        _ => {
            let mut out = vec![r(&s, "6.4.2", "legacy restore; the manager must be empty (or --force)")];
            if legacy_by_meta {
                out.push(r("7.0.0", "7.0.4", "legacy restore path (all three revision keys present)"));
            }
            out
        }
    }
}

/// Bytes for people: binary units with one decimal.
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = n as f64;
    let mut i = 0;
    while x >= 1024.0 && i < UNITS.len() - 1 {
        x /= 1024.0;
        i += 1;
    }
    if i == 0 { format!("{n} B") } else { format!("{x:.1} {}", UNITS[i]) }
}
