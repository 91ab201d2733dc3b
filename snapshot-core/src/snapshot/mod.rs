//! Cloudify semantics: classify the era (spec §1.2), check `metadata.json` (§4, B1–B13), check
//! the payload against what each version's restore needs (C, D), inventory secrets (S1–S3),
//! predict restore on a target (§5), and build the preview (F).
//!
//! The quick phase ([`inspect`]) reads only names, sizes and small JSON members. The full data
//! pass feeds large members (database dumps) through [`content`] analyzers, and [`conclude`]
//! turns what they learned into findings and counts.

mod base64;
pub(crate) mod content;
pub(crate) mod legacy;
mod nested;
pub(crate) mod newfmt;
pub(crate) mod sql;
mod target;
pub(crate) mod version;

use crate::code::{Code, Severity};
use crate::data::read_member;
use crate::report::*;
use crate::source::ReadAt;
use crate::zip::{Archive, Entry};
use crate::{Error, Options};
use content::{Analyzer, Facts};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use version::Version;

/// The snapshot eras of spec §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Era {
    E0,
    E1,
    E2,
    E2b,
    L0,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    N0,
    N1,
}

/// The broad payload format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Elasticsearch,
    Legacy,
    New,
}

impl Era {
    pub(crate) fn info(self) -> EraInfo {
        let (id, produced_by, format) = match self {
            Era::E0 => ("E0", "3.2 / 3.2.1 (cfy-snapshot32 tool)", "elasticsearch"),
            Era::E1 => ("E1", "3.3 – 3.3.1", "elasticsearch"),
            Era::E2 => ("E2", "3.4.0 – 3.4.1", "elasticsearch"),
            Era::E2b => ("E2b", "3.4.2", "elasticsearch"),
            Era::L0 => ("L0", "4.0.0", "legacy"),
            Era::L1 => ("L1", "4.0.1", "legacy"),
            Era::L2 => ("L2", "4.1 – 4.3", "legacy"),
            Era::L3 => ("L3", "4.4 – 4.6", "legacy"),
            Era::L4 => ("L4", "5.0.0 – 5.0.5", "legacy"),
            Era::L5 => ("L5", "5.1 – 6.2", "legacy"),
            Era::L6 => ("L6", "6.3 – 6.4, 7.0.x legacy", "legacy"),
            Era::N0 => ("N0", "7.0.0 (new format)", "new"),
            Era::N1 => ("N1", "7.0.1+ (new format)", "new"),
        };
        EraInfo { id, produced_by, format }
    }

    pub(crate) fn format(self) -> Format {
        match self {
            Era::E0 | Era::E1 | Era::E2 | Era::E2b => Format::Elasticsearch,
            Era::N0 | Era::N1 => Format::New,
            _ => Format::Legacy,
        }
    }

    /// The legacy sub-era by `snapshot_version` (spec §1 table).
    fn by_version(format: Format, v: Version) -> Era {
        let at = |a, b, c| Version::new(a, b, c);
        match format {
            Format::Elasticsearch if v < at(3, 3, 0) => Era::E0,
            Format::Elasticsearch if v < at(3, 4, 0) => Era::E1,
            Format::Elasticsearch if v < at(3, 4, 2) => Era::E2,
            Format::Elasticsearch => Era::E2b,
            Format::Legacy if v < at(4, 0, 1) => Era::L0,
            Format::Legacy if v < at(4, 1, 0) => Era::L1,
            Format::Legacy if v < at(4, 4, 0) => Era::L2,
            Format::Legacy if v < at(5, 0, 0) => Era::L3,
            Format::Legacy if v < at(5, 1, 0) => Era::L4,
            Format::Legacy if v < at(6, 3, 0) => Era::L5,
            Format::Legacy => Era::L6,
            Format::New if v < at(7, 0, 1) => Era::N0,
            Format::New => Era::N1,
        }
    }
}

/// Everything a check needs: the archive, the source, the options and where findings go.
pub(crate) struct Ctx<'a> {
    pub src: &'a dyn ReadAt,
    pub archive: &'a Archive,
    pub opts: &'a Options,
    pub findings: &'a mut Vec<Finding>,
    /// Decompressed bytes the quick phase may still read for JSON members.
    pub json_budget: u64,
}

