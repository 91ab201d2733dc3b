//! C10, C11, C11a, C11b: the plugin, blueprint and deployment rows of `pg_data` against the
//! files restore puts next to them (spec §3.4.1, §11.5).
//!
//! Cloudify's side: the legacy restore extracts the whole archive and copies its `plugins/`,
//! `blueprints/`, `uploaded-blueprints/` and `deployments/` folders to the file server as they
//! are (7.0.4 and 6.4.2 `snapshots/snapshot_restore.py` `SnapshotRestore._restore_files_to_manager`
//! → `snapshots/utils.py` `copy_files_between_manager_and_snapshot`); the rows come from
//! `pg_data` (`_restore_db`). Nothing checks a row against its files there, so on 5.1+ a row
//! without files restores as an entity that breaks when used. 4.0–5.0.5 managers install every
//! plugin from its wagon during restore and fail on a missing one unless
//! `--ignore-plugin-failure` (4.5+; spec §5.3.4, cloudify-manager#1377, #2314: that code is not
//! bundled here, so the spec is the source). A deployment without its folder is fine: restore
//! creates the working directories (`_restore_deployment_envs`).

use super::super::sql::{Captured, SqlFacts};
use super::super::version::Version;
use super::super::{Ctx, sev};
use crate::code::Code;
use crate::report::Finding;
use std::collections::{BTreeMap, BTreeSet};

/// Findings per code shown; the rest are summed up in one more.
const CAP: usize = 20;
/// The suffixes `uploaded-blueprints/<t>/<bp>/<bp>.<ext>` may have.
const UPLOAD_SUFFIXES: [&str; 4] = [".zip", ".tar", ".tar.gz", ".tar.bz2"];

/// The rows' and files' findings, from a dump that was read whole and is not cut.
pub(super) fn rows_and_files(ctx: &mut Ctx, f: &SqlFacts) {
    let names: BTreeSet<&str> = ctx.archive.entries.iter().map(|e| e.name.as_str()).collect();
    let has_under = |prefix: &str| names.range(prefix..).next().is_some_and(|n| n.starts_with(prefix) && *n != prefix);
    // A table with a COPY block but no row kept has no entry in `captured`.
    let none = Captured::default();
    let table = |t: &str| f.rows(t).map(|_| f.captured.get(t).unwrap_or(&none));
    // 4.0.0 development builds keep blueprints without a tenant level (and without _tenant_id).
    let flat = ctx
        .archive
        .entries
        .iter()
        .any(|e| !e.is_dir() && e.name.starts_with("uploaded-blueprints/") && e.name.split('/').count() == 3);
    let tenants: BTreeMap<&str, &str> = table("tenants")
        .map(|c| c.rows.iter().filter_map(|r| Some((r[0].as_deref()?, r[1].as_deref()?))).collect())
        .unwrap_or_default();
    // The folder scope of a row: "" (flat), "<tenant>/", or None when the tenant is unknown.
    let scope = |tenant_id: &Option<String>| -> Option<String> {
        match tenant_id {
            _ if flat => Some(String::new()),
            None => None,
            Some(id) => tenants.get(id.as_str()).map(|t| format!("{t}/")),
        }
    };
    let target_installs = ctx
        .opts
        .target_version
        .as_deref()
        .and_then(Version::parse)
        .is_some_and(|t| t >= Version::new(4, 0, 0) && t < Version::new(5, 1, 0));
    let mut out = Vec::new();
    let mut unchecked = 0u64;
    let mut known: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();

    if let Some(plugins) = table("plugins") {
        unchecked = unchecked.saturating_add(plugins.unchecked);
        known.entry("plugins").or_default();
        for row in &plugins.rows {
            let Some(id) = row[0].as_deref() else { continue };
            known.entry("plugins").or_default().insert(format!("{id}/"));
            let (path, present) = match row[1].as_deref() {
                Some(archive) => {
                    (format!("plugins/{id}/{archive}"), names.contains(format!("plugins/{id}/{archive}").as_str()))
                }
                None => (format!("plugins/{id}/"), has_under(&format!("plugins/{id}/"))),
            };
            if !present {
                out.push(Finding::new(
                    Code::PluginFilesMissing,
                    format!("plugin '{}' (a row of pg_data's plugins table) has no wagon at {}: 4.0–5.0.5 restore installs each plugin from its wagon and fails (\"Failed to restore plugin …\") unless --ignore-plugin-failure (4.5+); 5.1+ restores the row without the file, so the plugin is listed but installing it, and every deployment that needs it, fails", clip(id), clip(&path)),
                )
                .severity(sev(target_installs))
                .at_path(path));
            }
        }
    }
    if let Some(blueprints) = table("blueprints") {
        unchecked = unchecked.saturating_add(blueprints.unchecked);
        known.entry("blueprints").or_default();
        for row in &blueprints.rows {
            let Some(id) = row[0].as_deref() else { continue };
            let Some(scope) = scope(&row[2]) else {
                unchecked = unchecked.saturating_add(1);
                continue;
            };
            known.entry("blueprints").or_default().insert(format!("{scope}{id}/"));
            let upload = format!("uploaded-blueprints/{scope}{id}/{id}");
            if !UPLOAD_SUFFIXES.iter().any(|s| names.contains(format!("{upload}{s}").as_str())) {
                out.push(Finding::new(
                    Code::BlueprintUploadMissing,
                    format!("blueprint '{}' (a row of pg_data's blueprints table) has no uploaded archive at {}.{{zip,tar,tar.gz,tar.bz2}}: restore keeps the blueprint, but downloading it (cfy blueprints download, the console) fails", clip(id), clip(&upload)),
                )
                .at_path(format!("uploaded-blueprints/{scope}{id}/")));
            }
            let main = row[1].as_deref().map_or(String::new(), str::to_owned);
            let folder = format!("blueprints/{scope}{id}/");
            let present =
                if main.is_empty() { has_under(&folder) } else { names.contains(format!("{folder}{main}").as_str()) };
            if !present {
                out.push(Finding::new(
                    Code::BlueprintFilesMissing,
                    format!("blueprint '{}' (a row of pg_data's blueprints table) has no {} in {}: restore keeps the blueprint, but its extracted files (main file, scripts, imported YAML) are gone from the file server, so deployments created from it and workflows that read its resources fail", clip(id), if main.is_empty() { "files".to_owned() } else { clip(&main) }, clip(&folder)),
                )
                .at_path(folder));
            }
        }
    }
    if let Some(deployments) = table("deployments") {
        unchecked = unchecked.saturating_add(deployments.unchecked);
        known.entry("deployments").or_default();
        for row in &deployments.rows {
            let (Some(id), Some(scope)) = (row[0].as_deref(), scope(&row[1])) else {
                unchecked = unchecked.saturating_add(1);
                continue;
            };
            known.entry("deployments").or_default().insert(format!("{scope}{id}/"));
        }
    }
    if unchecked == 0 {
        unreferenced(&names, flat, &known, &mut out);
    }
    ctx.findings.extend(capped(out));
    if unchecked > 0 {
        ctx.push(Finding::new(
            Code::QuickLimit,
            format!("{unchecked} plugin, blueprint or deployment rows of pg_data were not checked against the archive's files (over {} rows per table, a value over 256 bytes, or a tenant id the tenants table does not list); archives nobody references were not looked for", super::super::sql::MAX_ROWS),
        ).at_path("pg_data"));
    }
}

