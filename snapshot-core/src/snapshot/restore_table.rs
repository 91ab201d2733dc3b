//! The one table of restore outcomes (issue 12 point 5; spec §5.3–§5.5): era × target version
//! line × edition × runtime → what the target's restore does. [`decide`] is the only place that
//! knows it: the `--target-version` prediction, its outcome finding and `accepted_by` are all
//! computed by calling it, so they cannot disagree.
//!
//! Sources are Cloudify's restore code (`snapshots/snapshot_restore.py` `SnapshotRestore.restore`
//! and its validator, per release line), checked against the restore oracle
//! (`../shared/oracle`, `scripts/oracle-check.sh`) for 7.0.4, 7.0.0, 6.4.2 and 5.1.0.
//! Not verified: 7.0.1–7.0.3 are taken to behave as 7.0.4 (their source is not bundled; 7.0.0
//! lacks the Kubernetes refusal, 7.0.4 has it), 7.1+ as 7.0.4, and 3.3–5.0.5 from the spec.

use super::version::Version;
use super::{Era, Format};
use crate::code::Code;
use crate::report::{Edition, Outcome, Runtime};

const fn v(a: u32, b: u32, c: u32) -> Version {
    Version::new(a, b, c)
}

/// A body of restore code (spec §5.3); `V7_0_1` is 7.0.1–7.0.4 and, predicted alike, 7.1+.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Line {
    V3_3,
    V3_4,
    V4_0,
    V4_1,
    V5_0,
    V5_1,
    V7_0_0,
    V7_0_1,
}

impl Line {
    pub(crate) fn of(t: Version) -> Line {
        match t {
            t if t < v(3, 4, 0) => Line::V3_3,
            t if t < v(4, 0, 0) => Line::V3_4,
            t if t < v(4, 1, 0) => Line::V4_0,
            t if t < v(5, 0, 0) => Line::V4_1,
            t if t < v(5, 1, 0) => Line::V5_0,
            t if t < v(7, 0, 0) => Line::V5_1,
            t if t < v(7, 0, 1) => Line::V7_0_0,
            _ => Line::V7_0_1,
        }
    }
}

/// The releases `accepted_by` is computed over (spec §0 tags and the revision heads).
pub(crate) const KNOWN_RELEASES: &[Version] = &[
    v(3, 3, 0),
    v(3, 3, 1),
    v(3, 4, 0),
    v(3, 4, 1),
    v(3, 4, 2),
    v(4, 0, 0),
    v(4, 0, 1),
    v(4, 1, 0),
    v(4, 2, 0),
    v(4, 3, 0),
    v(4, 4, 0),
    v(4, 5, 0),
    v(4, 5, 5),
    v(4, 6, 0),
    v(5, 0, 0),
    v(5, 0, 5),
    v(5, 1, 0),
    v(5, 1, 4),
    v(5, 2, 0),
    v(5, 3, 0),
    v(6, 0, 0),
    v(6, 1, 0),
    v(6, 2, 0),
    v(6, 3, 0),
    v(6, 4, 0),
    v(6, 4, 2),
    v(7, 0, 0),
    v(7, 0, 1),
    v(7, 0, 2),
    v(7, 0, 3),
    v(7, 0, 4),
];

/// What the archive is, as far as routing and the version gates are concerned.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub era: Era,
    /// `metadata.json` holds all three revision keys: 7.x takes the legacy path.
    pub keyed: bool,
    pub version: Option<Version>,
    pub version_text: String,
    /// A 3.x snapshot lacks `has_cloudify_events`.
    pub events_flag_missing: bool,
}

/// The restore target.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub version: Version,
    pub edition: Edition,
    pub runtime: Runtime,
}

/// What the content checks learned that changes an outcome.
#[derive(Debug, Clone, Default)]
pub(crate) struct RestoreFacts {
    pub has_stage_data: bool,
    pub has_composer_data: bool,
    /// `composer_schema_revision` is present and not empty.
    pub composer_revision: bool,
    /// Composer/Stage files the new path hands to a client attribute that does not exist
    /// ([`ui_aborting_files`]): AttributeError, restore aborts.
    pub ui_aborts: Vec<String>,
    /// An N0 archive holds plugin or blueprint items (their archives are not found by 7.0.1+).
    pub n0_archive_items: bool,
    /// The first data error (CRC, inflate, method, encryption) as "code at path".
    pub data_error: Option<String>,
    /// Why Python's `zipfile` cannot open the archive at all (every target refuses it).
    pub unopenable: Option<String>,
    /// `metadata.json` is not JSON (`Some(false)`) or JSON but not an object (`Some(true)`).
    pub metadata_broken: Option<bool>,
    /// Why the legacy path's `extractall` fails although the archive opens.
    pub extract_fails: Option<String>,
    /// The first content problem on the new path that aborts its restore ("code at path"), and
    /// whether a finding of error severity already says so.
    pub new_path_abort: Option<(String, bool)>,
    /// The first content error on the new path that loses content ("code at path").
    pub new_path_partial: Option<String>,
}

