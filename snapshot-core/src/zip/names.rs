//! Per-entry checks that need no data: names (zip slip and friends), types and modes, methods,
//! flags and declared ratios; and collisions between names.

use super::{Entry, FLAG_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, METHOD_DEFLATE, METHOD_STORED};
use crate::code::Code;
use crate::report::Finding;
use std::collections::{HashMap, HashSet};

/// Decodes a raw name the way Python does for display: UTF-8 when flagged or valid, else CP437.
pub(crate) fn decode(raw: &[u8], flags: u16) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_owned(),
        Err(_) if flags & FLAG_UTF8 != 0 => String::from_utf8_lossy(raw).into_owned(),
        Err(_) => raw.iter().map(|&b| cp437(b)).collect(),
    }
}

fn cp437(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if b < 0x80 { b as char } else { HIGH.chars().nth((b - 0x80) as usize).unwrap_or('?') }
}

/// Cloudify's writers never use these; DEFLATE cannot expand more than this (plus slack for
/// block headers on tiny inputs).
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Name, type, mode, method and flag checks for one entry.
pub(crate) fn check_entry(entry: &Entry, findings: &mut Vec<Finding>) {
    check_name(entry, findings);
    check_type_and_mode(entry, findings);
    check_method_and_flags(entry, findings);
}

/// Names (A6, H1): separators, traversal, absolute paths, control bytes, encodings.
fn check_name(entry: &Entry, findings: &mut Vec<Finding>) {
    let name = &entry.name;
    let at = entry.central_offset;
    let mut push = |code: Code, msg: String| findings.push(Finding::new(code, msg).at_path(name).at_offset(at));
    let raw = entry.raw();
    if raw.contains(&0) {
        push(Code::NulInName, "the name holds a NUL byte; C tools see only the part before it".into());
    }
    if raw.iter().any(|&b| b < 0x20 && b != 0 || b == 0x7f) {
        push(Code::ControlCharInName, "the name holds control characters".into());
    }
    if raw.contains(&b'\\') {
        push(
            Code::BackslashInName,
            "the name holds a backslash; Windows tools treat it as a separator, Cloudify's restore on Linux writes it literally".into(),
        );
    }
    let unified: std::borrow::Cow<str> =
        if name.contains('\\') { name.replace('\\', "/").into() } else { name.as_str().into() };
    let drive = unified.len() >= 2 && unified.as_bytes()[1] == b':' && unified.as_bytes()[0].is_ascii_alphabetic();
    if unified.starts_with('/') || drive {
        push(
            Code::AbsolutePath,
            "the name is absolute; Python's restore strips the prefix silently, other extractors write outside the target".into(),
        );
    }
    // One pass over the components: climbing out of the root, '..' anywhere, anything real.
    let (mut depth, mut escapes, mut dotdot, mut real, mut windows) = (0i64, false, false, false, false);
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                escapes |= depth < 0;
                dotdot = true;
            }
            _ => {
                depth += 1;
                real = true;
                windows |= windows_unsafe(part);
            }
        }
    }
    if dotdot {
        push(
            Code::PathTraversal,
            if escapes {
                "the name climbs out of the extraction root with '..' (zip slip); Python's restore drops the '..' silently, naive extractors write outside the target".into()
            } else {
                "the name has '..' components; Cloudify never writes them and extractors resolve them differently"
                    .into()
            },
        );
    }
    if !real {
        push(Code::EmptyName, "the name is empty or consists only of separators and dots".into());
    }
    if windows {
        push(Code::WindowsUnsafeName, "a name component is a Windows device name or ends with a dot or space".into());
    }
    if !raw.is_ascii() && entry.flags & FLAG_UTF8 == 0 {
        push(
            Code::NameEncodingAmbiguous,
            "a non-ASCII name without the UTF-8 flag: Python 3 reads it as CP437, Python 2 writers meant UTF-8".into(),
        );
    }
    if entry.flags & FLAG_UTF8 != 0 && std::str::from_utf8(raw).is_err() {
        push(Code::NameNotUtf8, "the name is flagged UTF-8 but is not valid UTF-8".into());
    }
}

