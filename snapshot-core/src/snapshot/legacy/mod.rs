//! Legacy payload checks (E0–L6; spec §3.1–3.4, §3.7, rules C1–C15) and their preview counts
//! and security inventory.
//!
//! The quick phase ([`inspect`]) works from names and sizes plus the small JSON members; the
//! database dumps are streamed in the data pass ([`analyzer_for`]) and judged in [`conclude`].
//! Secret values are read only to be counted: findings and inventory items carry key names,
//! paths and counts.

mod agents;
mod certificates;
mod dumps;
mod es_data;
mod files;
mod json_files;
mod secrets;

use super::content::{Analyzer, Facts};
use super::sql::SqlScanner;
use super::target::human_bytes;
use super::version::Version;
use super::{Ctx, Era, Format, Semantics};
use crate::Error;
use crate::code::Code;
use crate::report::{Finding, Level};
use crate::zip::Archive;
use crate::zip::Entry;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) use es_data::{ES_TYPES, EsFacts};

const fn v(a: u32, b: u32, c: u32) -> Version {
    Version::new(a, b, c)
}

/// The database dumps at the archive root that the data pass streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dump {
    Pg,
    Stage,
    Composer,
    Es,
}

impl Dump {
    const ALL: [Dump; 4] = [Dump::Pg, Dump::Stage, Dump::Composer, Dump::Es];

    fn name(self) -> &'static str {
        match self {
            Dump::Pg => "pg_data",
            Dump::Stage => "stage_data",
            Dump::Composer => "composer_data",
            Dump::Es => "es_data",
        }
    }
}

/// What the legacy quick phase hands to [`conclude`].
#[derive(Debug, Default)]
pub(crate) struct LegacyState {
    /// Entry index of each dump, the last copy of its name (the one Python's restore reads).
    dumps: Vec<(usize, Dump)>,
}

/// Files restore creates in its own working directory (spec §3.4.1), with what they hold.
const RESTORE_TIME_FILES: &[(&str, &str)] = &[
    ("license.json", "the target's license"),
    ("config.dump", "a dump of the target's config tables"),
    ("permissions.dump", "a dump of the target's permissions table"),
    ("manager_tables.dump", "a dump of the target's manager tables"),
];

pub(crate) fn inspect(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    let a = ctx.archive;
    let pre4 = match sem.version {
        Some(s) => s < v(4, 0, 0),
        None => sem.era.map(Era::format) == Some(Format::Elasticsearch),
    };
    for d in Dump::ALL {
        if let Some(e) = a.by_name(d.name()).filter(|e| !e.is_dir()) {
            sem.legacy.dumps.push((e.index, d));
        }
    }
    payload(ctx, sem, pre4);
    let tenant_layout = preview(a, sem, pre4);
    agents::agents(ctx, sem)?;
    sem.info.tenants.sort();
    sem.info.tenants.dedup();
    if tenant_layout {
        sem.info.counts.tenants = Some(sem.info.tenants.len() as u64);
    }
    json_files::networks(ctx, sem)?;
    json_files::rest_security(ctx, sem)?;
    json_files::admin_account(ctx, sem)?;
    premium_dumps(ctx, sem);
    secrets::credentials(ctx, sem);
    restore_time_files(ctx);
    if let Some(e) = a.by_name("influxdb_data") {
        let never = if sem.version.is_some_and(|s| s >= v(5, 0, 0)) { "; 5.0+ managers never write it" } else { "" };
        ctx.push(
            Finding::new(
                Code::InfluxdbIgnored,
                format!(
                    "influxdb_data ({}) holds InfluxDB metrics (the snapshot was made with include_metrics): 3.3 – 4.6 managers restore them, 5.0 and later ignore the file{never}",
                    human_bytes(e.uncompressed_size)
                ),
            )
            .at_path(&e.name),
        );
    }
    secrets::key_files(a, sem);
    secrets::config_credentials(ctx, sem)?;
    certificates::certificates(ctx, sem);
    Ok(())
}