/// One cell of the table.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// `"legacy"` or `"new"`: the code path the target takes.
    pub route: &'static str,
    pub outcome: Outcome,
    /// The finding that explains a non-`Restores` outcome (`None` when a finding of the archive
    /// itself, such as a data error, already does).
    pub code: Option<Code>,
    /// Cloudify's message or what is lost.
    pub message: String,
    /// Warnings that do not change the outcome.
    pub warnings: Vec<(Code, String)>,
}

impl Cell {
    fn new(route: &'static str, outcome: Outcome, code: Option<Code>, message: String) -> Cell {
        Cell { route, outcome, code, message, warnings: Vec::new() }
    }

    fn restores(route: &'static str) -> Cell {
        Cell::new(route, Outcome::Restores, None, String::new())
    }
}

/// The table: what `t`'s restore does with `s`, given the content facts `f`.
pub(crate) fn decide(s: &Subject, t: &Target, f: &RestoreFacts) -> Cell {
    let line = Line::of(t.version);
    if let Some(why) = &f.unopenable {
        // Python's ZipFile() raises before any restore code runs.
        let route = if line < Line::V7_0_0 || s.keyed { "legacy" } else { "new" };
        return Cell::new(
            route,
            Outcome::Refused,
            Some(Code::TargetArchiveCorrupt),
            format!("restore on {} cannot open the archive: {why}; nothing is restored", t.version),
        );
    }
    if let Some(parsed) = f.metadata_broken {
        // Every path json.loads metadata.json first (7.0.x `_is_legacy_snapshot`; before 7.0
        // `_extract_snapshot_archive`). A JSON value that is not an object passes 7.x routing
        // (`in` works on a list) and fails on the new path after the scan.
        let (route, outcome) = match (line < Line::V7_0_0, parsed) {
            (false, true) => ("new", Outcome::Aborts),
            _ => ("legacy", Outcome::Refused),
        };
        let message = format!("restore on {} fails reading metadata.json; nothing is restored", t.version);
        return Cell::new(route, outcome, None, message);
    }
    // Before 7.0 every archive is a legacy one; 7.x reads metadata.json's revision keys
    // (7.0.x snapshots/snapshot_restore.py SnapshotRestore._is_legacy_snapshot).
    let legacy = line < Line::V7_0_0 || (s.era.format() != Format::New && s.keyed);
    if legacy { legacy_path(s, t, f, line) } else { new_path(s, t, f, line) }
}

