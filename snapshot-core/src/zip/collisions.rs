//! Duplicate names and names that collide (A7, H8, H9).
//!
//! Severity by what readers extract (spec §11.7): duplicates with different content are an error
//! (Python, and so Cloudify's restore, reads the last copy; listings, `unzip -n`, `7zz -aos` and
//! `bsdtar -k` the first); same-content duplicates and names that land on one path are warnings
//! (the extractors agree on the last copy; listing APIs and case-insensitive file systems differ).
//!
//! Memory stays at a few words per entry: one 64-bit hash of each raw name (for a plain name it is
//! also the hash of both of its keys), maps from hashes to entry indices, and indices sorted by raw
//! name only when there is a duplicate. A matching hash is confirmed by comparing the keys.

use super::Entry;
use crate::Error;
use crate::code::{Code, Severity};
use crate::report::{Effect, Finding};
use crate::source::{ReadAt, read_full};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// Files restore reads by name: a conflicting duplicate of one of these changes the restore.
const RESTORE_READS: &[&str] =
    &["metadata.json", "pg_data", "es_data", "influxdb_data", "agents.json", "rest-security.conf"];

/// Byte comparison of two same-sized copies stops here (a CRC and size match is trusted beyond).
const COMPARE_LIMIT: u64 = 16 << 20;

pub(crate) fn check_collisions(src: &dyn ReadAt, entries: &[Entry], findings: &mut Vec<Finding>) -> Result<(), Error> {
    let keys = Keys::new();
    // One hash per raw name, shared by the three checks (SipHash over every name, several times
    // each, was a fifth of `inspect` on 22,000 entries).
    let raw: Vec<u64> = entries.iter().map(|e| keys.hash(e.raw())).collect();
    duplicates(src, entries, &raw, findings)?;
    path_collisions(entries, &keys, &raw, findings);
    file_and_directory(entries, &keys, &raw, findings);
    Ok(())
}

/// The hash of the names: foldhash (fast on short keys), with seeds drawn per run from the
/// standard library's random state, so that names crafted to collide cannot be prepared in
/// advance. Findings never depend on a hash value: every match is confirmed on the keys.
struct Keys(foldhash::fast::SeedableRandomState);

impl Keys {
    fn new() -> Keys {
        static SHARED: std::sync::OnceLock<foldhash::SharedSeed> = std::sync::OnceLock::new();
        let random = std::hash::RandomState::new();
        let shared = SHARED.get_or_init(|| foldhash::SharedSeed::from_u64(random.hash_one(1u8)));
        Keys(foldhash::fast::SeedableRandomState::with_seed(random.hash_one(2u8), shared))
    }

    fn hash(&self, bytes: &[u8]) -> u64 {
        let mut h = self.0.build_hasher();
        h.write(bytes);
        h.finish()
    }
}

/// Maps keyed by a [`Keys`] hash, which needs no hashing again.
type ByHash<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Exact duplicates (A7, H8): `duplicate-name-conflict` when the copies' content differs.
fn duplicates(src: &dyn ReadAt, entries: &[Entry], raw: &[u64], findings: &mut Vec<Finding>) -> Result<(), Error> {
    // Most archives have no duplicate: distinct hashes prove it, and the sort (by name, for a
    // stable finding order) runs only when two hashes match (finding the duplicates, if any).
    let mut hashes: HashSet<u64, BuildHasherDefault<Prehashed>> = HashSet::default();
    hashes.reserve(raw.len());
    if raw.iter().all(|&h| hashes.insert(h)) {
        return Ok(());
    }
    drop(hashes);
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].raw().cmp(entries[b].raw()).then(a.cmp(&b)));
    for group in order.chunk_by(|&a, &b| entries[a].raw() == entries[b].raw()).filter(|g| g.len() > 1) {
        let copies: Vec<&Entry> = group.iter().map(|&i| &entries[i]).collect();
        let (first, last) = (copies[0], copies[copies.len().saturating_sub(1)]);
        let meta_differs = copies.iter().any(|c| c.crc != last.crc || c.uncompressed_size != last.uncompressed_size);
        let mut bytes_differ = false;
        if !meta_differs {
            for c in &copies[..copies.len().saturating_sub(1)] {
                bytes_differ |= !same_stored_bytes(src, c, last)?;
            }
        }
        let finding = if meta_differs || bytes_differ {
            Finding::new(
                Code::DuplicateNameConflict,
                format!(
                    "{} entries are named '{}' with different content ({}): Python, and so Cloudify's restore, reads the last copy (entry {}, byte {}); listings and extractors that keep the first file (unzip -n, 7-Zip -aos, bsdtar -k) show the first (entry {}, byte {}), and adm-zip refuses the archive{}",
                    copies.len(),
                    last.name,
                    if meta_differs {
                        "their CRC-32 or size differ"
                    } else {
                        "same CRC-32 and size, different stored bytes"
                    },
                    last.index.saturating_add(1),
                    last.local_offset,
                    first.index.saturating_add(1),
                    first.local_offset,
                    if RESTORE_READS.contains(&last.name.as_str()) {
                        format!(
                            "; restore reads {} and uses the last copy, not the one a reviewer sees first",
                            last.name
                        )
                    } else {
                        String::new()
                    }
                ),
            )
        } else {
            Finding::new(
                Code::DuplicateName,
                format!(
                    "{} entries are named '{}' with the same content; every extractor writes the same bytes (Python's restore keeps the last copy, entry {}, byte {}, and testzip() checks only that one), but Go's fs.FS and adm-zip refuse duplicate names",
                    copies.len(),
                    last.name,
                    last.index.saturating_add(1),
                    last.local_offset
                ),
            )
        };
        findings.push(finding.at_path(&last.name).at_offset(first.central_offset));
    }
    Ok(())
}