/// C1: the era's database dump, and dumps that are empty (pg_dump always writes a header).
fn payload(ctx: &mut Ctx, sem: &Semantics, pre4: bool) {
    let version = sem.info.snapshot_version.as_deref().unwrap_or("?");
    let (need, other) = if pre4 { ("es_data", "pg_data") } else { ("pg_data", "es_data") };
    if ctx.archive.by_name(need).is_none() {
        let instead = if ctx.archive.by_name(other).is_some() {
            format!(" (the archive has {other} instead, which does not match snapshot_version {version})")
        } else {
            String::new()
        };
        let why = if pre4 {
            "snapshots before 4.0 carry the manager's data in es_data; restore fails (4.x: \"Missing es dump file: …\")"
        } else {
            "snapshots from 4.0 on carry the manager database in pg_data and restore runs psql on it, which fails"
        };
        ctx.push(
            Finding::new(
                Code::PayloadMissing,
                format!("{need} is missing{instead}: {why}; use the archive exactly as the manager created it"),
            )
            .at_path(need),
        );
    }
    for (index, d) in &sem.legacy.dumps {
        let e = &ctx.archive.entries[*index];
        if *d != Dump::Es && e.uncompressed_size == 0 {
            let f = Finding::new(
                Code::SqlDumpInvalid,
                format!(
                    "{} is empty (0 bytes), so it is no pg_dump output (which always starts with a header): psql restores nothing from it; the dump failed when the snapshot was created, so create it again",
                    d.name()
                ),
            );
            ctx.push(f.at_path(&e.name));
        }
    }
}

/// F: tenants, blueprints, deployments and plugins from the file-server folders, and the
/// credentials and metrics flags. Returns whether paths are tenant-scoped (4.0+).
fn preview(a: &Archive, sem: &mut Semantics, pre4: bool) -> bool {
    // A 4.0 development build still wrote `uploaded-blueprints/<bp>/<bp>.<ext>`: a file two
    // levels down means the paths carry no tenant.
    let flat = pre4
        || a.entries
            .iter()
            .any(|e| !e.is_dir() && e.name.starts_with("uploaded-blueprints/") && e.name.split('/').count() == 3);
    let scoped = if flat { 1 } else { 2 };
    let mut tenants: BTreeSet<&str> = BTreeSet::new();
    let mut found: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    // The entries of one folder mostly follow each other: a value just added is not added again
    // (the sets are the same, with a tree lookup per folder instead of per entry).
    let (mut last_tenant, mut last_found) = (None, None);
    for e in &a.entries {
        let (top, nested) = match super::first_slash(&e.name) {
            Some(i) => (e.name.get(..i).unwrap_or_default(), true),
            None => (e.name.as_str(), false),
        };
        if !flat && matches!(top, "blueprints" | "uploaded-blueprints" | "deployments" | "tenant-resources") {
            let tenant = folder(&e.name, 1);
            if tenant.is_some() && tenant != last_tenant {
                tenants.extend(tenant);
                last_tenant = tenant;
            }
        }
        let depth = match top {
            "uploaded-blueprints" | "deployments" if nested => scoped,
            "plugins" if nested => 1,
            _ => continue,
        };
        let f = folder(&e.name, depth);
        if last_found != Some((top, f)) {
            found.entry(top).or_default().extend(f);
            last_found = Some((top, f));
        }
    }
    let count = |top: &str| found.get(top).map(|s| s.len() as u64);
    let c = &mut sem.info.counts;
    c.blueprints = count("uploaded-blueprints");
    c.deployments = count("deployments");
    c.plugins = count("plugins");
    sem.info.tenants.extend(tenants.into_iter().map(str::to_owned));
    let flags = &mut sem.info.flags;
    flags.include_credentials = a.entries.iter().any(|e| !e.is_dir() && e.name.starts_with("snapshot-credentials/"));
    flags.metrics = a.by_name("influxdb_data").is_some();
    !flat
}

/// The first `depth` components below the top folder of `name`, when they name folders (all
/// non-empty, and something follows them): a slice of the name, so counting costs no allocation.
fn folder(name: &str, depth: usize) -> Option<&str> {
    let rest = name.get(super::first_slash(name)?.saturating_add(1)..)?;
    // Split on the byte: a char pattern costs a searcher per component (this runs per entry).
    let mut parts = rest.as_bytes().split(|&b| b == b'/');
    let mut len = 0usize;
    for i in 0..depth {
        let p = parts.next().filter(|p| !p.is_empty())?;
        len = len.saturating_add(p.len()).saturating_add(usize::from(i > 0));
    }
    parts.next()?;
    rest.get(..len)
}