/// Types and modes (H2, A9): links, special files, mode bits, directories with data.
fn check_type_and_mode(entry: &Entry, findings: &mut Vec<Finding>) {
    let name = &entry.name;
    let at = entry.central_offset;
    let mut push = |code: Code, msg: String| findings.push(Finding::new(code, msg).at_path(name).at_offset(at));
    if let Some(mode) = entry.unix_mode().filter(|_| entry.create_system == 3) {
        let kind = mode & 0o170000;
        match kind {
            0o120000 => push(
                Code::SymlinkEntry,
                "the entry is a symbolic link; Cloudify never writes links and a link lets later entries write outside the target".into(),
            ),
            0o100000 | 0o040000 | 0 => {}
            _ => push(
                Code::SpecialFileEntry,
                format!("the entry is a {} (mode {mode:o}), not a regular file or directory", special_kind(kind)),
            ),
        }
        if mode & 0o7000 != 0 {
            push(
                Code::SpecialModeBits,
                format!(
                    "the mode {:o} has setuid, setgid or sticky bits; restore on 6.3+ applies them with chmod",
                    mode & 0o7777
                ),
            );
        }
        if mode & 0o002 != 0 && kind != 0o120000 {
            push(
                Code::WorldWritable,
                format!("the mode {:o} is world-writable; restore on 6.3+ applies it with chmod", mode & 0o7777),
            );
        }
    }
    if !entry.is_dir() {
        let readable = entry.create_system == 3 && entry.unix_mode().is_some_and(|m| m & 0o400 != 0);
        if !readable {
            push(
                Code::UnreadableMode,
                format!(
                    "the entry records {} (made by system {}); restore on 6.3+ applies 'external_attr >> 16' with chmod and cannot read the file back",
                    match entry.unix_mode() {
                        Some(m) => format!("Unix mode {:o} without owner read", m & 0o7777),
                        None => "no Unix mode".to_string(),
                    },
                    entry.create_system
                ),
            );
        }
    }
    if entry.is_dir() && (entry.uncompressed_size > 0 || entry.compressed_size > 2) {
        push(
            Code::DirectoryWithData,
            format!("the directory entry carries {} bytes of data", entry.uncompressed_size.max(entry.compressed_size)),
        );
    } else if !entry.is_dir() && entry.external_attr & 0x10 != 0 {
        push(
            Code::DirectoryWithData,
            "the entry has the MS-DOS directory attribute but its name has no trailing slash".into(),
        );
    }
}

/// Methods and flags (A3, A4, H3, H15, H16, H22): encryption, methods, descriptors, ratios.
fn check_method_and_flags(entry: &Entry, findings: &mut Vec<Finding>) {
    let name = &entry.name;
    let at = entry.central_offset;
    let mut push = |code: Code, msg: String| findings.push(Finding::new(code, msg).at_path(name).at_offset(at));
    if entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
        push(
            Code::EncryptedEntry,
            "the entry is encrypted; Cloudify never encrypts and restore cannot extract it".into(),
        );
    } else if entry.method != METHOD_STORED && entry.method != METHOD_DEFLATE {
        push(
            Code::UnsupportedMethod,
            format!(
                "compression method {} ({}); Cloudify writes only stored and deflate, and Python 2 restores (up to 5.0.5) cannot read it",
                entry.method,
                method_name(entry.method)
            ),
        );
    }
    if entry.flags & FLAG_DESCRIPTOR != 0 {
        push(Code::DataDescriptor, "the entry uses a data descriptor; Cloudify's writer never does".into());
    }
    if entry.method == METHOD_DEFLATE
        && entry.uncompressed_size > 1 << 20
        && entry.uncompressed_size / entry.compressed_size.max(1) > MAX_DEFLATE_RATIO
    {
        push(
            Code::RatioImpossible,
            format!(
                "declares {} bytes from {} compressed bytes, a ratio above DEFLATE's 1032:1 limit: the size is a lie",
                entry.uncompressed_size, entry.compressed_size
            ),
        );
    }
}

fn windows_unsafe(part: &str) -> bool {
    if part.is_empty() || part == "." || part == ".." {
        return false;
    }
    let stem = part.split('.').next().unwrap_or("").to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0');
    device || part.ends_with('.') || part.ends_with(' ') || part.contains(':')
}

fn special_kind(kind: u32) -> &'static str {
    match kind {
        0o010000 => "FIFO",
        0o020000 => "character device",
        0o060000 => "block device",
        0o140000 => "socket",
        _ => "file of unknown type",
    }
}

fn method_name(method: u16) -> &'static str {
    match method {
        1 => "shrink",
        6 => "implode",
        9 => "Deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "XZ",
        98 => "PPMd",
        99 => "AES without the encryption flag",
        _ => "unknown",
    }
}

