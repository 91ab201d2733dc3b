//! Cloudify semantics: classify the era (spec §1.2), check `metadata.json` (§4, B1–B13), check
//! the payload against what each version's restore needs (C, D), inventory secrets (S1–S3),
//! predict restore on a target (§5), and build the preview (F).
//!
//! The quick phase ([`inspect`]) reads only names, sizes and small JSON members. The full data
//! pass feeds large members (database dumps) through [`content`] analyzers, and [`conclude`]
//! turns what they learned into findings and counts.

mod base64;
pub(crate) mod content;
mod era;
pub(crate) mod legacy;
mod metadata;
mod nested;
pub(crate) mod newfmt;
mod preview;
mod restore_table;
mod security;
pub(crate) mod sql;
mod target;
pub(crate) mod version;
mod wire;

use crate::code::{Code, Severity};
use crate::data::read_member;
use crate::report::*;
use crate::source::ReadAt;
use crate::zip::{Archive, Entry};
use crate::{Error, Options};
use content::{Analyzer, Facts};
use era::classify;
pub(crate) use era::{Era, Format};
use metadata::metadata;
use preview::parts;
use security::security_summary;
use serde_json::{Map, Value};
use version::Version;

/// Everything a check needs: the archive, the source, the options and where findings go.
pub(crate) struct Ctx<'a> {
    pub src: &'a dyn ReadAt,
    pub archive: &'a Archive,
    pub opts: &'a Options,
    pub findings: &'a mut Vec<Finding>,
    /// Findings left out by the per-code cap so far (see `report::cap_when_grown`).
    pub omitted: &'a mut std::collections::BTreeMap<Code, u64>,
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

/// Where the first `/` of a name is: a byte search (`str::find` with a char costs a searcher,
/// and this runs per entry).
pub(crate) fn first_slash(name: &str) -> Option<usize> {
    name.as_bytes().iter().position(|&b| b == b'/')
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

/// The content analyzer for an entry in the full data pass, when its content is checked.
pub(crate) fn analyzer_for(sem: &Semantics, entry: &Entry) -> Option<Box<dyn Analyzer>> {
    let own = match sem.era.map(Era::format) {
        Some(Format::Legacy) | Some(Format::Elasticsearch) => legacy::analyzer_for(sem, entry),
        _ => None,
    };
    own.or_else(|| nested::analyzer_for(entry, 1))
}

/// Whether restore cannot do without this entry, so a sampled data pass (`--sample`) always
/// checks it: `metadata.json`, and by era the legacy dumps, `agents.json` and
/// `rest-security.conf`, or the new format's `mgmt/`, tenant, Stage and Composer JSON dumps.
pub(crate) fn restore_critical(sem: &Semantics, entry: &Entry) -> bool {
    if entry.name == "metadata.json" {
        return true;
    }
    match sem.era {
        Some(era) if era.format() == Format::New => newfmt::restore_critical(era, &entry.name),
        Some(_) => legacy::restore_critical(&entry.name),
        None => false,
    }
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

/// Severity helper for rules that are errors on some targets and warnings otherwise.
#[allow(dead_code)] // the target rules moved to restore_table; kept for content rules
pub(crate) fn sev(error: bool) -> Severity {
    if error { Severity::Error } else { Severity::Warning }
}
