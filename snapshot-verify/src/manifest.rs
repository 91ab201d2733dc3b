//! Manifests: a JSON record of an archive (whole-file SHA-256 and size, era and version, and
//! per entry its name, sizes, CRC-32 and the SHA-256 of its decompressed content) that a later
//! `manifest verify` compares the archive against.
//!
//! # Format (`manifest_version` 1)
//!
//! ```json
//! {
//!   "manifest_version": 1,
//!   "tool": { "name": "snapshot-verify", "version": "0.1.0" },
//!   "file": { "name": "snap.zip", "size": 59296, "sha256": "…" },
//!   "snapshot": { "era": "L5", "snapshot_version": "5.1.0" },
//!   "entries": [
//!     { "name": "pg_data", "is_dir": false, "method": 8, "compressed_size": 24832,
//!       "uncompressed_size": 147255, "crc32": "0a1b2c3d", "sha256": "…", "data_ok": true }
//!   ],
//!   "manifest_sha256": "…"
//! }
//! ```
//!
//! Entries are in central-directory order. `crc32` is the declared CRC as 8 lowercase hex
//! digits. `sha256` is of the decompressed content, and `null` when the data could not be read
//! or did not match its CRC and sizes (`data_ok` is then `false`). `era` and
//! `snapshot_version` come from a quick verification and are `null` when unknown.
//!
//! # The self-checksum
//!
//! `manifest_sha256` is the lowercase hex SHA-256 of the manifest in a canonical form: the
//! JSON object **without** its `manifest_sha256` member, serialized with no whitespace, object
//! keys sorted by code point at every level, strings escaped only where JSON requires it
//! (`"`, `\`, and control characters, as `\b \f \n \r \t` or `\u00xx`; everything else as raw
//! UTF-8), integers in plain decimal. Formatting and key order of the file itself do not
//! matter. The same value in Python:
//!
//! ```text
//! m = json.load(open("x.manifest.json")); m.pop("manifest_sha256")
//! hashlib.sha256(json.dumps(m, sort_keys=True, separators=(",", ":"),
//!                           ensure_ascii=False).encode()).hexdigest()
//! ```
//!
//! It detects a manifest edited by hand or damaged in transit; it is not a signature (anyone
//! can recompute it), so keep the manifest where the archive's writers cannot change it, or
//! sign it.

use crate::hash::{hex, sha256_hex, sha256_source};
use crate::source::FileSource;
use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use snapshot_core::{Entries, Level, Options, ReadAt, Verifier};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// A manifest. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// Who wrote it.
    pub tool: ToolInfo,
    /// The archive as a whole.
    pub file: FileRecord,
    /// What the quick verification classified it as.
    pub snapshot: SnapshotRecord,
    /// Every entry, in central-directory order.
    pub entries: Vec<EntryRecord>,
    /// The self-checksum; see the module docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_sha256: Option<String>,
}

/// The writer of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// `snapshot-verify`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// The whole archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Base name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the whole file.
    pub sha256: String,
}

/// Era and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    /// Era id (`L5`…), when classified.
    pub era: Option<String>,
    /// `snapshot_version`, when present.
    pub snapshot_version: Option<String>,
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRecord {
    /// Name.
    pub name: String,
    /// Whether the name marks a directory.
    pub is_dir: bool,
    /// Compression method (0 stored, 8 deflate).
    pub method: u16,
    /// Declared compressed size.
    pub compressed_size: u64,
    /// Declared uncompressed size.
    pub uncompressed_size: u64,
    /// Declared CRC-32, 8 lowercase hex digits.
    pub crc32: String,
    /// SHA-256 of the decompressed content, when it could be read and matched its CRC.
    pub sha256: Option<String>,
    /// Whether the content was read and matched its CRC and sizes.
    pub data_ok: bool,
}

/// Builds the manifest of the archive at `path`, hashing entries on `threads` threads while
/// the whole file is hashed on another.
pub fn create(path: &Path, threads: usize) -> Result<Manifest> {
    let src = FileSource::open(path)?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    create_from(&src, name, threads)?.ok_or_else(|| {
        anyhow!("{} has no readable central directory; `snapshot-verify check` says why", path.display())
    })
}

