//! New-format payload checks (N0, N1; spec §3.5, §3.6, §5.3.8, rules D1–D13) and their preview
//! counts and security inventory.
//!
//! [`inspect`] walks the file list the way 7.x restore's `scan_snapshot` does (7.0.0's layout
//! for N0, 7.0.1+'s for N1), parses each JSON envelope once into a `Value`, keeps only ids and
//! hashed dedup keys, and drops it. [`conclude`] turns what was kept into the cross-file
//! reference checks and the counts.

mod archives;
mod classify;
mod envelopes;
mod inventory;

use super::content::Facts;
use super::version::Version;
use super::{Ctx, Era, Semantics};
use crate::Error;
use crate::code::Code;
use crate::report::{ContentCounts, Finding};
use crate::zip::{Archive, Entry};
use archives::SNIFF_LIMIT;
use classify::{COMPOSER_ENTITIES, Class, Item, STAGE_ENTITIES, is_json};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// What the new-format quick phase hands to [`conclude`]: ids and hashed keys only.
#[derive(Debug, Default)]
pub(crate) struct NewState {
    /// Tenants restore discovers: `tenants/<t>/` directory entries.
    tenants: BTreeSet<String>,
    /// Dedup keys per counted type, hashed with the tenant (restore dedups per tenant).
    keys: BTreeMap<&'static str, HashSet<u64>>,
    /// `(tenant, id)` of blueprint and plugin items, for D6, D7 and D12.
    blueprints: BTreeSet<(String, String)>,
    plugins: BTreeSet<(String, String)>,
    /// Ids of blueprints with global visibility, usable from any tenant.
    global_blueprints: BTreeSet<String>,
    deployments: BTreeSet<(String, String)>,
    /// `(tenant, deployment, blueprint)` as deployments refer to blueprints.
    deployment_refs: BTreeSet<(String, String, String)>,
    /// `(tenant, deployment)` node instances belong to.
    instance_refs: BTreeSet<(String, String)>,
    /// Tenant names the `mgmt/` tenants dumps list.
    mgmt_tenants: BTreeSet<String>,
    /// Dumps not read (budget or damage), and whether any was a mgmt or tenant dump.
    unread: u64,
    unread_bytes: u64,
    unread_mgmt: bool,
    unread_tenant: bool,
    /// Archives sniffed, and those left out after [`SNIFF_LIMIT`].
    sniffs: u64,
    unsniffed: u64,
}

/// The quick phase: D1–D11, D13, the security inventory and the tenant preview.
pub(crate) fn inspect(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    let era = sem.era.unwrap_or(Era::N1);
    let mut out = Vec::new();
    let mut st = NewState::default();
    let n0b = era == Era::N0 && sem.version.is_some_and(|v| v >= Version::new(7, 0, 1));
    if era == Era::N0 && !n0b {
        out.push(Finding::new(
            Code::NewFormatVariant,
            "a 7.0.0 new-format (N0) archive: only a 7.0.0 manager restores it; 7.0.1+ restore skips its mgmt/<type>/ files as unexpected and looks for tenant dumps and archives elsewhere, so it restores almost nothing",
        ));
    }
    if ctx.opts.restore_certificates {
        // 7.0.4 snapshots/snapshot_restore.py SnapshotRestore.restore returns after
        // _new_restore, before _restore_certificate (spec §11.3).
        out.push(Finding::new(
            Code::CertificatesIgnored,
            "with --restore-certificates: 7.x restores a new-format snapshot through the new path, which ignores the flag (it returns before restoring certificates) and new-format snapshots carry no ssl/: the target keeps its own certificates",
        ));
    }
    let files = scan(ctx.archive, &mut st);
    sem.info.tenants = st.tenants.iter().cloned().collect();
    tenant_dirs(&st, &files, &mut out);
    let filed = walk(ctx, sem, &mut st, &mut out, era, &files)?;
    if n0b {
        out.insert(0, n0b_variant(sem, &st));
    }
    archives::missing(era, &st, &files, &mut out);
    archives::unreferenced(era, &st, &filed.archives, &mut out);
    archives::check(ctx, &mut st, &mut out, filed.archives)?;
    composer_blueprints(&filed.composer, &mut out);
    stage_tenants(&st, filed.stage_tenants, &mut out);
    ctx.findings.extend(out);
    sem.newfmt = st;
    Ok(())
}