/// The legacy path: `SnapshotRestore.restore` → extract → `SnapshotRestoreValidator` → DB stage.
fn legacy_path(s: &Subject, t: &Target, f: &RestoreFacts, line: Line) -> Cell {
    let tv = t.version;
    let refused = |code, message| Cell::new("legacy", Outcome::Refused, Some(code), message);
    if line == Line::V7_0_1 && t.runtime == Runtime::Kubernetes {
        return refused(
            Code::TargetRuntimeRefusesLegacy,
            format!(
                "restore on {tv} (Kubernetes) fails: \"legacy snapshots cannot be restored on a distributed manager\"; nothing is restored"
            ),
        );
    }
    let snap_text = &s.version_text;
    let is_new = s.era.format() == Format::New;
    let es = s.era.format() == Format::Elasticsearch;
    if line == Line::V3_3 {
        // 3.3.x: a string lookup, no parsing.
        let (ok, code) = if es {
            (snap_text == "3.3" || snap_text == "3.2", Code::TargetSnapshotUnsupported)
        } else {
            (false, Code::TargetFormatUnsupported)
        };
        if !ok {
            return refused(
                code,
                format!("restore on {tv} fails: \"Manager is not able to restore snapshot of manager {snap_text}\""),
            );
        }
    } else {
        if let Some(sv) = s.version.filter(|sv| *sv > tv) {
            return refused(
                Code::TargetSnapshotNewer,
                format!(
                    "restore on {tv} fails: \"Cannot restore a newer manager's snapshot on this manager [{sv} > {tv}]\""
                ),
            );
        }
        if is_new {
            return refused(
                Code::TargetFormatUnsupported,
                format!("{tv} cannot read new-format (7.x) snapshots: its restore looks for pg_data and fails"),
            );
        }
        if line >= Line::V5_0 && s.version.is_some_and(|sv| sv < v(4, 0, 0)) {
            return refused(
                Code::TargetSnapshotUnsupported,
                format!("restore on {tv} fails: \"Restoring snapshot from version {snap_text} is not supported\""),
            );
        }
        if matches!(line, Line::V3_4 | Line::V4_0) && !Version::strict_ok(snap_text) {
            return refused(
                Code::TargetSnapshotUnsupported,
                format!(
                    "restore on {tv} fails: its strict version parser raises ValueError on snapshot_version '{snap_text}'"
                ),
            );
        }
    }
    if es && line < Line::V4_0 && s.events_flag_missing {
        return Cell::new(
            "legacy",
            Outcome::Aborts,
            Some(Code::TargetFileRequired),
            format!("restore on {tv} fails with KeyError: metadata.json lacks has_cloudify_events"),
        );
    }
    if let Some(e) = &f.data_error {
        // The legacy path extracts every member first (ZipFile.extractall).
        return Cell::new(
            "legacy",
            Outcome::Refused,
            None,
            format!(
                "restore on {tv} extracts every member first and fails on the damaged one ({e}); nothing is restored"
            ),
        );
    }
    if let Some(why) = &f.extract_fails {
        return Cell::new(
            "legacy",
            Outcome::Refused,
            Some(Code::TargetArchiveCorrupt),
            format!("restore on {tv} extracts every member first and fails: {why}; nothing is restored"),
        );
    }
    let mut cell = Cell::restores("legacy");
    stage_files(s, t, f, &mut cell);
    cell
}

/// C8 (spec §5.5): premium targets restore Stage and Composer from `stage_data`/`composer_data`.
fn stage_files(s: &Subject, t: &Target, f: &RestoreFacts, cell: &mut Cell) {
    let tv = t.version;
    let Some(sv) = s.version else { return };
    if t.edition != Edition::Premium || tv < v(4, 0, 1) || s.era.format() != Format::Legacy {
        return;
    }
    let mut failures = Vec::new();
    if sv > v(4, 0, 0) && !f.has_stage_data {
        let message = format!(
            "premium {tv} restores Stage for snapshots from 4.0.1 on and stage_data is missing; the restore fails after the database was restored"
        );
        if sv >= v(4, 3, 0) {
            failures.push(message);
        } else {
            cell.warnings.push((Code::TargetFileRequired, message));
        }
    }
    let composer_needed = sv >= v(4, 2, 0) && (tv < v(6, 0, 0) || f.composer_revision);
    if composer_needed && !f.has_composer_data {
        failures.push(format!(
            "premium {tv} with a Composer database restores composer_data for snapshots from 4.2 on, and it is missing; psql fails after the database was restored"
        ));
    }
    if !failures.is_empty() {
        let warnings = std::mem::take(&mut cell.warnings);
        *cell = Cell::new("legacy", Outcome::Aborts, Some(Code::TargetFileRequired), failures.join("; "));
        cell.warnings = warnings;
    }
}