/// [`create`] over any source (the fuzz target passes bytes), with `name` as the file's name;
/// `None` when the archive has no readable central directory.
pub fn create_from(src: &(dyn ReadAt + Sync), name: String, threads: usize) -> Result<Option<Manifest>> {
    thread::scope(|s| {
        let whole = s.spawn(|| sha256_source(src, &|| false));
        let opts = Options { level: Level::Quick, file_name: name.clone(), ..Options::default() };
        let report = Verifier::new(src, opts).context("could not verify the archive")?.finish(src);
        let Some(archive) = Entries::open(src).context("could not list the entries")? else {
            return Ok(None);
        };
        let listed = archive.list();
        let digests = hash_entries(src, &archive, listed.len(), threads)?;
        let entries = listed
            .into_iter()
            .zip(digests)
            .map(|(e, sha)| EntryRecord {
                name: e.name,
                is_dir: e.is_dir,
                method: e.method,
                compressed_size: e.compressed_size,
                uncompressed_size: e.uncompressed_size,
                crc32: format!("{:08x}", e.crc32),
                data_ok: sha.is_some(),
                sha256: sha,
            })
            .collect();
        let sha256 = whole
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))?
            .ok_or_else(|| anyhow!("the whole-file hash stopped"))?;
        let mut manifest = Manifest {
            manifest_version: MANIFEST_VERSION,
            tool: ToolInfo { name: "snapshot-verify".into(), version: env!("CARGO_PKG_VERSION").into() },
            file: FileRecord { name, size: src.size(), sha256 },
            snapshot: SnapshotRecord {
                era: report.snapshot().era.as_ref().map(|e| e.id.to_owned()),
                snapshot_version: report.snapshot().snapshot_version.clone(),
            },
            entries,
            manifest_sha256: None,
        };
        manifest.manifest_sha256 = Some(self_checksum(&serde_json::to_value(&manifest)?));
        Ok(Some(manifest))
    })
}