/// Whether two copies with equal CRC and size also store the same bytes. Copies stored with a
/// different method, with unreadable headers, or larger than [`COMPARE_LIMIT`] count as the
/// same (their CRC and size agree); with one method, a different compressed size is different
/// bytes.
fn same_stored_bytes(src: &dyn ReadAt, a: &Entry, b: &Entry) -> Result<bool, Error> {
    let (Some(sa), Some(sb)) = (a.data_offset, b.data_offset) else { return Ok(true) };
    if a.method != b.method || a.compressed_size > COMPARE_LIMIT {
        return Ok(true);
    }
    if a.compressed_size != b.compressed_size {
        return Ok(false); // same method, different stream: one copy's bytes are not the other's
    }
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut done = 0u64;
    while done < a.compressed_size {
        let n = a.compressed_size.saturating_sub(done).min(1 << 16) as usize;
        let ga = read_full(src, sa.saturating_add(done), &mut ba[..n])?;
        let gb = read_full(src, sb.saturating_add(done), &mut bb[..n])?;
        if ga != gb || ba[..ga] != bb[..gb] {
            return Ok(false);
        }
        if ga < n {
            break;
        }
        done = done.saturating_add(n as u64);
    }
    Ok(true)
}

/// Names that land on one path (H9): Python's extraction path (B3) and, separately, case and
/// backslash folding (B4).
fn path_collisions(entries: &[Entry], keys: &Keys, raw: &[u64], findings: &mut Vec<Finding>) {
    let mut python: ByHash<usize> = ByHash::default();
    python.reserve(entries.len());
    let mut folded: ByHash<usize> = ByHash::default();
    folded.reserve(entries.len());
    let mut reported = HashSet::new();
    for ((i, e), &raw_hash) in entries.iter().enumerate().zip(raw) {
        // A plain name (ASCII, so its raw bytes) is its own Python key and folded key: its raw
        // hash serves both.
        // A name with upper case (`README.md`) is still its own Python key: no allocation, and
        // its raw hash too when its raw bytes are its name.
        let own = own_python_key(&e.name);
        let is_plain = own && folds_to_itself(&e.name);
        let key = if own { Cow::Borrowed(e.name.as_str()) } else { python_key(&e.name) };
        let h = if own && e.raw_name.is_none() { raw_hash } else { keys.hash(key.as_bytes()) };
        let folded_hash = is_plain.then_some(raw_hash);
        match python.get(&h) {
            Some(&p) if python_key(&entries[p].name) == key => {
                let prev = &entries[p];
                if prev.raw() != e.raw() && reported.insert((0, h)) {
                    let differ = prev.crc != e.crc || prev.uncompressed_size != e.uncompressed_size;
                    findings.push(
                        Finding::new(
                            Code::NameCollision,
                            format!(
                                "'{}' and '{}' are one path to Python's extraction ('{key}'){}: Python, Info-ZIP, 7-Zip and bsdtar write one file and keep the last copy, Go, yauzl and Java list two entries",
                                prev.name,
                                e.name,
                                if differ { " with different content" } else { "" }
                            ),
                        )
                        // Different content: listing readers show the first copy, restore
                        // extracts the last, so readers get different bytes for one path.
                        .severity(if differ { Severity::Error } else { Severity::Warning })
                        .at_path(&e.name)
                        .at_offset(e.central_offset),
                    );
                }
                continue;
            }
            Some(_) => {}
            None => {
                python.insert(h, i);
            }
        }
        let key = if is_plain { Cow::Borrowed(e.name.as_str()) } else { normalise_with(&e.name, own) };
        let h = match folded_hash {
            Some(h) => h,
            None => keys.hash(key.as_bytes()),
        };
        match folded.get(&h) {
            Some(&p) if normalise(&entries[p].name) == key => {
                let prev = &entries[p];
                if prev.raw() != e.raw() && reported.insert((1, h)) {
                    findings.push(
                        Finding::new(
                            Code::NameCollision,
                            format!(
                                "'{}' and '{}' name the same path on a case-insensitive file system (Windows, macOS) or to Windows tools that read '\\' as a separator; every reader on Linux writes both",
                                prev.name, e.name
                            ),
                        )
                        .at_path(&e.name)
                        .at_offset(e.central_offset),
                    );
                }
            }
            Some(_) => {}
            None => {
                folded.insert(h, i);
            }
        }
    }
}