impl Ctx<'_> {
    /// Reads a small member whole. `None` when it is too large for the quick budget (a
    /// `quick-limit` finding says so) or broken (its data findings are recorded).
    pub(crate) fn read_small(&mut self, entry: &Entry) -> Result<Option<Vec<u8>>, Error> {
        let cap = self.opts.limits.max_json_member.min(self.json_budget);
        if entry.uncompressed_size > cap {
            self.findings.push(
                Finding::new(
                    Code::QuickLimit,
                    format!(
                        "{} bytes is over the {}-byte budget for JSON members; it was not inspected",
                        entry.uncompressed_size, cap
                    ),
                )
                .at_path(&entry.name),
            );
            return Ok(None);
        }
        match read_member(self.src, entry, cap)? {
            Ok(bytes) => {
                self.json_budget = self.json_budget.saturating_sub(bytes.len() as u64);
                Ok(Some(bytes))
            }
            Err(findings) => {
                self.findings.extend(findings);
                Ok(None)
            }
        }
    }

    /// Reads and parses a small JSON member. `Err(message)` when it is not JSON.
    pub(crate) fn read_json(&mut self, entry: &Entry) -> Result<Option<Result<Value, String>>, Error> {
        Ok(self.read_small(entry)?.map(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            serde_json::from_str::<Value>(text.trim()).map_err(|e| e.to_string())
        }))
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// What the quick phase learned, carried to [`conclude`].
#[derive(Debug, Default)]
pub(crate) struct Semantics {
    pub info: SnapshotInfo,
    pub security: Security,
    pub era: Option<Era>,
    pub version: Option<Version>,
    /// The raw metadata object.
    pub metadata: Map<String, Value>,
    /// Top-level names present (files without `/`, folders with it).
    pub legacy: legacy::LegacyState,
    pub newfmt: newfmt::NewState,
}

impl Semantics {
    pub(crate) fn add_secret(&mut self, kind: SecretKind, path: impl Into<String>, count: u64) {
        if count > 0 {
            self.security.items.push(SecretItem { kind, path: path.into(), count });
        }
    }
}

/// The metadata keys some Cloudify version writes.
const KNOWN_KEYS: &[&str] = &[
    "snapshot_version",
    "has_cloudify_events",
    "schema_revision",
    "stage_schema_revision",
    "composer_schema_revision",
    "execution_id",
];

/// The quick phase.
pub(crate) fn inspect(ctx: &mut Ctx) -> Result<Semantics, Error> {
    let mut sem = Semantics {
        info: SnapshotInfo { parts: parts(ctx.archive), ..SnapshotInfo::default() },
        ..Semantics::default()
    };
    let Some(meta_entry) = ctx.archive.by_name("metadata.json") else {
        match ctx.archive.entries.iter().find(|e| e.name.ends_with("/metadata.json")) {
            Some(e) => ctx.push(
                Finding::new(
                    Code::MetadataNotAtRoot,
                    format!(
                        "metadata.json is only at '{}': the snapshot was re-zipped inside a folder; restore needs it at the root (zip the folder's contents, not the folder)",
                        e.name
                    ),
                )
                .at_path(&e.name),
            ),
            None => ctx.push(Finding::new(
                Code::NotASnapshot,
                if ctx.archive.entries.is_empty() {
                    "the archive is empty: it is not a Cloudify snapshot (no metadata.json)".to_string()
                } else {
                    format!(
                        "the archive has {} entries but no metadata.json: it is not a Cloudify snapshot",
                        ctx.archive.entries.len()
                    )
                },
            )),
        }
        return Ok(sem);
    };
    sem.info.is_snapshot = true;
    let meta_entry = meta_entry.clone();
    match ctx.read_json(&meta_entry)? {
        None => {}
        Some(Err(e)) => ctx.push(
            Finding::new(
                Code::MetadataInvalidJson,
                format!("metadata.json is not valid JSON ({e}); every restore path json.loads it"),
            )
            .at_path("metadata.json"),
        ),
        Some(Ok(Value::Object(map))) => sem.metadata = map,
        Some(Ok(other)) => ctx.push(
            Finding::new(
                Code::MetadataNotObject,
                format!("metadata.json holds a JSON {}, not an object", json_kind(&other)),
            )
            .at_path("metadata.json"),
        ),
    }
    metadata(ctx, &mut sem);
    classify(ctx, &mut sem);
    match sem.era.map(Era::format) {
        Some(Format::New) => newfmt::inspect(ctx, &mut sem)?,
        Some(_) => legacy::inspect(ctx, &mut sem)?,
        None => {}
    }
    Ok(sem)
}

