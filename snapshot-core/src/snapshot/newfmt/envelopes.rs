//! The JSON dumps (D3–D5, D11): the `{type, items}` envelope, the item fields restore requires,
//! ids for the cross-file checks and hashed dedup keys for the counts.

use super::classify::{MGMT_TYPES, Scope};
use super::inventory::inventory;
use super::{NewState, shown};
use crate::Error;
use crate::code::Code;
use crate::report::{Effect, Finding};
use crate::snapshot::{Ctx, Era, Semantics, json_kind};
use crate::zip::Entry;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
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
/// Types whose envelope names the deployment or execution its items belong to (N1 `source_id`).
const SOURCED: [&str; 5] = ["nodes", "node_instances", "agents", "events", "tasks_graphs"];
/// The types the preview counts (`ContentCounts`).
const COUNTED: [&str; 9] =
    ["tenants", "blueprints", "deployments", "plugins", "agents", "secrets", "users", "executions", "events"];

/// Reads a JSON file. When the spent quick budget leaves it out it is skipped quietly and
/// counted, so one `quick-limit` finding covers them all; oversized or damaged members get
/// `Ctx`'s own findings.
pub(super) fn read(
    ctx: &mut Ctx,
    st: &mut NewState,
    entry: &Entry,
    scope: Option<Scope>,
) -> Result<Option<Result<Value, String>>, Error> {
    let size = entry.uncompressed_size;
    let skip = size > ctx.json_budget && size <= ctx.opts.limits.max_json_member;
    let parsed = if skip { None } else { ctx.read_json(entry)? };
    if parsed.is_none() {
        st.unread = st.unread.saturating_add(1);
        st.unread_bytes = st.unread_bytes.saturating_add(size);
        st.unread_mgmt |= matches!(scope, Some(Scope::Mgmt));
        st.unread_tenant |= matches!(scope, Some(Scope::Tenant { .. }));
    }
    Ok(parsed)
}

/// Checks the `{type, items}` shape (D3). For Stage and Composer (`ui`), `configuration` holds
/// an object of files; every other `items` is a list.
pub(super) fn envelope(parsed: Result<Value, String>, ui: Option<&str>) -> Result<Map<String, Value>, String> {
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

pub(super) fn invalid(name: &str, why: &str) -> Finding {
    Finding::new(Code::EnvelopeInvalid, format!("not a dump restore can load: {why}")).at_path(name)
}

/// A Stage or Composer JSON file: D3 only (the UI backends own the items).
pub(super) fn ui_dump(
    ctx: &mut Ctx,
    st: &mut NewState,
    out: &mut Vec<Finding>,
    entry: &Entry,
    ui: &str,
) -> Result<(), Error> {
    if let Some(Err(why)) = read(ctx, st, entry, None)?.map(|parsed| envelope(parsed, Some(ui))) {
        out.push(invalid(&entry.name, &why));
    }
    Ok(())
}

/// A `mgmt/` or tenant dump: D3–D5, D11, ids and dedup keys, the security inventory.
pub(super) fn dump(
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

    let Some(ty) = restored_type(out, name, ty, scope) else { return Ok(()) };
    let source = source(out, name, era, ty, &map, scope);
    let tenant = match scope {
        Scope::Mgmt => None,
        Scope::Tenant { tenant, .. } => Some(tenant),
    };
    check_items(st, out, name, ty, tenant, source, items);
    Ok(())
}

/// Dump types whose items have archives (`_get_associated_archive` in 7.0.x's restore).
const ARCHIVE_TYPES: [&str; 3] = ["blueprints", "plugins", "deployments"];

/// The type restore processes this dump as, if any: a known type in its right scope.
fn restored_type(out: &mut Vec<Finding>, name: &str, ty: &str, scope: Scope) -> Option<&'static str> {
    let Some(ty) = KNOWN_TYPES.iter().copied().find(|k| *k == ty) else {
        out.push(
            Finding::new(
                Code::EnvelopeUnknownType,
                format!("type {} is not one restore processes; it silently ignores this file", shown(ty)),
            )
            .at_path(name),
        );
        return None;
    };
    let mgmt = matches!(scope, Scope::Mgmt);
    if mgmt != MGMT_TYPES.contains(&ty) {
        let why = if mgmt {
            format!(
                "mgmt/ dumps hold only tenants, permissions, user_groups and users; restore ignores this '{ty}' dump"
            )
        } else {
            format!("'{ty}' is read only from mgmt/; restore ignores this dump in a tenant folder")
        };
        let finding = Finding::new(Code::EnvelopeUnknownType, why).at_path(name);
        // A mgmt/ dump of a type with archives aborts 7.0.x restore (see Effect::MgmtArchiveType).
        out.push(if mgmt && ARCHIVE_TYPES.contains(&ty) {
            finding.with_effect(Effect::MgmtArchiveType)
        } else {
            finding
        });
        return None;
    }

    Some(ty)
}

/// D11, and the deployment or execution the dump's items belong to.
fn source<'a>(
    out: &mut Vec<Finding>,
    name: &str,
    era: Era,
    ty: &str,
    map: &'a Map<String, Value>,
    scope: Scope<'a>,
) -> Option<&'a str> {
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
    match scope {
        Scope::Tenant { dir: Some(_), stem, .. } => Some(stem),
        _ => source_id,
    }
}

/// D5, ids and dedup keys. Restore never reads an undiscovered tenant (D2 says so): its items
/// are neither counted nor cross-checked.
fn check_items(
    st: &mut NewState,
    out: &mut Vec<Finding>,
    name: &str,
    ty: &'static str,
    tenant: Option<&str>,
    source: Option<&str>,
    items: &[Value],
) {
    let restored = tenant.is_none_or(|t| st.tenants.contains(t));
    let key = dedup_key(ty);
    let required: Vec<&str> = key.iter().chain(extra_required(ty)).copied().collect();
    let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
    let mut not_objects = 0usize;
    let t = tenant.unwrap_or_default();
    for item in items {
        let Some(obj) = item.as_object() else {
            not_objects = not_objects.saturating_add(1);
            continue;
        };
        for f in required.iter().copied().filter(|f| !obj.contains_key(*f)) {
            let tally = missing.entry(f).or_default();
            *tally = tally.saturating_add(1);
        }
        if !restored {
            continue;
        }
        if COUNTED.contains(&ty) {
            st.keys.entry(ty).or_default().insert(key_hash(tenant, key, obj));
        }
        note_ids(st, ty, t, obj, source);
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
}

/// Records the ids the cross-file checks (D6, D7, D10, D12) need from one item.
fn note_ids(st: &mut NewState, ty: &str, t: &str, obj: &Map<String, Value>, source: Option<&str>) {
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

/// Restore's per-type dedup key (§3.6); it is also required.
pub(super) fn dedup_key(ty: &str) -> &'static [&'static str] {
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
pub(super) fn extra_required(ty: &str) -> &'static [&'static str] {
    match ty {
        "blueprints" => &["main_file_name"],
        "plugins" => &["uploaded_at", "title", "created_by"],
        _ => &[],
    }
}

/// A dedup key, hashed so that millions of events cost 8 bytes each rather than their text.
pub(super) fn key_hash(tenant: Option<&str>, key: &[&str], obj: &Map<String, Value>) -> u64 {
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