/// Restore-critical members of a new-format archive, checked by every sampled data pass: what
/// restore's scanner files as `metadata.json`, a `mgmt/` or tenant dump (the envelopes), or a
/// Stage or Composer JSON dump.
pub(crate) fn restore_critical(era: Era, name: &str) -> bool {
    match classify::classify(era, name) {
        Class::Metadata | Class::Dump(_) => true,
        Class::Composer(_) | Class::Stage { .. } => is_json(name),
        _ => false,
    }
}

/// D1 for the N0b sub-era (spec §11.6): what each restore finds in a 7.0.0 layout labelled
/// 7.0.1 or later. 7.0.0 files `tenants/<t>/<type>/…` by type and looks archives up in
/// `<type>_archives/` (7.0.0 snapshots/snapshot_restore.py `scan_snapshot`,
/// `_get_associated_archive`); 7.0.1+ takes only `mgmt/*.json` and looks archives up in
/// `tenants/<t>/<type>/` (7.0.4, same functions).
fn n0b_variant(sem: &Semantics, st: &NewState) -> Finding {
    let version = sem.info.snapshot_version.as_deref().unwrap_or("?");
    let lost = if st.plugins.is_empty() && st.blueprints.is_empty() {
        "it restores the tenant dumps only: users, tenants, user groups and permissions are lost".to_owned()
    } else {
        format!(
            "it restores the tenant dumps up to the first plugin or blueprint ({} plugins, {} blueprints), whose archive it does not find: the REST client gets no file and restore aborts with TypeError",
            st.plugins.len(),
            st.blueprints.len()
        )
    };
    Finding::new(
        Code::NewFormatVariant,
        format!(
            "snapshot_version {} with the 7.0.0 layout (mgmt/<type>/<i>.json, tenants/<t>/<type>/<i>.json, archives in tenants/<t>/<type>_archives/): a 7.1 development build or test resource written before cloudify-manager PR #4219 (sub-era N0b). A 7.0.0 manager restores it (the new path checks no version). 7.0.1+ restore skips the mgmt/<type>/ files as unexpected and looks for archives in tenants/<t>/<type>/: {lost}",
            clip(version)
        ),
    )
}

/// The files as restore sees them, and the tenants it discovers. Python's NameToInfo: the last
/// copy of a name wins. Sorted, as restore reads dumps.
fn scan<'a>(archive: &'a Archive, st: &mut NewState) -> BTreeMap<&'a str, &'a Entry> {
    let mut files: BTreeMap<&str, &Entry> = BTreeMap::new();
    for e in &archive.entries {
        if !e.is_dir() {
            files.insert(&e.name, e);
        } else if let ["tenants", t] = e.name.trim_matches('/').split('/').collect::<Vec<_>>()[..] {
            // scan_snapshot: a tenant is exactly a directory entry `tenants/<t>/`.
            st.tenants.insert(t.to_owned());
        }
    }
    files
}

/// D2: files of an undiscovered tenant are never restored; a discovered tenant without files
/// makes 7.0.1–7.0.4 iterate None.
fn tenant_dirs(st: &NewState, files: &BTreeMap<&str, &Entry>, out: &mut Vec<Finding>) {
    let mut tenant_files: BTreeMap<&str, usize> = BTreeMap::new();
    for name in files.keys() {
        if let ["tenants", t, _, ..] = name.split('/').collect::<Vec<_>>()[..] {
            let tally = tenant_files.entry(t).or_default();
            *tally = tally.saturating_add(1);
        }
    }
    for (t, n) in &tenant_files {
        if !st.tenants.contains(*t) {
            out.push(Finding::new(
                Code::TenantDirMissing,
                format!("{n} files sit under tenants/{t}/ but there is no 'tenants/{t}/' directory entry; restore discovers tenants only from those entries, so it silently skips all of tenant '{t}'"),
            ).at_path(format!("tenants/{t}/")));
        }
    }
    for t in st.tenants.iter().filter(|t| !tenant_files.contains_key(t.as_str())) {
        out.push(Finding::new(
            Code::TenantEmpty,
            format!("tenant '{t}' has a directory entry but no files; 7.0.1–7.0.4 restore then iterates None and probably crashes with TypeError"),
        ).at_path(format!("tenants/{t}/")));
    }
}

