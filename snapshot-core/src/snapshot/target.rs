//! Restore prediction (spec §5.3–§5.5, rules B4–B6, B11, C8, D1, D13): which managers accept the
//! snapshot, and for `--target-version`, the message Cloudify's restore would fail with.

use super::restore_table::{Cell, KNOWN_RELEASES, Line, RestoreFacts, Subject, Target, decide, ui_aborting_files};
use super::version::Version;
use super::{Ctx, Era, Format, Semantics};
use crate::code::{Code, Family, Severity};
use crate::report::{Compatibility, Edition, Effect, Finding, Outcome, Runtime, TargetPrediction, VersionRange};

const fn v(a: u32, b: u32, c: u32) -> Version {
    Version::new(a, b, c)
}

/// The newest manager line the spec covers.
const NEWEST: Version = v(7, 0, 99);

pub(crate) fn predict(ctx: &mut Ctx, sem: &mut Semantics) {
    let Some(era) = sem.era else { return };
    let subject = Subject {
        era,
        keyed: ["schema_revision", "stage_schema_revision", "composer_schema_revision"]
            .iter()
            .all(|k| sem.metadata.contains_key(*k)),
        version: sem.version,
        version_text: sem.info.snapshot_version.clone().unwrap_or_else(|| "?".into()),
        events_flag_missing: sem.info.metadata.has_cloudify_events.is_none(),
    };
    let facts = restore_facts(ctx, sem, era);
    // Target-independent errors: an archive that fails verification is restorable nowhere.
    let blocking = ctx.findings.iter().find(|f| f.severity == Severity::Error).map(at);
    let accepted_by = if blocking.is_some() { Vec::new() } else { accepted_ranges(&subject, &facts) };
    sem.info.compatibility = Compatibility { accepted_by, target: None };
    advise(ctx, sem, era);

    let Some(target_text) = ctx.opts.target_version.clone() else { return };
    let Some(t) = Version::parse(&target_text) else {
        ctx.push(Finding::new(
            Code::TargetUnknownVersion,
            format!("the target version '{target_text}' is not a version; no prediction was made"),
        ));
        return;
    };
    let target = Target { version: t, edition: ctx.opts.edition, runtime: ctx.opts.runtime };
    let mut out: Vec<Finding> = Vec::new();
    if t < v(3, 3, 0) || t > NEWEST {
        out.push(Finding::new(
            Code::TargetUnknownVersion,
            format!("target {t} is outside the versions the spec covers (3.3 – 7.0.x); the prediction follows the nearest known version"),
        ));
    }
    let cell = decide(&subject, &target, &facts);
    let mut messages = Vec::new();
    match cell.code {
        Some(code) => out.push(Finding::new(code, cell.message.clone()).severity(Severity::Error)),
        None if cell.outcome != Outcome::Restores => messages.push(cell.message.clone()),
        None => {}
    }
    for (code, message) in &cell.warnings {
        out.push(Finding::new(*code, message.clone()).severity(Severity::Warning));
    }
    if ctx.opts.runtime == Runtime::Kubernetes && t < v(7, 0, 1) {
        messages.push(format!(
            "no Kubernetes manager restores differently before 7.0.1: the runtime does not change restore on {t}"
        ));
    }
    if let Some(b) = &blocking {
        messages.push(format!("not restorable: the archive fails verification ({b})"));
    }
    let restorable = cell.outcome == Outcome::Restores && blocking.is_none();
    conclude(ctx, sem, t, (target_text, cell, restorable), messages, out);
}

/// "code at path" for messages.
fn at(f: &Finding) -> String {
    match &f.path {
        Some(p) => format!("{} at {p}", f.code.as_str()),
        None => f.code.as_str().to_string(),
    }
}

