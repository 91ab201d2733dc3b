//! New-format payload checks (N0, N1; spec §3.5, §3.6, §5.3.8, rules D1–D13) and their preview
//! counts and security inventory.
//!
//! [`inspect`] walks the file list the way 7.x restore's `scan_snapshot` does (7.0.0's layout
//! for N0, 7.0.1+'s for N1), parses each JSON envelope once into a `Value`, keeps only ids and
//! hashed dedup keys, and drops it. [`conclude`] turns what was kept into the cross-file
//! reference checks and the counts.

use super::base64;
use super::content::Facts;
use super::{Ctx, Era, Semantics, json_kind};
use crate::Error;
use crate::code::Code;
use crate::report::{ContentCounts, Finding, SecretKind};
use crate::source::read_full;
use crate::zip::{Entry, METHOD_DEFLATE, METHOD_STORED};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

/// The dump types restore processes (`_new_restore_parse_and_restore`, §3.6); any other `type`
/// is silently ignored.
const KNOWN_TYPES: [&str; 24] = [
    "tenants",
    "permissions",
    "user_groups",
    "users",
    "sites",
    "plugins",
    "secrets_providers",
    "secrets",
    "blueprints",
    "deployments",
    "deployment_groups",
    "nodes",
    "node_instances",
    "agents",
    "inter_deployment_dependencies",
    "executions",
    "execution_groups",
    "events",
    "deployment_updates",
    "plugins_update",
    "deployments_filters",
    "blueprints_filters",
    "tasks_graphs",
    "execution_schedules",
];
/// The types restore reads from `mgmt/`; all others are read per tenant.
const MGMT_TYPES: [&str; 4] = ["tenants", "permissions", "user_groups", "users"];
/// Types whose envelope names the deployment or execution its items belong to (N1 `source_id`).
const SOURCED: [&str; 5] = ["nodes", "node_instances", "agents", "events", "tasks_graphs"];
/// The types the preview counts (`ContentCounts`).
const COUNTED: [&str; 9] =
    ["tenants", "blueprints", "deployments", "plugins", "agents", "secrets", "users", "executions", "events"];
/// 7.0.0's per-tenant folders (§3.5): dumps by type, sub-entities and events by source id
/// (restore takes their type from the folder), and the archives.
const N0_TENANT_DIRS: [&str; 21] = [
    "sites",
    "plugins",
    "secrets_providers",
    "secrets",
    "blueprints",
    "deployments",
    "inter_deployment_dependencies",
    "deployment_groups",
    "executions",
    "execution_groups",
    "deployment_updates",
    "plugins_update",
    "deployments_filters",
    "blueprints_filters",
    "execution_schedules",
    "nodes",
    "node_instances",
    "agents",
    "tasks_graphs",
    "executions_events",
    "execution_groups_events",
];
const STAGE_ENTITIES: [&str; 6] =
    ["blueprint-layouts", "configuration", "page-groups", "pages", "templates", "widgets"];
const COMPOSER_ENTITIES: [&str; 3] = ["blueprints", "configuration", "favorites"];
/// Nested archives up to this size are read whole (zip end record, full base64 decode); larger
/// ones only have their first bytes sniffed.
const READ_WHOLE: u64 = 1 << 20;
/// Most archives sniffed, so a hostile list of a million archives stays cheap.
const SNIFF_LIMIT: u64 = 20_000;

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

/// A dump's scope: `mgmt/`, or a tenant's folder (N0: with its type folder and file stem).
#[derive(Clone, Copy)]
enum Scope<'a> {
    Mgmt,
    Tenant { tenant: &'a str, dir: Option<&'a str>, stem: &'a str },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blueprint,
    Plugin,
    Deployment,
}