/// The new path (7.0.x `scan_snapshot`, `_new_restore`).
fn new_path(s: &Subject, t: &Target, f: &RestoreFacts, line: Line) -> Cell {
    let tv = t.version;
    let cell = |outcome, code, message| Cell::new("new", outcome, code, message);
    match s.era {
        Era::N1 if line == Line::V7_0_0 => cell(
            Outcome::Aborts,
            Some(Code::TargetFormatUnsupported),
            format!(
                "7.0.0's new-format restore expects the N0 layout (mgmt/<type>/<i>.json): on {tv} it restores Composer and Stage, then fails with UnicodeDecodeError reading tenants/<t>/plugins/<id>.zip as a dump; the tenants' entities are not restored"
            ),
        ),
        Era::N0 if line == Line::V7_0_1 && f.n0_archive_items => cell(
            Outcome::Aborts,
            Some(Code::TargetFormatUnsupported),
            format!(
                "{tv} restore does not understand the 7.0.0 (N0) layout: it skips mgmt/<type>/ (users, tenants, permissions lost) and looks for plugin and blueprint archives under tenants/<t>/<type>/, not <type>_archives/, so the REST client fails with TypeError on the first one; restore on 7.0.0"
            ),
        ),
        Era::N0 if line == Line::V7_0_1 => cell(
            Outcome::Partial,
            Some(Code::TargetFormatUnsupported),
            format!(
                "{tv} restore does not understand the 7.0.0 (N0) layout: its scanner skips mgmt/<type>/ as 'Unexpected file', so users, tenants, groups and permissions are lost; restore on 7.0.0"
            ),
        ),
        Era::N0 | Era::N1 => {
            let abort = f.data_error.as_ref().map(|e| (e, true));
            let abort = abort.or(f.new_path_abort.as_ref().map(|(e, reported)| (e, *reported)));
            let abort = abort.or(f.ui_aborts.first().map(|e| (e, true)));
            let mut c = if let Some((e, reported)) = abort {
                cell(
                    Outcome::Aborts,
                    (!reported).then_some(Code::TargetRestoreAborts),
                    format!(
                        "restore on {tv} fails part-way ({e}): entities after it in the restore order are not restored"
                    ),
                )
            } else if let Some(e) = &f.new_path_partial {
                cell(Outcome::Partial, None, format!("restore on {tv} completes but loses content ({e})"))
            } else {
                Cell::restores("new")
            };
            if let Some(sv) = s.version.filter(|sv| *sv > tv) {
                c.warnings.push((
                    Code::TargetVersionUnchecked,
                    format!("the snapshot is from {sv}, newer than {tv}, and new-format restore runs no version check: entities may not fit the older schema"),
                ));
            }
            c
        }
        era => {
            let id = era.info().id;
            match f.ui_aborts.first() {
                Some(file) => cell(
                    Outcome::Aborts,
                    Some(Code::TargetRoutesNewPath),
                    format!(
                        "on {tv} this {id} archive takes the new-format restore path (metadata.json lacks a revision key): its files are skipped as 'Unexpected file' and Stage restore fails with AttributeError on {file}; nothing of the snapshot is restored"
                    ),
                ),
                None => cell(
                    Outcome::RestoresNothing,
                    Some(Code::TargetRoutesNewPath),
                    format!(
                        "on {tv} this {id} archive takes the new-format restore path (metadata.json lacks a revision key): all its files (pg_data, agents.json, …) are skipped as 'Unexpected file', so nothing is restored and the execution reports success"
                    ),
                ),
            }
        }
    }
}

/// `INCLUDES['stage']` and `INCLUDES['composer']` of 7.0.x `snapshots/__init__.py`.
const STAGE: [&str; 6] = ["blueprint-layouts", "configuration", "page-groups", "pages", "templates", "widgets"];
const COMPOSER: [&str; 3] = ["blueprints", "configuration", "favorites"];

/// The files the 7.0.x new path hands to a Composer or Stage client attribute that does not
/// exist (`SnapshotRestore.scan_snapshot`: the entity is the name up to its **last** dot;
/// `_new_restore_composer` / `_new_restore_stage`: `getattr(client, entity)` raises
/// AttributeError and restore aborts). `stage/<t>/<entity>.*` is a per-tenant entity; Cloudify
/// writes only `ua` there. A top-level `stage/<x>.*` whose `x` is not a Stage entity is taken for
/// a tenant, and its file names are then used as entity names: it aborts too.
pub(crate) fn ui_aborting_files<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    fn entity(part: &str) -> &str {
        part.rfind('.').map_or("", |dot| &part[..dot])
    }
    names
        .filter(|name| !name.ends_with('/') && (name.starts_with("composer/") || name.starts_with("stage/")))
        .filter(|name| {
            let parts: Vec<&str> = name.split('/').collect();
            match parts.as_slice() {
                ["composer", file] => !COMPOSER.contains(&entity(file)),
                ["stage", file] => !STAGE.contains(&entity(file)),
                ["stage", tenant, file, ..] if !STAGE.contains(tenant) => {
                    let e = entity(file).replace('-', "_");
                    e != "ua" && !STAGE.iter().any(|s| s.replace('-', "_") == e)
                }
                _ => false,
            }
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests;