/// Checks of `metadata.json` itself (B3, B7–B10, B12, B13).
fn metadata(ctx: &mut Ctx, sem: &mut Semantics) {
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

/// The classifier of spec §1.2.
fn classify(ctx: &mut Ctx, sem: &mut Semantics) {
    let a = ctx.archive;
    let has = |n: &str| a.by_name(n).is_some();
    let under = |p: &str| a.entries.iter().any(|e| e.name.starts_with(p));
    let revisions = ["schema_revision", "stage_schema_revision", "composer_schema_revision"];
    let legacy_by_meta = revisions.iter().all(|k| sem.metadata.contains_key(*k));
    let (pg, es) = (has("pg_data"), has("es_data"));
    let new = under("mgmt/") || under("tenants/");
    let format = if pg {
        Format::Legacy
    } else if es {
        Format::Elasticsearch
    } else if new {
        Format::New
    } else {
        // No payload: guess from the version so the payload checks can name what is missing.
        match sem.version {
            Some(v) if v >= Version::new(7, 0, 0) && !legacy_by_meta => Format::New,
            Some(v) if v >= Version::new(4, 0, 0) => Format::Legacy,
            Some(_) => Format::Elasticsearch,
            None => return,
        }
    };
    let era = match (format, sem.version) {
        (Format::New, _) => {
            let n1 = a.entries.iter().any(|e| is_n1_dump(&e.name)) || sem.metadata.contains_key("execution_id");
            if n1 { Era::N1 } else { Era::N0 }
        }
        (f, Some(v)) => Era::by_version(f, v),
        (Format::Legacy, None) => Era::L0,
        (Format::Elasticsearch, None) => Era::E0,
    };
    sem.era = Some(era);
    sem.info.era = Some(era.info());
    if matches!(era, Era::E1 | Era::E2 | Era::E2b) && !sem.metadata.contains_key("has_cloudify_events") {
        ctx.push(
            Finding::new(
                Code::HasCloudifyEventsMissing,
                "metadata.json lacks has_cloudify_events, which 3.3 and 3.4 write and 3.x restore reads (KeyError)",
            )
            .at_path("metadata.json"),
        );
    }

    let mut mismatch = Vec::new();
    if pg && es {
        mismatch.push("it carries both es_data (3.x) and pg_data (4.0+)".to_string());
    }
    if (pg || es) && new {
        mismatch.push("it carries a legacy dump and new-format mgmt/ or tenants/ files".to_string());
    }
    if let Some(v) = sem.version {
        let by_version = if v >= Version::new(7, 0, 0) && !legacy_by_meta {
            Format::New
        } else if v >= Version::new(4, 0, 0) {
            Format::Legacy
        } else {
            Format::Elasticsearch
        };
        if by_version != format && !(format == Format::Legacy && by_version == Format::New) {
            mismatch.push(format!(
                "snapshot_version {} implies {} but the payload is {}",
                v,
                format_name(by_version),
                format_name(format)
            ));
        }
    }
    if legacy_by_meta && format == Format::New {
        mismatch.push("metadata has all three revision keys (legacy) but the payload is new-format".to_string());
    }
    if !mismatch.is_empty() {
        ctx.push(Finding::new(
            Code::EraMismatch,
            format!("classified as {} ({}), but {}", era.info().id, era.info().produced_by, mismatch.join("; ")),
        ));
    }
    if format != Format::New && !legacy_by_meta {
        let missing: Vec<&str> = revisions.iter().copied().filter(|k| !sem.metadata.contains_key(*k)).collect();
        ctx.push(
            Finding::new(
                Code::RoutingHazard,
                format!(
                    "metadata.json lacks {}: 7.0.x managers treat only archives with all three revision keys as legacy and send this one down the new-format restore, which restores nothing or fails; restore it on 6.4 or older",
                    missing.join(", ")
                ),
            )
            .at_path("metadata.json"),
        );
    }
}

/// `mgmt/00000001.json` or `tenants/<t>/00000001.json` (N1 numbering).
fn is_n1_dump(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let file = match parts.as_slice() {
        ["mgmt", f] | ["tenants", _, f] => *f,
        _ => return false,
    };
    file.len() == 13 && file.ends_with(".json") && file[..8].bytes().all(|b| b.is_ascii_digit())
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Elasticsearch => "an es_data (3.x) snapshot",
        Format::Legacy => "a pg_data (legacy) snapshot",
        Format::New => "a new-format (7.x) snapshot",
    }
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

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Parts listed in a preview; the rest are summed into one.
const MAX_PARTS: usize = 100;

/// Sizes by top-level part, largest first (F).
fn parts(archive: &Archive) -> Vec<Part> {
    let mut by: BTreeMap<String, Part> = BTreeMap::new();
    for e in &archive.entries {
        let name = match e.name.split_once('/') {
            Some((head, _)) => format!("{head}/"),
            None => e.name.clone(),
        };
        let p = by.entry(name.clone()).or_insert(Part { name, entries: 0, compressed_size: 0, uncompressed_size: 0 });
        p.entries += 1;
        p.compressed_size = p.compressed_size.saturating_add(e.compressed_size);
        p.uncompressed_size = p.uncompressed_size.saturating_add(e.uncompressed_size);
    }
    let mut parts: Vec<Part> = by.into_values().collect();
    parts.sort_by(|a, b| b.uncompressed_size.cmp(&a.uncompressed_size).then_with(|| a.name.cmp(&b.name)));
    // A snapshot has a few dozen top-level parts; an archive of loose files may have millions.
    if parts.len() > MAX_PARTS {
        let rest = parts.split_off(MAX_PARTS - 1);
        let mut other = Part {
            name: format!("({} other parts)", rest.len()),
            entries: 0,
            compressed_size: 0,
            uncompressed_size: 0,
        };
        for p in rest {
            other.entries += p.entries;
            other.compressed_size = other.compressed_size.saturating_add(p.compressed_size);
            other.uncompressed_size = other.uncompressed_size.saturating_add(p.uncompressed_size);
        }
        parts.push(other);
    }
    parts
}

/// The content analyzer for an entry in the full data pass, when its content is checked.
pub(crate) fn analyzer_for(sem: &Semantics, entry: &Entry) -> Option<Box<dyn Analyzer>> {
    let own = match sem.era.map(Era::format) {
        Some(Format::Legacy) | Some(Format::Elasticsearch) => legacy::analyzer_for(sem, entry),
        _ => None,
    };
    own.or_else(|| nested::analyzer_for(entry, 1))
}

/// After the data pass (or directly after the quick phase): content findings, counts, the
/// security summary, the target prediction and advisories.
pub(crate) fn conclude(ctx: &mut Ctx, mut sem: Semantics, facts: Vec<(usize, Facts)>) -> (SnapshotInfo, Security) {
    let mut facts = facts;
    facts.retain_mut(|(index, f)| match f {
        Facts::Nested(n) => {
            let path = ctx.archive.entries[*index].name.clone();
            ctx.findings.extend(nested::findings(&path, std::mem::take(n)));
            false
        }
        _ => true,
    });
    if sem.info.is_snapshot {
        match sem.era.map(Era::format) {
            Some(Format::New) => newfmt::conclude(ctx, &mut sem, facts),
            Some(_) => legacy::conclude(ctx, &mut sem, facts),
            None => {}
        }
        security_summary(ctx, &sem);
        target::predict(ctx, &mut sem);
    }
    (sem.info, sem.security)
}

/// Turns the inventory into the S1/S2 findings a reader sees first.
fn security_summary(ctx: &mut Ctx, sem: &Semantics) {
    let count = |kinds: &[SecretKind]| -> (u64, Vec<&str>) {
        let items: Vec<&SecretItem> = sem.security.items.iter().filter(|i| kinds.contains(&i.kind)).collect();
        (items.iter().map(|i| i.count).sum(), items.iter().map(|i| i.path.as_str()).collect())
    };
    let list = |paths: Vec<&str>| {
        let mut p: Vec<&str> = paths;
        p.dedup();
        let more = p.len().saturating_sub(5);
        let mut s = p.into_iter().take(5).collect::<Vec<_>>().join(", ");
        if more > 0 {
            s.push_str(&format!(" and {more} more"));
        }
        s
    };
    let (n, paths) = count(&[SecretKind::ClearSecret, SecretKind::BrokerPassword, SecretKind::ConfigCredential]);
    if n > 0 {
        ctx.push(Finding::new(
            Code::SecretsInClear,
            format!(
                "{n} secret or password values in clear text ({}); anyone holding this file can read them",
                list(paths)
            ),
        ));
    }
    let (n, paths) = count(&[SecretKind::PrivateKey, SecretKind::AgentKey, SecretKind::EncryptionKey]);
    if n > 0 {
        let decrypts = sem.security.items.iter().any(|i| i.kind == SecretKind::EncryptionKey)
            && sem.security.items.iter().any(|i| i.kind == SecretKind::EncryptedSecret);
        ctx.push(Finding::new(
            Code::KeyMaterial,
            format!(
                "{n} private keys or encryption keys ({}){}",
                list(paths),
                if decrypts { "; rest-security.conf decrypts the encrypted secrets in the same archive" } else { "" }
            ),
        ));
    }
    let (n, paths) = count(&[SecretKind::PasswordHash]);
    if n > 0 {
        ctx.push(Finding::new(Code::PasswordHashes, format!("{n} user password hashes ({})", list(paths))));
    }
}

/// Severity helper for rules that are errors on some targets and warnings otherwise.
pub(crate) fn sev(error: bool) -> Severity {
    if error { Severity::Error } else { Severity::Warning }
}