/// How restore's scanner files an entry (§5.3.8 for N1; 7.0.0's scanner for N0, §3.5).
enum Class<'a> {
    Metadata,
    Dump(Scope<'a>),
    Archive(Kind),
    Composer(&'a str),
    Stage {
        tenant: Option<&'a str>,
        entity: &'a str,
    },
    StageNested,
    /// Logged as "Unexpected file in snapshot", or filed where restore never reads; says why.
    Unexpected(&'static str),
}

/// Where restore looks for an item's archive, per era: folder and fixed suffix.
fn archive_place(era: Era, kind: Kind) -> (&'static str, &'static str) {
    match (era, kind) {
        (Era::N0, Kind::Blueprint) => ("blueprints_archives", ".zip"),
        (Era::N0, Kind::Plugin) => ("plugins_archives", ".zip"),
        (Era::N0, Kind::Deployment) => ("deployments_archives", ".b64zip"),
        (_, Kind::Blueprint) => ("blueprints", ".tar.gz"),
        (_, Kind::Plugin) => ("plugins", ".zip"),
        (_, Kind::Deployment) => ("deployments", ".b64zip"),
    }
}

fn is_json(name: &str) -> bool {
    name.ends_with(".json")
}

/// The entity a UI file stands for: the name up to its first dot, so `blueprints.tar.gz` is one
/// of the `composer/blueprints.*` files of §5.3.8.
fn entity(file: &str) -> &str {
    file.split_once('.').map_or("", |(stem, _)| stem)
}

fn classify(era: Era, name: &str) -> Class<'_> {
    let parts: Vec<&str> = name.split('/').collect();
    let n0 = era == Era::N0;
    let archive = |dir: &str| {
        [Kind::Blueprint, Kind::Plugin, Kind::Deployment].into_iter().find(|k| archive_place(era, *k).0 == dir)
    };
    match parts[..] {
        ["metadata.json"] => Class::Metadata,
        ["composer", f] => Class::Composer(entity(f)),
        ["stage", f] => Class::Stage { tenant: None, entity: entity(f) },
        ["stage", t, f] => Class::Stage { tenant: Some(t), entity: entity(f) },
        ["stage", ..] => Class::StageNested,
        ["mgmt", f] if !n0 && is_json(f) => Class::Dump(Scope::Mgmt),
        ["mgmt", dir, f] if n0 && MGMT_TYPES.contains(&dir) && is_json(f) => Class::Dump(Scope::Mgmt),
        ["mgmt", _, _, ..] if !n0 => {
            Class::Unexpected("7.0.1+ restore reads only mgmt/<file>.json; N0-style mgmt/<type>/ paths are skipped")
        }
        ["mgmt", ..] if n0 => {
            Class::Unexpected("7.0.0 restore reads only mgmt/{tenants,permissions,user_groups,users}/*.json")
        }
        ["tenants", t, f] if !n0 && is_json(f) => Class::Dump(Scope::Tenant { tenant: t, dir: None, stem: f }),
        ["tenants", _, dir, f] if archive(dir).is_some() => match archive(dir) {
            Some(kind) if f.ends_with(archive_place(era, kind).1) => Class::Archive(kind),
            _ => Class::Unexpected("restore looks archives up by item id with the folder's fixed suffix"),
        },
        ["tenants", t, dir, f] if n0 && N0_TENANT_DIRS.contains(&dir) && is_json(f) => {
            Class::Dump(Scope::Tenant { tenant: t, dir: Some(dir), stem: f.trim_end_matches(".json") })
        }
        ["tenants", _, _] if n0 => {
            Class::Unexpected("7.0.0 restore reads tenant dumps only from tenants/<t>/<type>/ folders")
        }
        ["tenants", _, _, _, ..] if n0 => Class::Unexpected("7.0.0 restore does not read this folder"),
        ["tenants", _, _, _, ..] => Class::Unexpected(
            "7.0.1+ restore reads tenant dumps only directly under tenants/<t>/, and archives only from its blueprints/, plugins/ and deployments/ folders",
        ),
        ["mgmt", _] | ["tenants", _, _] => Class::Unexpected("only files named *.json are read as dumps"),
        _ => Class::Unexpected("restore's scanner classifies no such path"),
    }
}

/// The quick phase: D1–D11, D13, the security inventory and the tenant preview.
pub(crate) fn inspect(ctx: &mut Ctx, sem: &mut Semantics) -> Result<(), Error> {
    let era = sem.era.unwrap_or(Era::N1);
    let archive = ctx.archive;
    let mut out = Vec::new();
    let mut st = NewState::default();
    if era == Era::N0 {
        out.push(Finding::new(
            Code::NewFormatVariant,
            "a 7.0.0 new-format (N0) archive: only a 7.0.0 manager restores it; 7.0.1+ restore skips its mgmt/<type>/ files as unexpected and looks for tenant dumps and archives elsewhere, so it restores almost nothing",
        ));
    }

    // Python's NameToInfo: the last copy of a name wins. Sorted, as restore reads dumps.
    let mut files: BTreeMap<&str, &Entry> = BTreeMap::new();
    for e in &archive.entries {
        if !e.is_dir() {
            files.insert(&e.name, e);
        } else if let ["tenants", t] = e.name.trim_matches('/').split('/').collect::<Vec<_>>()[..] {
            // scan_snapshot: a tenant is exactly a directory entry `tenants/<t>/`.
            st.tenants.insert(t.to_owned());
        }
    }
    sem.info.tenants = st.tenants.iter().cloned().collect();

    // D2: files of an undiscovered tenant are never restored; a discovered tenant without files
    // makes 7.0.1–7.0.4 iterate None.
    let mut tenant_files: BTreeMap<&str, usize> = BTreeMap::new();
    for name in files.keys() {
        if let ["tenants", t, _, ..] = name.split('/').collect::<Vec<_>>()[..] {
            *tenant_files.entry(t).or_default() += 1;
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

    let mut composer: Vec<(&str, &str)> = Vec::new();
    let mut stage_tenants: BTreeSet<&str> = BTreeSet::new();
    let mut archives: Vec<(Kind, &Entry)> = Vec::new();
    for (&name, &entry) in &files {
        match classify(era, name) {
            Class::Metadata => {}
            Class::Dump(scope) => dump(ctx, sem, &mut st, &mut out, era, entry, scope)?,
            Class::Archive(kind) => archives.push((kind, entry)),
            Class::Composer(entity) => {
                composer.push((entity, name));
                if !COMPOSER_ENTITIES.contains(&entity) {
                    out.push(Finding::new(
                        Code::UnexpectedFile,
                        format!("Composer has no '{}' entity; restore looks up a Composer client of that name and probably fails", clip(entity)),
                    ).at_path(name));
                }
                if is_json(name) {
                    ui_dump(ctx, &mut st, &mut out, entry, entity)?;
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
                    ui_dump(ctx, &mut st, &mut out, entry, entity)?;
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

    // D6, D7: each blueprint and plugin item needs its archive where restore looks for it.
    for (kind, items) in [(Kind::Blueprint, &st.blueprints), (Kind::Plugin, &st.plugins)] {
        let (dir, suffix) = archive_place(era, kind);
        let (code, what) = match kind {
            Kind::Blueprint => (Code::BlueprintArchiveMissing, "blueprint"),
            _ => (Code::PluginArchiveMissing, "plugin"),
        };
        for (t, id) in items {
            let path = format!("tenants/{t}/{dir}/{id}{suffix}");
            if files.contains_key(path.as_str()) {
                continue;
            }
            let prefix = format!("tenants/{t}/{dir}/{id}.");
            let near = files.range(prefix.as_str()..).next().filter(|(n, _)| n.starts_with(&prefix));
            let near = near.map_or(String::new(), |(n, _)| {
                format!(" ({n} is there, but restore looks only for the {suffix} name)")
            });
            out.push(Finding::new(
                code,
                format!("{what} '{id}' of tenant '{t}' has no archive at {path}{near}; restore cannot upload it (\"Error restoring {what} {id}\") and whatever uses it fails too"),
            ).at_path(path));
        }
    }

    // D6–D8: the archives are what their names say.
    for (kind, entry) in archives {
        if let Some(problem) = nested_problem(ctx, &mut st, kind, entry)? {
            let consequence = match kind {
                Kind::Blueprint => {
                    "restore uploads it as the blueprint archive, which must be a zip, tar, tar.gz or tar.bz2"
                }
                Kind::Plugin => "restore uploads it as the plugin's zip of wagon and plugin YAML",
                Kind::Deployment => {
                    "restore hands it to the REST service as the deployment's base64-encoded zip of its working directory"
                }
            };
            out.push(
                Finding::new(Code::NestedArchiveInvalid, format!("{problem}; {consequence}")).at_path(&entry.name),
            );
        }
    }

    // D9: exactly one blueprints JSON and one blueprints snapshot, or `_new_restore_composer` raises.
    let blueprints: Vec<&str> = composer.iter().filter(|(e, _)| *e == "blueprints").map(|(_, n)| *n).collect();
    if !blueprints.is_empty() {
        let json = blueprints.iter().filter(|n| is_json(n)).count();
        let message = if json != 1 {
            Some("Cannot find blueprints' metadata in composer snapshot.")
        } else if blueprints.len() - 1 != 1 {
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

    // D10: per-tenant Stage folders must name tenants restore creates, and no tenant may be named
    // like a Stage entity (restore files stage/<entity>.* and stage/<tenant>/ in one dict).
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

    ctx.findings.extend(capped(out));
    sem.newfmt = st;
    Ok(())
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
    ctx.findings.extend(capped(out));
}

/// Reads a JSON file. When the spent quick budget leaves it out it is skipped quietly and
/// counted, so one `quick-limit` finding covers them all; oversized or damaged members get
/// `Ctx`'s own findings.
fn read(
    ctx: &mut Ctx,
    st: &mut NewState,
    entry: &Entry,
    scope: Option<Scope>,
) -> Result<Option<Result<Value, String>>, Error> {
    let size = entry.uncompressed_size;
    let skip = size > ctx.json_budget && size <= ctx.opts.limits.max_json_member;
    let parsed = if skip { None } else { ctx.read_json(entry)? };
    if parsed.is_none() {
        st.unread += 1;
        st.unread_bytes = st.unread_bytes.saturating_add(size);
        st.unread_mgmt |= matches!(scope, Some(Scope::Mgmt));
        st.unread_tenant |= matches!(scope, Some(Scope::Tenant { .. }));
    }
    Ok(parsed)
}

/// Checks the `{type, items}` shape (D3). For Stage and Composer (`ui`), `configuration` holds
/// an object of files; every other `items` is a list.
fn envelope(parsed: Result<Value, String>, ui: Option<&str>) -> Result<Map<String, Value>, String> {
    let map = match parsed.map_err(|e| format!("it is not valid JSON ({e})"))? {
        Value::Object(map) => map,
        other => return Err(format!("it holds a JSON {}, not an object", json_kind(&other))),
    };
    let Some(ty) = map.get("type").and_then(Value::as_str) else {
        return Err("it has no string 'type'".into());
    };
    let object = ui.is_some_and(|e| e == "configuration" || ty == "configuration");
    match map.get("items") {
        Some(Value::Array(_)) if !object => Ok(map),
        Some(Value::Object(_)) if object => Ok(map),
        None => Err("it has no 'items'".into()),
        Some(v) => {
            Err(format!("its 'items' is a JSON {}, not {}", json_kind(v), if object { "an object" } else { "a list" }))
        }
    }
}

fn invalid(name: &str, why: &str) -> Finding {
    Finding::new(Code::EnvelopeInvalid, format!("not a dump restore can load: {why}")).at_path(name)
}

/// A Stage or Composer JSON file: D3 only (the UI backends own the items).
fn ui_dump(ctx: &mut Ctx, st: &mut NewState, out: &mut Vec<Finding>, entry: &Entry, ui: &str) -> Result<(), Error> {
    if let Some(Err(why)) = read(ctx, st, entry, None)?.map(|parsed| envelope(parsed, Some(ui))) {
        out.push(invalid(&entry.name, &why));
    }
    Ok(())
}

/// A `mgmt/` or tenant dump: D3–D5, D11, ids and dedup keys, the security inventory.
fn dump(
    ctx: &mut Ctx,
    sem: &mut Semantics,
    st: &mut NewState,
    out: &mut Vec<Finding>,
    era: Era,
    entry: &Entry,
    scope: Scope,
) -> Result<(), Error> {
    let name = entry.name.as_str();
    let Some(parsed) = read(ctx, st, entry, Some(scope))? else { return Ok(()) };
    let map = match envelope(parsed, None) {
        Ok(map) => map,
        Err(why) => {
            out.push(invalid(name, &why));
            return Ok(());
        }
    };
    let declared = map.get("type").and_then(Value::as_str).unwrap_or("");
    // 7.0.0 reads events and sub-entity files by folder and never looks at their `type`.
    let ty = match scope {
        Scope::Tenant { dir: Some("executions_events" | "execution_groups_events"), .. } => "events",
        Scope::Tenant { dir: Some(d @ ("nodes" | "node_instances" | "agents" | "tasks_graphs")), .. } => d,
        _ => declared,
    };
    let items = map.get("items").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    // The inventory covers every file, restored or not: the values are in the archive either way.
    inventory(sem, name, ty, items);

    let Some(ty) = KNOWN_TYPES.iter().copied().find(|k| *k == ty) else {
        out.push(
            Finding::new(
                Code::EnvelopeUnknownType,
                format!("type {} is not one restore processes; it silently ignores this file", shown(ty)),
            )
            .at_path(name),
        );
        return Ok(());
    };
    let (tenant, mgmt) = match scope {
        Scope::Mgmt => (None, true),
        Scope::Tenant { tenant, .. } => (Some(tenant), false),
    };
    if mgmt != MGMT_TYPES.contains(&ty) {
        let why = if mgmt {
            format!(
                "mgmt/ dumps hold only tenants, permissions, user_groups and users; restore ignores this '{ty}' dump"
            )
        } else {
            format!("'{ty}' is read only from mgmt/; restore ignores this dump in a tenant folder")
        };
        out.push(Finding::new(Code::EnvelopeUnknownType, why).at_path(name));
        return Ok(());
    }

    // D11: N1 names the owner of sub-entities and events in the envelope (N0 in the file name).
    let source_id = map.get("source_id").and_then(Value::as_str).filter(|s| !s.is_empty());
    if era == Era::N1 && SOURCED.contains(&ty) {
        let mut lacks = Vec::new();
        if source_id.is_none() {
            lacks.push("source_id");
        }
        if ty == "events"
            && !matches!(map.get("source").and_then(Value::as_str), Some("executions" | "execution_groups"))
        {
            lacks.push("source (executions or execution_groups)");
        }
        if !lacks.is_empty() {
            out.push(Finding::new(
                Code::EnvelopeSourceMissing,
                format!("this '{ty}' dump lacks {}; restore cannot tell which deployment or execution its items belong to", lacks.join(" and ")),
            ).at_path(name));
        }
    }
    let source = match scope {
        Scope::Tenant { dir: Some(_), stem, .. } => Some(stem),
        _ => source_id,
    };

    // D5, ids and dedup keys. Restore never reads an undiscovered tenant (D2 says so): its items
    // are neither counted nor cross-checked.
    let restored = tenant.is_none_or(|t| st.tenants.contains(t));
    let key = dedup_key(ty);
    let required: Vec<&str> = key.iter().chain(extra_required(ty)).copied().collect();
    let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
    let mut not_objects = 0;
    let t = tenant.unwrap_or_default();
    for item in items {
        let Some(obj) = item.as_object() else {
            not_objects += 1;
            continue;
        };
        for f in required.iter().copied().filter(|f| !obj.contains_key(*f)) {
            *missing.entry(f).or_default() += 1;
        }
        if !restored {
            continue;
        }
        if COUNTED.contains(&ty) {
            st.keys.entry(ty).or_default().insert(key_hash(tenant, key, obj));
        }
        let text = |f: &str| obj.get(f).and_then(Value::as_str);
        match (ty, text("id")) {
            ("tenants", _) => {
                if let Some(n) = text("name") {
                    st.mgmt_tenants.insert(n.to_owned());
                }
            }
            ("blueprints", Some(id)) => {
                st.blueprints.insert((t.to_owned(), id.to_owned()));
                if text("visibility") == Some("global") {
                    st.global_blueprints.insert(id.to_owned());
                }
            }
            ("plugins", Some(id)) => {
                st.plugins.insert((t.to_owned(), id.to_owned()));
            }
            ("deployments", Some(id)) => {
                st.deployments.insert((t.to_owned(), id.to_owned()));
                if let Some(bp) = text("blueprint_id") {
                    st.deployment_refs.insert((t.to_owned(), id.to_owned(), bp.to_owned()));
                }
            }
            ("node_instances", _) => {
                if let Some(dep) = text("deployment_id").or(source) {
                    st.instance_refs.insert((t.to_owned(), dep.to_owned()));
                }
            }
            _ => {}
        }
    }
    let total = items.len();
    if not_objects > 0 {
        out.push(
            Finding::new(
                Code::EnvelopeItemInvalid,
                format!("{not_objects} of {total} '{ty}' items are not JSON objects; restore crashes on them"),
            )
            .at_path(name),
        );
    }
    for (field, n) in missing {
        out.push(Finding::new(
            Code::EnvelopeItemInvalid,
            format!("{n} of {total} '{ty}' items lack the field '{field}', which restore requires; it crashes with KeyError"),
        ).at_path(name));
    }
    Ok(())
}

/// Restore's per-type dedup key (§3.6); it is also required.
fn dedup_key(ty: &str) -> &'static [&'static str] {
    match ty {
        "sites" | "tenants" | "user_groups" => &["name"],
        "permissions" => &["role", "permission"],
        "events" => &["timestamp", "message"],
        "secrets" => &["key"],
        "users" => &["username"],
        _ => &["id"],
    }
}

/// Fields the REST client's restore reads besides the dedup key (§5.3.8).
fn extra_required(ty: &str) -> &'static [&'static str] {
    match ty {
        "blueprints" => &["main_file_name"],
        "plugins" => &["uploaded_at", "title", "created_by"],
        _ => &[],
    }
}

/// A dedup key, hashed so that millions of events cost 8 bytes each rather than their text.
fn key_hash(tenant: Option<&str>, key: &[&str], obj: &Map<String, Value>) -> u64 {
    let mut h = DefaultHasher::new();
    tenant.hash(&mut h);
    for f in key {
        match obj.get(*f) {
            Some(Value::String(s)) => s.hash(&mut h),
            Some(v) => v.to_string().hash(&mut h),
            None => 0u8.hash(&mut h),
        }
    }
    h.finish()
}

/// S1 for the new format (§6): counts of non-empty sensitive values, never the values.
fn inventory(sem: &mut Semantics, name: &str, ty: &str, items: &[Value]) {
    let filled = |v: Option<&Value>| match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    };
    let count = |get: &dyn Fn(&Value) -> Option<&Value>| items.iter().filter(|i| filled(get(i))).count() as u64;
    match ty {
        "secrets" => {
            // Exported decrypted (`encrypted: false`); a true flag means the value is ciphertext.
            let encrypted = |i: &Value| i.get("encrypted").and_then(Value::as_bool) == Some(true);
            let clear = count(&|i| i.get("value").filter(|_| !encrypted(i)));
            let sealed = count(&|i| i.get("value").filter(|_| encrypted(i)));
            sem.add_secret(SecretKind::ClearSecret, format!("{name}: secrets"), clear);
            sem.add_secret(SecretKind::EncryptedSecret, format!("{name}: secrets"), sealed);
        }
        "tenants" | "agents" => sem.add_secret(
            SecretKind::BrokerPassword,
            format!("{name}: {ty}.rabbitmq_password"),
            count(&|i| i.get("rabbitmq_password")),
        ),
        "users" => sem.add_secret(
            SecretKind::PasswordHash,
            format!("{name}: users.password_hash"),
            count(&|i| i.get("password_hash")),
        ),
        "node_instances" => sem.add_secret(
            SecretKind::BrokerPassword,
            format!("{name}: node_instances.broker_pass"),
            count(&|i| {
                let agent = i.pointer("/runtime_properties/cloudify_agent")?;
                agent.pointer("/broker_config/broker_pass").or_else(|| agent.get("broker_pass"))
            }),
        ),
        _ => {}
    }
}

/// What is wrong with a nested archive, if anything: small ones are read whole (zip end record,
/// full base64 decode), larger ones only sniffed for their magic number.
fn nested_problem(ctx: &mut Ctx, st: &mut NewState, kind: Kind, entry: &Entry) -> Result<Option<String>, Error> {
    let size = entry.uncompressed_size;
    let small = size <= READ_WHOLE.min(ctx.json_budget).min(ctx.opts.limits.max_json_member);
    let bytes = if small {
        ctx.read_small(entry)?
    } else if st.sniffs >= SNIFF_LIMIT {
        st.unsniffed += 1;
        None
    } else {
        st.sniffs += 1;
        head(ctx, entry)?
    };
    let Some(bytes) = bytes else { return Ok(None) };
    let whole = bytes.len() as u64 == size;
    let problem = match kind {
        Kind::Deployment => match base64::decode(&bytes, base64::Mode::Strict, whole) {
            Err(why) => Some(why.to_string()),
            Ok(zip) => zip_problem(&zip, whole),
        },
        Kind::Plugin => zip_problem(&bytes, whole),
        Kind::Blueprint if bytes.starts_with(b"PK") => zip_problem(&bytes, whole),
        Kind::Blueprint => {
            let known = bytes.starts_with(&[0x1f, 0x8b])
                || bytes.starts_with(b"BZh")
                || bytes.get(257..262) == Some(b"ustar".as_slice());
            (!known).then(|| "it is not a zip, gzip, bzip2 or tar file".to_string())
        }
    };
    Ok(problem)
}

fn zip_problem(bytes: &[u8], whole: bool) -> Option<String> {
    if bytes.is_empty() {
        return Some("it is empty".into());
    }
    if !bytes.starts_with(b"PK") {
        return Some("it is not a zip file".into());
    }
    // A zip ends with its end record, within a 64 KiB comment of the end.
    let tail = &bytes[bytes.len().saturating_sub(22 + 0xFFFF)..];
    (whole && !tail.windows(4).any(|w| w == b"PK\x05\x06")).then(|| "it starts like a zip but has no end record".into())
}

/// The first bytes of an entry (enough for magic numbers), decompressing at most 16 KiB.
fn head(ctx: &Ctx, entry: &Entry) -> Result<Option<Vec<u8>>, Error> {
    const WANT: usize = 512;
    let Some(at) = entry.data_offset.filter(|_| entry.readable) else { return Ok(None) };
    let mut input = vec![0; entry.compressed_size.min(16 << 10) as usize];
    let got = read_full(ctx.src, at, &mut input)?;
    input.truncate(got);
    let want = WANT.min(usize::try_from(entry.uncompressed_size).unwrap_or(WANT));
    match entry.method {
        METHOD_STORED => {
            input.truncate(want);
            Ok(Some(input))
        }
        METHOD_DEFLATE => {
            let mut out = vec![0; want];
            let mut d = flate2::Decompress::new(false);
            // A corrupt stream is the data pass's finding, not a nested-archive one.
            if d.decompress(&input, &mut out, flate2::FlushDecompress::None).is_err() {
                return Ok(None);
            }
            out.truncate(d.total_out() as usize);
            Ok(Some(out))
        }
        _ => Ok(None),
    }
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

/// Keeps the first few findings of each code and sums up the rest in one more, so an archive
/// with a million bad files still gives a readable report.
fn capped(findings: Vec<Finding>) -> Vec<Finding> {
    let cap = |code| if code == Code::DanglingReference { 5 } else { 20 };
    let mut seen: BTreeMap<Code, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for f in findings {
        let n = seen.entry(f.code).or_default();
        *n += 1;
        if *n <= cap(f.code) {
            out.push(f);
        }
    }
    for (code, n) in seen.into_iter().filter(|(c, n)| *n > cap(*c)) {
        out.push(Finding::new(code, format!("{} more findings like these were left out", n - cap(code))));
    }
    out
}