/// C11a: folders of the file server that no row refers to; restore copies them and nothing
/// uses them.
fn unreferenced(names: &BTreeSet<&str>, flat: bool, known: &BTreeMap<&str, BTreeSet<String>>, out: &mut Vec<Finding>) {
    let scoped: usize = if flat { 1 } else { 2 };
    let tops = [
        ("plugins", 1, "plugins"),
        ("uploaded-blueprints", scoped, "blueprints"),
        ("blueprints", scoped, "blueprints"),
        ("deployments", scoped, "deployments"),
    ];
    for (top, depth, rows) in tops {
        let Some(known) = known.get(rows) else { continue };
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for name in names.range(format!("{top}/").as_str()..).take_while(|n| n.starts_with(&format!("{top}/"))) {
            let parts: Vec<&str> = name.split('/').collect();
            // Files below a row's folder: `<top>/<scope…>/<id>/<more>`.
            // Traversal names (`..`) are the names checks' finding, not a folder of the server.
            let odd = |p: &&str| p.is_empty() || *p == "." || *p == "..";
            if name.ends_with('/') || parts.len() <= depth.saturating_add(1) || parts[1..=depth].iter().any(odd) {
                continue;
            }
            let folder = parts[1..=depth].join("/") + "/";
            if !known.contains(&folder) && seen.insert(folder.clone()) {
                let what = &rows[..rows.len().saturating_sub(1)];
                out.push(Finding::new(
                    Code::ArchiveUnreferenced,
                    format!("{top}/{} belongs to no {what} row of pg_data: restore copies it to the file server, where nothing uses it", clip(&folder)),
                ).at_path(format!("{top}/{folder}")));
            }
        }
    }
}

/// Text from the archive shown in a message: bounded.
fn clip(s: &str) -> String {
    match s.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The first [`CAP`] findings of each code, and one more that counts the rest.
fn capped(findings: Vec<Finding>) -> Vec<Finding> {
    let mut seen: BTreeMap<Code, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for f in findings {
        let n = seen.entry(f.code).or_default();
        *n = n.saturating_add(1);
        if *n <= CAP {
            out.push(f);
        }
    }
    for (code, n) in seen.into_iter().filter(|(_, n)| *n > CAP) {
        out.push(Finding::new(code, format!("{} more findings like these were left out", n.saturating_sub(CAP))));
    }
    out
}