/// What the archive's content tells the table (see [`RestoreFacts`]).
fn restore_facts(ctx: &mut Ctx, sem: &Semantics, era: Era) -> RestoreFacts {
    let has = |n: &str| ctx.archive.by_name(n).is_some();
    let error = |f: &&Finding| f.severity == Severity::Error;
    let ui_aborts = ui_aborting_files(ctx.archive.entries.iter().map(|e| e.name.as_str()));
    if era.format() == Format::New {
        // Target-independent: only 7.x restores new-format archives, and both 7.0 lines abort.
        for file in &ui_aborts {
            ctx.push(
                Finding::new(
                    Code::UiEntryAborts,
                    "restore hands this file to a Composer/Stage client attribute named by the file name up to its last dot, which does not exist: AttributeError, restore aborts",
                )
                .at_path(file),
            );
        }
    }
    let findings = &*ctx.findings;
    let counts = &sem.info.counts;
    let abort_codes = [
        Code::EnvelopeInvalid,
        Code::EnvelopeItemInvalid,
        Code::PluginArchiveMissing,
        Code::BlueprintArchiveMissing,
        Code::ComposerBlueprintsCount,
        Code::UiEntryAborts,
    ];
    // Shapes Python's zipfile refuses to open, which the table needs; the zip checks record
    // them as codes and effects (zip/names.rs, zip/extra.rs), never as message text.
    let effect = |e: Effect| move |f: &&Finding| f.effect == Some(e);
    let unopenable = findings.iter().find(|f| f.code == Code::NameNotUtf8 || effect(Effect::ArchiveUnopenable)(f));
    let mgmt_archive_type = findings.iter().find(effect(Effect::MgmtArchiveType));
    let extract_fails = findings.iter().find(effect(Effect::ExtractFails));
    RestoreFacts {
        has_stage_data: has("stage_data"),
        has_composer_data: has("composer_data"),
        composer_revision: sem.info.metadata.composer_schema_revision.as_deref().is_some_and(|r| !r.is_empty()),
        ui_aborts,
        n0_archive_items: era == Era::N0 && (counts.plugins.unwrap_or(0) > 0 || counts.blueprints.unwrap_or(0) > 0),
        data_error: findings.iter().filter(error).find(|f| f.code.family() == Family::Data).map(at),
        unopenable: unopenable.map(|f| format!("{} ({})", at(f), f.message)),
        metadata_broken: findings.iter().find_map(|f| match f.code {
            Code::MetadataInvalidJson => Some(false),
            Code::MetadataNotObject => Some(true),
            _ => None,
        }),
        extract_fails: extract_fails.map(|f| format!("{} ({})", at(f), f.message)),
        new_path_abort: findings
            .iter()
            .find(|f| (error(f) && abort_codes.contains(&f.code)) || f.code == Code::TenantEmpty)
            .map(|f| (at(f), error(&f)))
            .or(mgmt_archive_type.map(|f| (at(f), false))),
        new_path_partial: findings.iter().filter(error).find(|f| f.code == Code::TenantDirMissing).map(at),
    }
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

/// Target-dependent adjustments and advice, then the prediction itself.
fn conclude(
    ctx: &mut Ctx,
    sem: &mut Semantics,
    t: Version,
    (version, cell, restorable): (String, Cell, bool),
    mut messages: Vec<String>,
    mut out: Vec<Finding>,
) {
    if t < v(6, 3, 0) {
        // Restore before 6.3 does not apply the archive's modes (A9 targets 6.3+).
        ctx.findings.retain(|f| f.code != Code::UnreadableMode);
    }
    if let Some(s) = sem.version
        && t > s
        && sem.info.counts.agents.unwrap_or(0) > 0
    {
        out.push(Finding::new(
            Code::AdviceInstallNewAgents,
            format!("after restoring onto the newer {t}, run the install_new_agents workflow ('cfy agents install') so the snapshot's agents connect to the new manager"),
        ));
    }
    let mut all: Vec<String> = out.iter().filter(|f| f.severity != Severity::Info).map(|f| f.message.clone()).collect();
    all.append(&mut messages);
    sem.info.compatibility.target = Some(TargetPrediction {
        version,
        edition: ctx.opts.edition,
        runtime: ctx.opts.runtime,
        restore_path: cell.route,
        outcome: cell.outcome,
        restorable,
        messages: all,
    });
    ctx.findings.extend(out);
}

/// The manager versions whose restore accepts the snapshot: [`decide`] for every known release
/// (and the snapshot's own version), both editions, single host; consecutive accepting releases
/// with the same note merge into one range. A range reaching the newest known release is open
/// (7.1+ is predicted as 7.0.4).
fn accepted_ranges(s: &Subject, f: &RestoreFacts) -> Vec<VersionRange> {
    let mut releases = KNOWN_RELEASES.to_vec();
    if let Some(sv) = s.version.filter(|sv| *sv >= v(3, 3, 0) && *sv <= NEWEST && !releases.contains(sv)) {
        releases.push(sv);
        releases.sort();
    }
    let newest = releases.last().copied().unwrap_or(NEWEST);
    let mut out: Vec<VersionRange> = Vec::new();
    let mut open: Option<(Version, Version, String)> = None;
    for r in releases {
        let ok = |edition| {
            let cell = decide(s, &Target { version: r, edition, runtime: Runtime::SingleHost }, f);
            (cell.outcome == Outcome::Restores).then_some(cell.route)
        };
        let note = match (ok(Edition::Premium), ok(Edition::Community)) {
            (None, None) => None,
            (p, c) => Some(range_note(s, r, p.or(c).unwrap_or("legacy"), p.is_some(), c.is_some())),
        };
        match (&mut open, note) {
            (Some((_, to, n)), Some(note)) if *n == note => *to = r,
            (cur, note) => {
                if let Some((from, to, n)) = cur.take() {
                    out.push(range(from, to, newest, n));
                }
                *cur = note.map(|n| (r, r, n));
            }
        }
    }
    if let Some((from, to, n)) = open {
        out.push(range(from, to, newest, n));
    }
    out
}

fn range(from: Version, to: Version, newest: Version, note: String) -> VersionRange {
    VersionRange { from: Some(from.to_string()), to: (to != newest).then(|| to.to_string()), note }
}

/// What holds on a range: the path, and the edition and runtime conditions.
fn range_note(s: &Subject, r: Version, route: &str, premium: bool, community: bool) -> String {
    let line = Line::of(r);
    let mut note = match (route, s.era.format()) {
        ("new", Format::New) => "new-format restore; no version check is made".to_string(),
        ("new", _) => "new-format restore path".to_string(),
        (_, Format::Elasticsearch) if line < Line::V4_0 => "Elasticsearch restore".to_string(),
        (_, Format::Elasticsearch) => "converted by estopg; premium managers need a new tenant name".to_string(),
        _ if line >= Line::V7_0_0 => {
            "legacy restore path (all three revision keys present); the manager must be empty (or --force); not on Kubernetes from 7.0.1".to_string()
        }
        _ => "legacy restore; the manager must be empty (or --force)".to_string(),
    };
    match (premium, community) {
        (true, false) => note.push_str("; premium managers only"),
        (false, true) => note.push_str(
            "; community managers only: premium managers also restore Stage and Composer, and this archive lacks stage_data or composer_data",
        ),
        _ => {}
    }
    note
}

/// Bytes for people: binary units with one decimal.
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = n as f64;
    let mut i = 0;
    while x >= 1024.0 && i < UNITS.len().saturating_sub(1) {
        x /= 1024.0;
        i = i.saturating_add(1);
    }
    if i == 0 { format!("{n} B") } else { format!("{x:.1} {}", UNITS[i]) }
}