/// C8 without a target: a premium snapshot (its metadata has the Stage / Composer revision)
/// whose Stage or Composer dump is missing. With a target, `target.rs` says it precisely.
fn premium_dumps(ctx: &mut Ctx, sem: &Semantics) {
    if ctx.opts.target_version.is_some() {
        return;
    }
    let at_least = |x| sem.version.is_some_and(|s| s >= x);
    let has = |n: &str| ctx.archive.by_name(n).is_some();
    let mut out = Vec::new();
    if sem.metadata.contains_key("stage_schema_revision") && at_least(v(4, 0, 1)) && !has("stage_data") {
        out.push(Finding::new(
            Code::StageDataMissing,
            "metadata.json has stage_schema_revision (a premium snapshot) but stage_data is missing: premium managers restore Stage regardless and fail for snapshots from 4.3 on (older ones warn \"Could not restore stage\"); pass --target-version for a precise prediction",
        ).at_path("stage_data"));
    }
    if sem.metadata.contains_key("composer_schema_revision") && at_least(v(4, 2, 0)) && !has("composer_data") {
        out.push(Finding::new(
            Code::ComposerDataMissing,
            "metadata.json has composer_schema_revision (a premium snapshot) but composer_data is missing: premium managers with a Composer database run psql on it for snapshots from 4.2 on and fail; pass --target-version for a precise prediction",
        ).at_path("composer_data"));
    }
    ctx.findings.extend(out);
}

/// C14: files only restore itself creates.
fn restore_time_files(ctx: &mut Ctx) {
    let mut out = Vec::new();
    for e in ctx.archive.top_level() {
        let what = match RESTORE_TIME_FILES.iter().find(|(n, _)| *n == e.name) {
            Some((_, what)) => *what,
            None if e.name.ends_with(".new") || e.name.ends_with(".pre") => "a dump with restore's own SQL added",
            None => continue,
        };
        out.push(Finding::new(
            Code::RestoreTimeFile,
            format!(
                "'{}' is a file Cloudify's restore writes into its working directory ({what}); no snapshot contains it, so this archive was assembled by hand, probably from an extracted restore: re-create the snapshot with 'cfy snapshots create' or remove the file",
                e.name
            ),
        ).at_path(&e.name));
    }
    ctx.findings.extend(out);
}

/// Restore-critical members of a legacy (or 3.x) archive, checked by every sampled data pass:
/// the database dumps, `agents.json` and `rest-security.conf` (restore reads all of them).
pub(crate) fn restore_critical(name: &str) -> bool {
    Dump::ALL.iter().any(|d| d.name() == name) || matches!(name, "agents.json" | "rest-security.conf")
}

/// The data-pass analyzer of a dump at the archive root (nested archives are the `nested` module's).
pub(crate) fn analyzer_for(sem: &Semantics, entry: &Entry) -> Option<Box<dyn Analyzer>> {
    let (_, dump) = sem.legacy.dumps.iter().find(|(i, _)| *i == entry.index)?;
    Some(match dump {
        Dump::Es => Box::new(es_data::EsScanner::default()),
        _ => Box::new(SqlScanner::new()),
    })
}

pub(crate) fn conclude(ctx: &mut Ctx, sem: &mut Semantics, facts: Vec<(usize, Facts)>) {
    if ctx.opts.level == Level::Quick {
        let dumps: Vec<String> = sem
            .legacy
            .dumps
            .iter()
            .map(|(i, _)| &ctx.archive.entries[*i])
            .filter(|e| e.uncompressed_size > 0)
            .map(|e| format!("{} ({})", e.name, human_bytes(e.uncompressed_size)))
            .collect();
        if !dumps.is_empty() {
            let were = if dumps.len() == 1 { "was" } else { "were" };
            ctx.push(Finding::new(
                Code::QuickLimit,
                format!(
                    "{} not streamed at the quick level, so whether they are complete, what they hold (row counts, tenants, users) and the secrets in them are not in this report; run with --level full",
                    dumps.join(", ") + " " + were
                ),
            ));
        }
    }
    for (index, facts) in facts {
        let entry = &ctx.archive.entries[index];
        let dump = sem.legacy.dumps.iter().find(|(i, _)| *i == index).map(|(_, d)| *d);
        match (facts, dump) {
            (Facts::Sql(f), Some(dump)) => {
                dumps::sql(ctx, sem, dump, entry, &f);
                // C10/C11 need every row: a damaged or cut dump has its own findings.
                if dump == Dump::Pg && f.verified && f.header && f.open_copy.is_none() && f.complete {
                    files::rows_and_files(ctx, &f);
                }
            }
            (Facts::EsData(f), _) => es_data::es(ctx, sem, entry, &f),
            _ => {}
        }
    }
}

/// `1 thing`, `2 things`.
fn plural(n: u64, thing: &str) -> String {
    if n == 1 { format!("1 {thing}") } else { format!("{n} {thing}s") }
}