/// A file and a directory with the same path: `a` as a file and `a/…` below it.
fn file_and_directory(entries: &[Entry], keys: &Keys, raw: &[u64], findings: &mut Vec<Finding>) {
    // Sized up front: growing a map of 100,000 keys rehashes it a dozen times.
    let mut files: ByHash<usize> = ByHash::default();
    files.reserve(entries.len());
    files.extend(entries.iter().enumerate().zip(raw).filter(|((_, e), _)| !e.is_dir()).map(|((i, e), &h)| {
        let trimmed = e.name.trim_matches('/');
        // A name without a slash at either end, as raw bytes, has its raw hash.
        let same = trimmed.len() == e.name.len() && e.raw_name.is_none();
        (if same { h } else { keys.hash(trimmed.as_bytes()) }, i)
    }));
    let mut seen = HashSet::new();
    // Directories whose prefixes were all looked up: an entry in one of them needs no lookup of
    // its ancestors, so the pass costs about one lookup per entry however deep the tree.
    let mut expanded: HashSet<&str, foldhash::fast::SeedableRandomState> = HashSet::with_hasher(keys.0.clone());
    let mut ends: Vec<usize> = Vec::new();
    for e in entries {
        let trimmed = e.name.trim_end_matches('/');
        let cut = if e.is_dir() { trimmed.len() } else { trimmed.rfind('/').unwrap_or(0) };
        let dirs = &trimmed[..cut];
        // The not-yet-expanded prefixes, deepest first; checked shallowest first below.
        ends.clear();
        let mut end = dirs.len();
        while end > 0 && expanded.insert(&dirs[..end]) {
            ends.push(end);
            end = dirs[..end].rfind('/').unwrap_or(0);
        }
        for &end in ends.iter().rev() {
            let prefix = &dirs[..end];
            let h = keys.hash(prefix.as_bytes());
            if let Some(&f) = files.get(&h)
                && entries[f].name.trim_matches('/') == prefix
                && seen.insert(h)
            {
                let file = &entries[f];
                findings.push(
                    Finding::new(
                        Code::NameCollision,
                        format!("'{}' is a file, but '{}' uses it as a directory", file.name, e.name),
                    )
                    .at_path(&file.name)
                    .at_offset(file.central_offset)
                    .with_effect(Effect::ExtractFails),
                );
            }
        }
    }
}

/// The path Python's `ZipFile._extract_member` writes on Linux: split on `/` only, empty, `.`
/// and `..` components dropped (not resolved), a trailing `/` kept to tell directories apart.
pub(crate) fn python_key(name: &str) -> Cow<'_, str> {
    if own_python_key(name) {
        return Cow::Borrowed(name);
    }
    let mut key = name.split('/').filter(|p| !matches!(*p, "" | "." | "..")).collect::<Vec<_>>().join("/");
    if name.ends_with('/') {
        key.push('/');
    }
    Cow::Owned(key)
}

