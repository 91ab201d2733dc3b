//! How 7.x restore's scanner files each entry (§5.3.8 for N1; 7.0.0's scanner for N0, §3.5),
//! and where it looks for an item's archive.

use crate::snapshot::Era;

/// The types restore reads from `mgmt/`; all others are read per tenant.
pub(super) const MGMT_TYPES: [&str; 4] = ["tenants", "permissions", "user_groups", "users"];
/// 7.0.0's per-tenant folders (§3.5): dumps by type, sub-entities and events by source id
/// (restore takes their type from the folder), and the archives. Not the same list as
/// `envelopes::KNOWN_TYPES` (the `type` values 7.0.1+ restore dispatches on): 7.0.0 files events
/// under two folders of its own and keeps the `mgmt/` types apart, so each release's list is
/// kept as that release's code has it.
pub(super) const N0_TENANT_DIRS: [&str; 21] = [
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
pub(super) const STAGE_ENTITIES: [&str; 6] =
    ["blueprint-layouts", "configuration", "page-groups", "pages", "templates", "widgets"];
pub(super) const COMPOSER_ENTITIES: [&str; 3] = ["blueprints", "configuration", "favorites"];

/// A dump's scope: `mgmt/`, or a tenant's folder (N0: with its type folder and file stem).
#[derive(Clone, Copy)]
pub(super) enum Scope<'a> {
    Mgmt,
    Tenant { tenant: &'a str, dir: Option<&'a str>, stem: &'a str },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    Blueprint,
    Plugin,
    Deployment,
}

/// How restore's scanner files an entry (§5.3.8 for N1; 7.0.0's scanner for N0, §3.5).
pub(super) enum Class<'a> {
    Metadata,
    Dump(Scope<'a>),
    Archive(Item),
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
pub(super) fn archive_place(era: Era, kind: Item) -> (&'static str, &'static str) {
    match (era, kind) {
        (Era::N0, Item::Blueprint) => ("blueprints_archives", ".zip"),
        (Era::N0, Item::Plugin) => ("plugins_archives", ".zip"),
        (Era::N0, Item::Deployment) => ("deployments_archives", ".b64zip"),
        (_, Item::Blueprint) => ("blueprints", ".tar.gz"),
        (_, Item::Plugin) => ("plugins", ".zip"),
        (_, Item::Deployment) => ("deployments", ".b64zip"),
    }
}

pub(super) fn is_json(name: &str) -> bool {
    name.ends_with(".json")
}

/// The entity a UI file stands for: the name up to its last dot, as `scan_snapshot` takes it
/// (`rpartition('.')`, 7.0.0 and 7.0.4 snapshots/snapshot_restore.py), so `blueprints.tar.gz`
/// is entity `blueprints.tar`, not one of the `composer/blueprints.*` files.
pub(super) fn entity(file: &str) -> &str {
    file.rsplit_once('.').map_or("", |(stem, _)| stem)
}

pub(super) fn classify(era: Era, name: &str) -> Class<'_> {
    let parts: Vec<&str> = name.split('/').collect();
    let n0 = era == Era::N0;
    let archive = |dir: &str| {
        [Item::Blueprint, Item::Plugin, Item::Deployment].into_iter().find(|k| archive_place(era, *k).0 == dir)
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
