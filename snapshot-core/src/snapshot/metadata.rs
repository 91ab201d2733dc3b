//! Checks of `metadata.json` itself (spec §4, rules B3, B7–B10, B12, B13).

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use super::version::{self, Version};
use super::{Ctx, Semantics, json_kind};
use crate::code::Code;
use crate::report::Finding;
use serde_json::Value;

/// The metadata keys some Cloudify version writes.
const KNOWN_KEYS: &[&str] = &[
    "snapshot_version",
    "has_cloudify_events",
    "schema_revision",
    "stage_schema_revision",
    "composer_schema_revision",
    "execution_id",
];

/// Checks of `metadata.json` itself (B3, B7–B10, B12, B13).
pub(super) fn metadata(ctx: &mut Ctx, sem: &mut Semantics) {
    let meta = &sem.metadata;
    let at = |f: Finding| f.at_path("metadata.json");
    let mut out = Vec::new();
    match meta.get("snapshot_version") {
        Some(Value::String(v)) => {
            sem.info.snapshot_version = Some(v.clone());
            sem.version = Version::parse(v);
            if sem.version.is_none() {
                out.push(at(Finding::new(
                    Code::VersionInvalid,
                    format!("snapshot_version '{v}' has fewer than two numeric components; Cloudify's ManagerVersion raises IndexError on it"),
                )));
            } else if !Version::strict_ok(v) {
                out.push(at(Finding::new(
                    Code::VersionNotStrict,
                    format!("snapshot_version '{v}' has non-numeric components; 3.4.x and 4.0.x managers raise ValueError on it"),
                )));
            }
        }
        Some(other) if !sem.metadata.is_empty() => out.push(at(Finding::new(
            Code::VersionMissing,
            format!("snapshot_version is a JSON {}, not a string", json_kind(other)),
        ))),
        _ if !sem.metadata.is_empty() => out.push(at(Finding::new(
            Code::VersionMissing,
            "metadata.json has no snapshot_version; every restore reads it",
        ))),
        _ => {}
    }
    let string = |k: &str| meta.get(k).and_then(Value::as_str).map(str::to_owned);
    let m = &mut sem.info.metadata;
    m.schema_revision = string("schema_revision");
    m.composer_schema_revision = string("composer_schema_revision");
    m.execution_id = string("execution_id");
    m.has_cloudify_events = meta.get("has_cloudify_events").and_then(Value::as_bool);
    if let Some(stage) = string("stage_schema_revision") {
        let last = stage.rsplit('\n').next().unwrap_or("").trim().to_string();
        if stage.trim().contains('\n') {
            out.push(at(Finding::new(
                Code::StageRevisionNoise,
                "stage_schema_revision holds several lines (npm or log output before the revision); 4.6 managers fail Stage restore, 5.0+ keep only the last line",
            )));
        }
        if !stage_revision_ok(&last) {
            out.push(at(Finding::new(
                Code::StageRevisionMalformed,
                format!("stage_schema_revision's last line '{last}' is not a Stage migration name (YYYYMMDDHHMMSS-<version>-<Name>.js)"),
            )));
        }
        m.stage_schema_revision = Some(last);
    }
    if let Some(rev) = &m.schema_revision {
        match version::revision_position(rev) {
            None => out.push(at(Finding::new(
                Code::SchemaRevisionUnknown,
                format!("schema_revision '{rev}' is not a Cloudify database revision; alembic fails to downgrade to it on restore"),
            ))),
            Some(pos) => {
                if let Some(head) = sem.version.and_then(version::head_for) {
                    let head_pos = version::revision_position(head).unwrap_or(usize::MAX);
                    if pos > head_pos {
                        out.push(at(Finding::new(
                            Code::SchemaRevisionInconsistent,
                            format!(
                                "schema_revision '{rev}' is newer than '{head}', the head of version {}",
                                sem.info.snapshot_version.as_deref().unwrap_or("?")
                            ),
                        )));
                    }
                }
            }
        }
    }
    if m.composer_schema_revision.as_deref() == Some("20170601133017-4_1-init.js") {
        out.push(at(Finding::new(
            Code::ComposerRevisionFirstMigration,
            "composer_schema_revision holds the first Composer migration (a known Cloudify bug); 6.0+ restore maps it to 20171229105614-4_3-blueprint-repo.js",
        )));
    }
    if let Some(id) = meta.get("execution_id")
        && !id.as_str().is_some_and(is_uuid)
    {
        out.push(at(Finding::new(Code::ExecutionIdInvalid, "execution_id is not a UUID string")));
    }
    if let Some(v) = meta.get("has_cloudify_events")
        && !v.is_boolean()
    {
        out.push(at(Finding::new(Code::HasCloudifyEventsMissing, "has_cloudify_events is not a boolean")));
    }
    for key in meta.keys().filter(|k| !KNOWN_KEYS.contains(&k.as_str())) {
        out.push(at(Finding::new(
            Code::MetadataUnknownKey,
            format!("metadata.json has the key '{key}', which no Cloudify version writes"),
        )));
    }
    ctx.findings.extend(out);
}

fn stage_revision_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 18
        && b[..14].iter().all(u8::is_ascii_digit)
        && b[14] == b'-'
        && (s.ends_with(".js") || s.ends_with(".ts"))
        && s[15..].contains('-')
}

pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