/// Whether both keys of a name are the name itself (the common case, so it costs no
/// allocation): ASCII without upper case or `\\`, no leading `/`, no empty, `.` or `..` component
/// before its end.
#[cfg(test)]
fn plain(name: &str) -> bool {
    own_python_key(name) && folds_to_itself(name)
}

/// Whether a name is its own Python key: no leading `/`, and no empty, `.` or `..` component
/// before its end (one trailing `/` marks a directory). Bytes, not `str::split`: this runs for
/// every entry.
fn own_python_key(name: &str) -> bool {
    let b = name.as_bytes();
    let body = b.strip_suffix(b"/").unwrap_or(b);
    !body.split(|&c| c == b'/').any(|p| matches!(p, b"" | b"." | b".."))
}

/// Whether case and backslash folding leave a name as it is: ASCII without upper case or `\\`.
/// A fold over every byte, without an early exit, so that it compiles to vector code.
fn folds_to_itself(name: &str) -> bool {
    !name.bytes().fold(false, |odd, c| odd | (c >= 0x80) | c.is_ascii_uppercase() | (c == b'\\'))
}

/// Case and backslash folding, as a case-insensitive file system or a Windows tool sees it.
fn normalise(name: &str) -> Cow<'_, str> {
    normalise_with(name, own_python_key(name))
}

/// [`normalise`], told whether the name is its own Python key (`own`): then an ASCII name
/// without `\\` folds to its lower case (its components are all kept), one allocation.
fn normalise_with(name: &str, own: bool) -> Cow<'_, str> {
    if own && folds_to_itself(name) {
        return Cow::Borrowed(name);
    }
    if own && name.is_ascii() && !name.as_bytes().contains(&b'\\') {
        return Cow::Owned(name.to_ascii_lowercase());
    }
    let lowered = name.replace('\\', "/").to_lowercase();
    let parts: Vec<&str> = lowered.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let mut key = parts.join("/");
    if name.ends_with('/') {
        key.push('/');
    }
    Cow::Owned(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_keys() {
        for n in ["/a/b", "a//b", "./a/b", "a/./b", "../a/b", "a/b"] {
            assert_eq!(python_key(n), "a/b", "{n}");
        }
        assert_eq!(python_key("c/../a/b"), "c/a/b");
        assert_ne!(python_key("a\\b"), python_key("a/b"));
        assert_eq!(python_key("a/b/"), "a/b/");
        assert_eq!(python_key(".../a"), ".../a");
    }

    #[test]
    fn plain_names_are_their_own_keys() {
        for n in ["a/b", "a/b/", "metadata.json", "x/.y/z.", "a/...", "a b/c", "a", "...", "..a/b..", "a/.../"] {
            assert!(plain(n), "{n}");
            assert_eq!(python_key(n), n);
            assert_eq!(normalise(n), n);
        }
        for n in ["/a", "a//b", "a/./b", "./a", "a/..", "A/b", "a\\b", "a//", "é", "", "/", ".", "..", "a/.", "a/../b"]
        {
            assert!(!plain(n), "{n}");
        }
    }

    /// The shortcuts give the keys the general path gives.
    #[test]
    fn shortcut_keys_match_the_general_path() {
        let slow_python = |n: &str| {
            let mut k = n.split('/').filter(|p| !matches!(*p, "" | "." | "..")).collect::<Vec<_>>().join("/");
            if n.ends_with('/') {
                k.push('/');
            }
            k
        };
        let slow_folded = |n: &str| {
            let lowered = n.replace('\\', "/").to_lowercase();
            let mut k = lowered.split('/').filter(|p| !p.is_empty() && *p != ".").collect::<Vec<_>>().join("/");
            if n.ends_with('/') {
                k.push('/');
            }
            k
        };
        for n in
            ["README.md", "a/B/c/", "A/../b", "A/./B", "/A", "a\\B", "É/x", "x/.../Y", "a/..B", "A//", "", ".", "a/b/"]
        {
            assert_eq!(python_key(n), slow_python(n), "{n}");
            assert_eq!(normalise(n), slow_folded(n), "{n}");
        }
        assert!(own_python_key("README.md") && !folds_to_itself("README.md"));
    }

    #[test]
    fn folded_keys() {
        assert_eq!(normalise("A\\B"), normalise("a/b"));
        assert_ne!(normalise("a/b/"), normalise("a/b"));
    }
}