/// Duplicate names and names that collide after normalisation (A7, H8, H9).
///
/// Memory stays at a few words per entry: indices sorted by raw name for duplicates, and
/// 64-bit hashes of normalised keys, confirmed by recomputing the keys of a matching pair.
pub(crate) fn check_collisions(entries: &[Entry], findings: &mut Vec<Finding>) {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].raw().cmp(entries[b].raw()).then(a.cmp(&b)));
    for group in order.chunk_by(|&a, &b| entries[a].raw() == entries[b].raw()).filter(|g| g.len() > 1) {
        let copies: Vec<&Entry> = group.iter().map(|&i| &entries[i]).collect();
        let last = copies[copies.len() - 1];
        let same = copies.iter().all(|c| c.crc == last.crc && c.uncompressed_size == last.uncompressed_size);
        findings.push(
            Finding::new(
                Code::DuplicateName,
                format!(
                    "{} entries are named '{}'{}; Python's restore extracts the last copy (entry {}, byte {}) and testzip() checks only that one",
                    copies.len(),
                    last.name,
                    if same { " with the same content" } else { " with different content" },
                    last.index + 1,
                    last.local_offset
                ),
            )
            .at_path(&last.name)
            .at_offset(copies[0].central_offset),
        );
    }

    // Case folding and slash/dot canonicalisation, excluding exact duplicates.
    let mut norm: HashMap<u64, usize> = HashMap::with_capacity(entries.len());
    let mut reported = HashSet::new();
    for (i, e) in entries.iter().enumerate() {
        let key = normalised_hash(&e.name);
        match norm.get(&key) {
            Some(&p) if normalise(&entries[p].name) == normalise(&e.name) => {
                let prev = &entries[p];
                if prev.raw() != e.raw() && reported.insert(key) {
                    findings.push(
                        Finding::new(
                            Code::NameCollision,
                            format!(
                                "'{}' and '{}' name the same path on a case-insensitive or normalising file system",
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
                norm.insert(key, i);
            }
        }
    }
    drop(norm);

    // A file and a directory with the same path: `a` as a file and `a/…` below it.
    let files: HashMap<u64, usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.is_dir())
        .map(|(i, e)| (hash(e.name.trim_matches('/')), i))
        .collect();
    let mut seen = HashSet::new();
    for e in entries {
        let trimmed = e.name.trim_end_matches('/');
        let cut = if e.is_dir() { trimmed.len() } else { trimmed.rfind('/').unwrap_or(0) };
        let dirs = &trimmed[..cut];
        let mut ends: Vec<usize> = dirs.match_indices('/').map(|(i, _)| i).collect();
        ends.push(dirs.len());
        for end in ends.into_iter().filter(|&end| end > 0) {
            let prefix = &dirs[..end];
            if let Some(&f) = files.get(&hash(prefix))
                && entries[f].name.trim_matches('/') == prefix
                && seen.insert(hash(prefix))
            {
                let file = &entries[f];
                findings.push(
                    Finding::new(
                        Code::NameCollision,
                        format!("'{}' is a file, but '{}' uses it as a directory", file.name, e.name),
                    )
                    .at_path(&file.name)
                    .at_offset(file.central_offset),
                );
            }
        }
    }
}

fn hash(s: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // A fixed-key hasher: the same archive gives the same findings in every run.
    let mut h = std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

/// `hash(&normalise(name))` without building the string (ASCII names, the common case).
fn normalised_hash(name: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    if !name.is_ascii() {
        return hash(&normalise(name));
    }
    let mut h = std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().build_hasher();
    let mut first = true;
    for part in name.split(['/', '\\']).filter(|p| !p.is_empty() && *p != ".") {
        if !first {
            h.write_u8(b'/');
        }
        first = false;
        for b in part.bytes() {
            h.write_u8(b.to_ascii_lowercase());
        }
    }
    if name.ends_with('/') {
        h.write_u8(b'/');
    }
    h.finish()
}

fn normalise(name: &str) -> String {
    let lowered = name.replace('\\', "/").to_lowercase();
    let parts: Vec<&str> = lowered.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let mut key = parts.join("/");
    if name.ends_with('/') {
        key.push('/');
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names() {
        assert!(windows_unsafe("CON"));
        assert!(windows_unsafe("com1.txt"));
        assert!(windows_unsafe("a."));
        assert!(windows_unsafe("file:stream"));
        assert!(!windows_unsafe("COM0"));
        assert!(!windows_unsafe("console"));
    }

    #[test]
    fn cp437_fallback_for_invalid_utf8() {
        assert_eq!(decode(b"caf\x82", 0), "café");
        assert_eq!(decode("café".as_bytes(), 0), "café");
    }
}