/// What [`walk`] set aside for the checks across files.
struct Filed<'a> {
    /// `(entity, path)` of the `composer/` files.
    composer: Vec<(&'a str, &'a str)>,
    /// The tenants of `stage/<tenant>/` folders.
    stage_tenants: BTreeSet<&'a str>,
    /// The nested archives, by the item they belong to.
    archives: Vec<(Item, &'a Entry)>,
}

/// Files each entry as restore's scanner does and checks what it reads (D1, D3–D5, D11, D13).
fn walk<'a>(
    ctx: &mut Ctx,
    sem: &mut Semantics,
    st: &mut NewState,
    out: &mut Vec<Finding>,
    era: Era,
    files: &BTreeMap<&'a str, &'a Entry>,
) -> Result<Filed<'a>, Error> {
    let mut composer: Vec<(&str, &str)> = Vec::new();
    let mut stage_tenants: BTreeSet<&str> = BTreeSet::new();
    let mut archives: Vec<(Item, &Entry)> = Vec::new();
    let mut next = crate::report::BOUND_FROM;
    for (&name, &entry) in files {
        crate::report::cap_when_grown(out, ctx.omitted, &mut next);
        match classify::classify(era, name) {
            Class::Metadata => {}
            Class::Dump(scope) => envelopes::dump(ctx, sem, st, out, era, entry, scope)?,
            Class::Archive(kind) => archives.push((kind, entry)),
            Class::Composer(entity) => {
                composer.push((entity, name));
                if !COMPOSER_ENTITIES.contains(&entity) && !entity.starts_with("blueprints.") {
                    out.push(Finding::new(
                        Code::UnexpectedFile,
                        format!("Composer has no '{}' entity; restore looks up a Composer client of that name and probably fails", clip(entity)),
                    ).at_path(name));
                }
                if is_json(name) {
                    envelopes::ui_dump(ctx, st, out, entry, entity)?;
                }
            }
            Class::Stage { tenant, entity } => {
                match tenant {
                    Some(t) => {
                        stage_tenants.insert(t);
                    }
                    None if !STAGE_ENTITIES.contains(&entity) => out.push(Finding::new(
                        Code::StageEntryUnexpected,
                        format!("'{}' is not a Stage entity ({}); restore takes it for a tenant folder and fails on it", clip(entity), STAGE_ENTITIES.join(", ")),
                    ).at_path(name)),
                    None => {}
                }
                if is_json(name) {
                    envelopes::ui_dump(ctx, st, out, entry, entity)?;
                }
            }
            Class::StageNested => out.push(
                Finding::new(
                    Code::StageEntryUnexpected,
                    "restore reads only stage/<entity>.<ext> and stage/<tenant>/<entity>.<ext>; a deeper path is mis-filed",
                )
                .at_path(name),
            ),
            Class::Unexpected(why) => {
                out.push(Finding::new(Code::UnexpectedFile, format!("restore skips this file: {why}")).at_path(name))
            }
        }
    }

    Ok(Filed { composer, stage_tenants, archives })
}

/// D9: exactly one blueprints JSON and one blueprints snapshot, or `_new_restore_composer` raises
/// (7.0.4 snapshots/snapshot_restore.py). A `blueprints.<a>.<b>` file is entity `blueprints.<a>`
/// there, which the Composer client lacks: `getattr` raises AttributeError.
fn composer_blueprints(composer: &[(&str, &str)], out: &mut Vec<Finding>) {
    for (entity, name) in composer.iter().filter(|(e, _)| e.starts_with("blueprints.")) {
        out.push(Finding::new(
            Code::ComposerBlueprintsCount,
            format!("restore takes '{}' for a Composer entity (the name up to its last dot) and aborts with AttributeError: the blueprints snapshot must be one blueprints.<ext> file with a single extension next to blueprints.json", clip(entity)),
        ).at_path(*name));
    }
    let blueprints: Vec<&str> = composer.iter().filter(|(e, _)| *e == "blueprints").map(|(_, n)| *n).collect();
    if !blueprints.is_empty() {
        let json = blueprints.iter().filter(|n| is_json(n)).count();
        let message = if json != 1 {
            Some("Cannot find blueprints' metadata in composer snapshot.")
        } else if blueprints.len().saturating_sub(1) != 1 {
            Some("Cannot find blueprints' snapshot in composer snapshot.")
        } else {
            None
        };
        if let Some(m) = message {
            out.push(Finding::new(
                Code::ComposerBlueprintsCount,
                format!("restore fails: \"{m}\" (composer/ needs exactly one blueprints.json and one other blueprints.* file; it holds {})", blueprints.join(", ")),
            ).at_path("composer/"));
        }
    }
}