/// The SHA-256 of each entry's content (`None` when unreadable or corrupt), in index order.
fn hash_entries(
    src: &(dyn ReadAt + Sync),
    archive: &Entries,
    count: usize,
    threads: usize,
) -> Result<Vec<Option<String>>> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; count]);
    let failure = Mutex::new(None);
    thread::scope(|s| {
        for _ in 0..threads.clamp(1, count.max(1)) {
            s.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        break;
                    }
                    let mut hasher = Sha256::new();
                    match archive.stream(src, index, &mut |chunk| hasher.update(chunk)) {
                        Ok(ok) => {
                            let digest = ok.then(|| hex(&hasher.finalize()));
                            results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[index] = digest;
                        }
                        Err(err) => {
                            failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(err);
                            next.store(count, Ordering::Relaxed);
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(err) = failure.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        return Err(err).context("could not read an entry");
    }
    Ok(results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// The self-checksum of a manifest value (its `manifest_sha256` member is ignored).
pub fn self_checksum(manifest: &Value) -> String {
    let mut v = manifest.clone();
    if let Value::Object(map) = &mut v {
        map.remove("manifest_sha256");
    }
    let mut text = String::new();
    canonical(&v, &mut text);
    sha256_hex(text.as_bytes())
}

/// Compact JSON with object keys sorted at every level, independent of the map type serde_json
/// was built with. (The fixture generator's `py_json` walks JSON the same way but writes Python's
/// `", "`/`": "` separators to imitate Cloudify's files; this form is the manifest's contract.)
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// How an archive differs from its manifest.
#[derive(Debug, Default, Serialize)]
pub struct Diff {
    /// Whether nothing differs and the manifest's self-checksum holds.
    pub identical: bool,
    /// `null` when the self-checksum holds, else why it does not.
    pub manifest_tampered: Option<String>,
    /// The whole file's SHA-256 changed: `[recorded, now]`.
    pub file_sha256_changed: Option<[String; 2]>,
    /// The file's size changed: `[recorded, now]`.
    pub file_size_changed: Option<[u64; 2]>,
    /// Entries in the archive but not in the manifest.
    pub added: Vec<String>,
    /// Entries in the manifest but not in the archive.
    pub missing: Vec<String>,
    /// Entries in both whose record differs.
    pub changed: Vec<Changed>,
}

/// An entry whose record differs.
#[derive(Debug, Serialize)]
pub struct Changed {
    /// Its name.
    pub name: String,
    /// The fields that differ (`crc32`, `sha256`, `uncompressed_size`…).
    pub fields: Vec<&'static str>,
}

impl Diff {
    /// How many differences, counting a tampered manifest.
    pub fn count(&self) -> usize {
        usize::from(self.manifest_tampered.is_some())
            + usize::from(self.file_sha256_changed.is_some())
            + usize::from(self.file_size_changed.is_some())
            + self.added.len()
            + self.missing.len()
            + self.changed.len()
    }
}

/// Checks a manifest's self-checksum: `None` when it holds.
pub fn tampered(value: &Value) -> Option<String> {
    match value.get("manifest_sha256").and_then(Value::as_str) {
        None => Some("the manifest has no manifest_sha256".to_owned()),
        Some(recorded) if recorded.eq_ignore_ascii_case(&self_checksum(value)) => None,
        Some(recorded) => Some(format!(
            "its manifest_sha256 {recorded} does not match its content ({}): it was edited or damaged",
            self_checksum(value)
        )),
    }
}

/// Compares the recorded manifest with a fresh one. Entries are matched by name (the n-th
/// entry of a duplicated name with the n-th of the same name).
pub fn diff(recorded: &Manifest, now: &Manifest, tampered: Option<String>) -> Diff {
    let mut d = Diff { manifest_tampered: tampered, ..Diff::default() };
    if recorded.file.sha256 != now.file.sha256 {
        d.file_sha256_changed = Some([recorded.file.sha256.clone(), now.file.sha256.clone()]);
    }
    if recorded.file.size != now.file.size {
        d.file_size_changed = Some([recorded.file.size, now.file.size]);
    }
    let mut by_name: HashMap<&str, Vec<&EntryRecord>> = HashMap::new();
    for e in &recorded.entries {
        by_name.entry(&e.name).or_default().push(e);
    }
    let mut used: HashMap<&str, usize> = HashMap::new();
    for e in &now.entries {
        let n = used.entry(&e.name).or_default();
        match by_name.get(e.name.as_str()).and_then(|v| v.get(*n)) {
            None => d.added.push(e.name.clone()),
            Some(old) => {
                let fields = changed_fields(old, e);
                if !fields.is_empty() {
                    d.changed.push(Changed { name: e.name.clone(), fields });
                }
            }
        }
        *n += 1;
    }
    let mut occurrence: HashMap<&str, usize> = HashMap::new();
    for e in &recorded.entries {
        let n = occurrence.entry(&e.name).or_default();
        if *n >= used.get(e.name.as_str()).copied().unwrap_or(0) {
            d.missing.push(e.name.clone());
        }
        *n += 1;
    }
    d.identical = d.count() == 0;
    d
}

fn changed_fields(a: &EntryRecord, b: &EntryRecord) -> Vec<&'static str> {
    [
        ("is_dir", a.is_dir != b.is_dir),
        ("method", a.method != b.method),
        ("compressed_size", a.compressed_size != b.compressed_size),
        ("uncompressed_size", a.uncompressed_size != b.uncompressed_size),
        ("crc32", a.crc32 != b.crc32),
        ("sha256", a.sha256 != b.sha256),
        ("data_ok", a.data_ok != b.data_ok),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, sha: &str) -> EntryRecord {
        EntryRecord {
            name: name.into(),
            is_dir: false,
            method: 8,
            compressed_size: 1,
            uncompressed_size: 2,
            crc32: "00000000".into(),
            sha256: Some(sha.into()),
            data_ok: true,
        }
    }

    fn manifest(entries: Vec<EntryRecord>) -> Manifest {
        Manifest {
            manifest_version: 1,
            tool: ToolInfo { name: "snapshot-verify".into(), version: "0".into() },
            file: FileRecord { name: "a.zip".into(), size: 10, sha256: "aa".into() },
            snapshot: SnapshotRecord { era: None, snapshot_version: None },
            entries,
            manifest_sha256: None,
        }
    }

    #[test]
    fn canonical_form_sorts_keys_and_drops_whitespace() {
        let v: Value =
            serde_json::from_str(r#"{ "b": [1, {"y": "\n", "x": null}], "a": "é\u0001", "manifest_sha256": "x" }"#)
                .unwrap();
        let mut v2 = v.clone();
        v2.as_object_mut().unwrap().remove("manifest_sha256");
        let mut s = String::new();
        canonical(&v2, &mut s);
        assert_eq!(s, r#"{"a":"é\u0001","b":[1,{"x":null,"y":"\n"}]}"#);
        assert_eq!(self_checksum(&v), sha256_hex(s.as_bytes()));
    }

    #[test]
    fn diff_finds_added_missing_changed_and_duplicates() {
        let old = manifest(vec![entry("a", "1"), entry("b", "2"), entry("dup", "3"), entry("dup", "4")]);
        let now = manifest(vec![entry("a", "1"), entry("c", "5"), entry("dup", "3"), entry("b", "9")]);
        let d = diff(&old, &now, None);
        assert_eq!(d.added, ["c"]);
        assert_eq!(d.missing, ["dup"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!((d.changed[0].name.as_str(), d.changed[0].fields.clone()), ("b", vec!["sha256"]));
        assert!(!d.identical);
        assert!(diff(&old, &old, None).identical);
    }

    #[test]
    fn tampering_is_detected_and_formatting_is_not() {
        let mut m = manifest(vec![entry("a", "1")]);
        m.manifest_sha256 = Some(self_checksum(&serde_json::to_value(&m).unwrap()));
        let pretty = serde_json::to_string_pretty(&m).unwrap();
        let v: Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(tampered(&v), None);
        let edited: Value = serde_json::from_str(&pretty.replace("\"a\"", "\"b\"")).unwrap();
        assert!(tampered(&edited).unwrap().contains("does not match"));
    }
}