/// D10: per-tenant Stage folders must name tenants restore creates, and no tenant may be named
/// like a Stage entity (restore files `stage/<entity>.*` and `stage/<tenant>/` in one dict).
fn stage_tenants(st: &NewState, stage_tenants: BTreeSet<&str>, out: &mut Vec<Finding>) {
    let tenants = if st.unread_mgmt || st.mgmt_tenants.is_empty() { &st.tenants } else { &st.mgmt_tenants };
    for t in stage_tenants {
        let why = if STAGE_ENTITIES.contains(&t) {
            format!(
                "tenant '{t}' is named like a Stage entity; restore files stage/{t}/ and stage/{t}.* together and fails"
            )
        } else if !tenants.contains(t) {
            format!(
                "stage/{t}/ holds Stage data for '{t}', which is not a tenant of this snapshot; restore posts it to Stage for a tenant that does not exist"
            )
        } else {
            continue;
        };
        out.push(Finding::new(Code::StageEntryUnexpected, why).at_path(format!("stage/{t}/")));
    }
}

/// D12, the counts, and the note that they are lower bounds when dumps went unread.
pub(crate) fn conclude(ctx: &mut Ctx, sem: &mut Semantics, _facts: Vec<(usize, Facts)>) {
    let st = std::mem::take(&mut sem.newfmt);
    let mut out = Vec::new();
    // With a tenant dump unread, a "missing" blueprint or deployment may just be unread.
    if !st.unread_tenant {
        for (t, dep, bp) in &st.deployment_refs {
            if !st.blueprints.contains(&(t.clone(), bp.clone())) && !st.global_blueprints.contains(bp) {
                out.push(Finding::new(
                    Code::DanglingReference,
                    format!("deployment '{dep}' of tenant '{t}' uses blueprint '{bp}', which the snapshot does not hold (neither in the tenant nor global); restoring the deployment fails"),
                ));
            }
        }
        for (t, dep) in &st.instance_refs {
            if !st.deployments.contains(&(t.clone(), dep.clone())) {
                out.push(Finding::new(
                    Code::DanglingReference,
                    format!("node instances of tenant '{t}' belong to deployment '{dep}', which the snapshot does not hold; restoring them fails"),
                ));
            }
        }
    }
    let n = |ty: &str| Some(st.keys.get(ty).map_or(0, |k| k.len() as u64));
    sem.info.counts = ContentCounts {
        tenants: if st.keys.contains_key("tenants") { n("tenants") } else { Some(st.tenants.len() as u64) },
        blueprints: n("blueprints"),
        deployments: n("deployments"),
        plugins: n("plugins"),
        agents: n("agents"),
        secrets: n("secrets"),
        users: n("users"),
        executions: n("executions"),
        events: n("events"),
    };
    if st.unread > 0 {
        out.push(Finding::new(
            Code::QuickLimit,
            format!(
                "{} new-format JSON files ({} bytes) were not read (over the quick JSON budget, or damaged: see their findings); the counts are lower bounds and the item, archive{} checks cover only the files read",
                st.unread,
                st.unread_bytes,
                if st.unread_tenant { " and reference (D12: skipped)" } else { " and reference" }
            ),
        ));
    }
    if st.unsniffed > 0 {
        out.push(Finding::new(
            Code::QuickLimit,
            format!("{} nested archives past the first {SNIFF_LIMIT} were not sniffed", st.unsniffed),
        ));
    }
    ctx.findings.extend(out);
}

/// A `type` read from a file, shown only when it looks like a type name: a malformed file may
/// hold anything there, even a secret's value.
fn shown(ty: &str) -> String {
    let name =
        ty.len() <= 40 && ty.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if name { format!("'{ty}'") } else { "(not a type name)".into() }
}

/// Text from the archive shown in a message: bounded, so a hostile name cannot flood the report.
fn clip(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}
