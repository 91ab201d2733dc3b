//! Per-entry checks that need no data: names (zip slip and friends), types and modes, methods,
//! flags and declared ratios; and collisions between names.

use super::{Entry, FLAG_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, METHOD_DEFLATE, METHOD_STORED};
use crate::code::{Code, Severity};
use crate::report::Finding;

/// Decodes a raw name the way Python does for display: UTF-8 when flagged or valid, else CP437.
pub(crate) fn decode(raw: &[u8], flags: u16) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_owned(),
        Err(_) if flags & FLAG_UTF8 != 0 => String::from_utf8_lossy(raw).into_owned(),
        Err(_) => raw.iter().map(|&b| cp437(b)).collect(),
    }
}

/// The raw bytes read as CP437, as Python 3 reads a name without the UTF-8 flag.
pub(crate) fn cp437_string(raw: &[u8]) -> String {
    raw.iter().map(|&b| cp437(b)).collect()
}

fn cp437(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if b < 0x80 { b as char } else { HIGH.chars().nth(b.saturating_sub(0x80) as usize).unwrap_or('?') }
}

/// Cloudify's writers never use these; DEFLATE cannot expand more than this (plus slack for
/// block headers on tiny inputs).
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Name, type, mode, method and flag checks for one entry.
pub(crate) fn check_entry(entry: &Entry, findings: &mut Vec<Finding>) {
    check_name(entry, findings);
    check_unicode_name(entry, findings);
    check_type_and_mode(entry, findings);
    check_method_and_flags(entry, findings);
}

/// Names (A6, H1): separators, traversal, absolute paths, control bytes, encodings.
fn check_name(entry: &Entry, findings: &mut Vec<Finding>) {
    let name = &entry.name;
    let at = entry.central_offset;
    let mut push = |code: Code, msg: String, sev: Option<Severity>| {
        findings
            .push(Finding::new(code, msg).severity(sev.unwrap_or(code.default_severity())).at_path(name).at_offset(at));
    };
    let raw = entry.raw();
    // One pass finds the common case, a printable ASCII name without backslashes: the checks
    // for NUL, control characters, backslashes and encodings below cannot fire on it, and its
    // bytes are the decoded name's, so the same pass finds the characters Windows forbids.
    let class = raw.iter().fold(0u8, |acc, &b| acc | BYTE_CLASS[usize::from(b)]);
    let odd = class & ODD != 0;
    if odd && raw.contains(&0) {
        push(Code::NulInName, "the name holds a NUL byte; C tools see only the part before it".into(), None);
    }
    if odd && raw.iter().any(|&b| b < 0x20 && b != 0 || b == 0x7f) {
        push(
            Code::ControlCharInName,
            "the name holds control characters; Info-ZIP strips them (and may overwrite the file named without them), Python, 7-Zip and bsdtar keep them".into(),
            None,
        );
    }
    if odd && raw.contains(&b'\\') {
        if raw.contains(&b'/') {
            push(
                Code::BackslashInName,
                "the name holds a backslash beside slashes; every Linux reader (Python's restore, Info-ZIP, 7-Zip, bsdtar) writes it literally, Windows tools treat it as a separator".into(),
                None,
            );
        } else {
            push(
                Code::BackslashInName,
                "the name has backslashes and no slash: bsdtar (any host) and Info-ZIP (MS-DOS host) treat them as separators and write a directory tree, Python's restore and 7-Zip write one file with backslashes in its name".into(),
                Some(Severity::Error),
            );
        }
    }
    let unified: std::borrow::Cow<str> =
        if name.as_bytes().contains(&b'\\') { name.replace('\\', "/").into() } else { name.as_str().into() };
    let drive = unified.len() >= 2 && unified.as_bytes()[1] == b':' && unified.as_bytes()[0].is_ascii_alphabetic();
    if unified.starts_with('/') || drive {
        push(
            Code::AbsolutePath,
            "the name is absolute; Python's restore strips the prefix silently, other extractors write outside the target".into(),
            None,
        );
    }
    // One pass over the components: climbing out of the root, '..' anywhere, anything real.
    // Split on the byte: a char pattern costs a searcher per component.
    let (mut depth, mut escapes, mut dotdot, mut real, mut windows) = (0i64, false, false, false, false);
    for part in unified.as_bytes().split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                depth = depth.saturating_sub(1);
                escapes |= depth < 0;
                dotdot = true;
            }
            _ => {
                depth = depth.saturating_add(1);
                real = true;
                windows |= windows_reserved(part);
            }
        }
    }
    // A forbidden character cannot be in an empty, `.` or `..` component: anywhere in the
    // name, it is in a real one.
    windows |= if odd { unified.bytes().any(windows_forbidden) } else { class & FORBIDDEN != 0 };
    if dotdot {
        push(
            Code::PathTraversal,
            if escapes {
                "the name climbs out of the extraction root with '..' (zip slip); Python's restore drops the '..' silently, naive extractors write outside the target".into()
            } else {
                "the name has '..' components; Cloudify never writes them and extractors resolve them differently"
                    .into()
            },
            None,
        );
    }
    if !real {
        push(Code::EmptyName, "the name is empty or consists only of separators and dots".into(), None);
    }
    if windows {
        push(
            Code::WindowsUnsafeName,
            "a name component is a Windows device name (CON, NUL, COM1, LPT1, CONIN$ …), holds a character Windows forbids (< > : \" | ? *) or ends with a dot or space; every Linux reader agrees on it, Windows extractors write another name or to the device".into(),
            None,
        );
    }
    if odd && !raw.is_ascii() && entry.flags & FLAG_UTF8 == 0 {
        if std::str::from_utf8(raw).is_ok() {
            push(
                Code::NameEncodingAmbiguous,
                "a non-ASCII UTF-8 name without the UTF-8 flag: Python 3 restores (5.1+) write it as CP437 mojibake, Python 2 restores, Info-ZIP, 7-Zip and bsdtar keep the UTF-8 bytes".into(),
                Some(Severity::Warning),
            );
        } else {
            push(
                Code::NameEncodingAmbiguous,
                "a non-ASCII name without the UTF-8 flag that is not UTF-8: Python writes its CP437 reading as UTF-8, Info-ZIP CP437 as Latin-1 or the raw bytes, 7-Zip and bsdtar the raw bytes, adm-zip U+FFFD: no two readers write the same name".into(),
                Some(Severity::Error),
            );
        }
    }
    if odd && entry.flags & FLAG_UTF8 != 0 && std::str::from_utf8(raw).is_err() {
        push(
            Code::NameNotUtf8,
            "the name is flagged UTF-8 but is not valid UTF-8: every Python (2.7 to 3.13) raises UnicodeDecodeError opening the archive, so restore fails; Java and bsdtar refuse it, Info-ZIP drops the bad bytes".into(),
            None,
        );
    }
    if name == "." || name.ends_with("/.") {
        push(
            Code::NameCollision,
            "the name's last component is '.': Python writes it as its parent file, Info-ZIP and 7-Zip fail or keep another copy".into(),
            Some(Severity::Error),
        );
    }
}

/// The path checks on the name Python 3.12+ and Info-ZIP take from a Unicode Path extra field
/// (A3, H19): a traversal there escapes on those readers only.
fn check_unicode_name(entry: &Entry, findings: &mut Vec<Finding>) {
    let Some(u) = entry.unicode_name.as_deref() else { return };
    let u = String::from_utf8_lossy(u);
    let unified = u.replace('\\', "/");
    let drive = unified.len() >= 2 && unified.as_bytes()[1] == b':' && unified.as_bytes()[0].is_ascii_alphabetic();
    let (code, what) = if unified.split('/').any(|p| p == "..") {
        (Code::PathTraversal, "has '..' components")
    } else if unified.starts_with('/') || drive {
        (Code::AbsolutePath, "is absolute")
    } else {
        return;
    };
    findings.push(
        Finding::new(
            code,
            format!(
                "the name Python 3.12+ and Info-ZIP take from the Unicode Path extra field, '{u}', {what}; the header name '{}' looks harmless to every other reader",
                entry.name
            ),
        )
        .at_path(&entry.name)
        .at_offset(entry.central_offset),
    );
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
    if let Some((sev, msg)) = directory_ness(entry) {
        findings.push(Finding::new(Code::DirectoryWithData, msg).severity(sev).at_path(name).at_offset(at));
    }
}

/// Host systems (high byte of "version made by") whose attributes 7-Zip reads as MS-DOS ones.
const HOST_FAT: u8 = 0;
const HOST_UNIX: u8 = 3;
fn dos_like(host: u8) -> bool {
    matches!(host, HOST_FAT | 6 | 11 | 14) // FAT, HPFS, NTFS, VFAT
}

/// File or directory (A4, H21): the slash, the Unix mode and the MS-DOS attribute can each make
/// an entry a directory for some reader.
fn directory_ness(entry: &Entry) -> Option<(Severity, String)> {
    let host = entry.create_system;
    let mode_kind = (entry.external_attr >> 16) & 0o170000;
    let dos_dir = entry.external_attr & 0x10 != 0;
    if entry.is_dir() {
        if entry.uncompressed_size > 0 || entry.compressed_size > 2 {
            return Some((
                Severity::Error,
                format!(
                    "the directory entry carries {} bytes of data: extractors (Python's restore, Info-ZIP, Java) make a directory and drop them, ZipFile.read(), testzip() and streaming readers return them, Go refuses the entry",
                    entry.uncompressed_size.max(entry.compressed_size)
                ),
            ));
        }
        let says_file = (host == HOST_UNIX && mode_kind == 0o100000) || (dos_like(host) && !dos_dir);
        return says_file.then(|| {
            (
                Severity::Warning,
                "the name marks a directory but its attributes mark a file; every reader goes by the slash".into(),
            )
        });
    }
    if mode_kind == 0o040000 {
        let sev = if host == HOST_UNIX { Severity::Error } else { Severity::Warning };
        return Some((
            sev,
            if host == HOST_UNIX {
                "the entry is marked a directory only by its Unix mode bits (no trailing slash): 7-Zip and bsdtar create a directory, Python's restore, Info-ZIP and Java a file".into()
            } else {
                format!(
                    "the entry has a directory Unix mode but no trailing slash; made by system {host}, so every reader ignores the mode and writes a file"
                )
            },
        ));
    }
    if dos_dir {
        let sev = if dos_like(host) { Severity::Error } else { Severity::Warning };
        return Some((
            sev,
            if dos_like(host) {
                format!(
                    "the entry has the MS-DOS directory attribute but no trailing slash (made by system {host}): 7-Zip{} creates a directory, Python's restore, Info-ZIP and Java a file",
                    if host == HOST_FAT { " and bsdtar" } else { "" }
                )
            } else {
                format!(
                    "the entry has the MS-DOS directory attribute but no trailing slash; made by system {host}, so every common reader writes a file"
                )
            },
        ));
    }
    None
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
    if entry.method == METHOD_DEFLATE
        && entry.uncompressed_size > 1 << 20
        && entry.uncompressed_size.checked_div(entry.compressed_size.max(1)).unwrap_or(u64::MAX) > MAX_DEFLATE_RATIO
    {
        push(
            Code::RatioImpossible,
            format!(
                "declares {} bytes from {} compressed bytes, a ratio above DEFLATE's 1032:1 limit: the size is a lie",
                entry.uncompressed_size, entry.compressed_size
            ),
        );
    }
    if entry.flags & FLAG_DESCRIPTOR != 0 && entry.method == METHOD_STORED {
        findings.push(
            Finding::new(
                Code::DataDescriptor,
                "a stored entry uses a data descriptor: streaming readers cannot find where its data ends (Java ZipInputStream refuses it), Python reads the central sizes",
            )
            .severity(Severity::Error)
            .at_path(name)
            .at_offset(at),
        );
    } else if entry.flags & FLAG_DESCRIPTOR != 0 {
        findings.push(
            Finding::new(Code::DataDescriptor, "the entry uses a data descriptor; Cloudify's writer never does")
                .at_path(name)
                .at_offset(at),
        );
    }
}

/// Byte classes for the one scan of a name in [`check_name`]: bytes that need the slow checks
/// (control, non-ASCII, backslash), and the characters Windows forbids in names.
const ODD: u8 = 1;
const FORBIDDEN: u8 = 2;
static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0usize;
    while i < 256 {
        let b = i as u8;
        if b < 0x20 || b >= 0x7f || b == b'\\' {
            t[i] = ODD;
        } else if windows_forbidden(b) {
            t[i] = FORBIDDEN;
        }
        i = i.wrapping_add(1);
    }
    t
};

const fn windows_forbidden(b: u8) -> bool {
    matches!(b, b'<' | b'>' | b':' | b'"' | b'|' | b'?' | b'*')
}

/// Whether Windows cannot write a name component: [`windows_reserved`], or a character it
/// forbids.
#[cfg(test)]
fn windows_unsafe(part: &[u8]) -> bool {
    windows_reserved(part) || part.iter().copied().any(windows_forbidden)
}

/// A device name (CON, NUL, COM1, LPT1, CONIN$ …) or a name ending with a dot or space.
fn windows_reserved(part: &[u8]) -> bool {
    if part.is_empty() || part == b"." || part == b".." {
        return false;
    }
    // Windows compares device names case-insensitively, with or without an extension, after
    // trimming trailing spaces and dots. Compared in place, on bytes: this runs for every name
    // component.
    let mut stem = &part[..part.iter().position(|&b| b == b'.').unwrap_or(part.len())];
    while let [rest @ .., b' '] = stem {
        stem = rest;
    }
    let numbered = |p: &[u8]| {
        stem.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p))
            && stem.get(p.len()..).is_some_and(|d| {
                // One digit: ASCII, or '¹', '²', '³' (U+00B9, U+00B2, U+00B3 in UTF-8).
                matches!(d, [b'0'..=b'9'] | [0xc2, 0xb9 | 0xb2 | 0xb3])
            })
    };
    // Device names are 3 to 7 bytes long (`COM¹` is 5): most components are not, and skip them.
    let device = (3..=7).contains(&stem.len())
        && ([b"CON".as_slice(), b"PRN", b"AUX", b"NUL", b"CONIN$", b"CONOUT$"]
            .iter()
            .any(|d| stem.eq_ignore_ascii_case(d))
            || numbered(b"COM")
            || numbered(b"LPT"));
    device || matches!(part.last(), Some(b'.' | b' '))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names() {
        assert!(windows_unsafe("CON".as_bytes()));
        assert!(windows_unsafe("com1.txt".as_bytes()));
        assert!(windows_unsafe("a.".as_bytes()));
        assert!(windows_unsafe("file:stream".as_bytes()));
        assert!(windows_unsafe("COM0".as_bytes()));
        assert!(windows_unsafe("lpt¹.log".as_bytes()));
        assert!(windows_unsafe("conin$".as_bytes()));
        assert!(windows_unsafe("nul .txt".as_bytes()));
        assert!(windows_unsafe("a|b.yaml".as_bytes()));
        assert!(windows_unsafe("what?".as_bytes()));
        assert!(!windows_unsafe("COM10".as_bytes()));
        assert!(!windows_unsafe("console".as_bytes()));
        assert!(!windows_unsafe("blueprint.yaml".as_bytes()));
        // Each device, any case, with an extension or trailing spaces; near misses are not.
        for n in ["conout$", "PRN.txt", "aux ", "LPT³", "com².x", "Nul"] {
            assert!(windows_unsafe(n.as_bytes()), "{n}");
        }
        for n in ["COM¹¹", "LPT", "CONOUT", "xcon", "com1a", "c:"] {
            assert_eq!(windows_unsafe(n.as_bytes()), n == "c:", "{n}");
        }
    }

    #[test]
    fn cp437_fallback_for_invalid_utf8() {
        assert_eq!(decode(b"caf\x82", 0), "café");
        assert_eq!(decode("café".as_bytes(), 0), "café");
    }

    fn entry(name: &str, host: u8, attr: u32, size: u64) -> Entry {
        Entry {
            index: 0,
            name: name.into(),
            raw_name: None,
            flags: 0,
            method: METHOD_STORED,
            crc: 0,
            compressed_size: size,
            uncompressed_size: size,
            external_attr: attr,
            create_system: host,
            central_offset: 0,
            local_offset: 0,
            data_offset: None,
            readable: true,
            unicode_name: None,
            local_zip64: false,
        }
    }

    /// The one scan of a name (ASCII names) and the slow path (names with control, non-ASCII or
    /// backslash bytes) find the same Windows-unsafe components.
    #[test]
    fn windows_unsafe_names_on_both_scan_paths() {
        let unsafe_name = |name: &str| {
            let mut findings = Vec::new();
            check_name(&entry(name, 3, 0o100_644 << 16, 1), &mut findings);
            findings.iter().any(|f| f.code == Code::WindowsUnsafeName)
        };
        for n in ["a/b|c.yaml", "a\\b?.yaml", "é/x*", "a/CON", "a\\nul.txt/b", "tab\tx/aux", "x./y", "a /b"] {
            assert!(unsafe_name(n), "{n}");
        }
        for n in ["a/b.yaml", "a\\b.yaml", "é/x", "a/CONX", "./a/../b", "a/..b/c"] {
            assert!(!unsafe_name(n), "{n}");
        }
    }

    /// The A4 matrix: who makes a directory of what (zipdiff-research §2 A4).
    #[test]
    fn directory_ness_by_host_and_attributes() {
        use Severity::{Error, Warning};
        let sev = |e: Entry| directory_ness(&e).map(|(s, _)| s);
        let (file, dir) = (0o100_644 << 16, 0o040_755 << 16);
        assert_eq!(sev(entry("a/", 3, dir | 0x10, 0)), None); // Python 3's directory
        assert_eq!(sev(entry("a/", 3, 0x41ED_0000, 0)), None); // Python 2.7's directory
        let py27 = Entry { uncompressed_size: 0, ..entry("a/", 3, dir, 2) };
        assert_eq!(sev(py27), None); // Python 2.7's empty DEFLATE stream
        assert_eq!(sev(entry("a/", 3, dir, 5)), Some(Error)); // hidden bytes
        assert_eq!(sev(entry("a/", 3, file, 0)), Some(Warning)); // attributes say file
        assert_eq!(sev(entry("a/", 0, 0x20, 0)), Some(Warning));
        assert_eq!(sev(entry("a", 3, dir, 1)), Some(Error)); // 7-Zip, bsdtar: directory
        assert_eq!(sev(entry("a", 0, dir, 1)), Some(Warning)); // mode ignored off Unix
        for host in [0, 6, 11, 14] {
            assert_eq!(sev(entry("a", host, 0x10, 1)), Some(Error), "host {host}");
        }
        assert_eq!(sev(entry("a", 19, 0x10, 1)), Some(Warning));
        assert_eq!(sev(entry("a", 3, file, 1)), None);
    }

    #[test]
    fn python_reads_cp437_without_the_flag() {
        assert_eq!(cp437_string("café".as_bytes()), "caf├⌐");
        assert_eq!(cp437_string(b"caf\x82"), "café");
    }

    fn severities(name: &str, flags: u16) -> Vec<(Code, Severity)> {
        let mut e = entry(name, 3, 0o100_644 << 16, 1);
        e.flags = flags;
        let mut f = Vec::new();
        check_name(&e, &mut f);
        f.iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn name_severities_follow_the_readers() {
        assert_eq!(severities("a\\b", 0), vec![(Code::BackslashInName, Severity::Error)]);
        assert_eq!(severities("x/a\\b", 0), vec![(Code::BackslashInName, Severity::Warning)]);
        assert_eq!(severities("a\x01b", 0), vec![(Code::ControlCharInName, Severity::Error)]);
        assert_eq!(severities("x/café", 0), vec![(Code::NameEncodingAmbiguous, Severity::Warning)]);
        assert_eq!(severities("x/aux.py", 0), vec![(Code::WindowsUnsafeName, Severity::Warning)]);
        assert_eq!(severities("x/b/.", 0), vec![(Code::NameCollision, Severity::Error)]);
        assert!(severities("blueprints/t/b/blueprint.yaml", 0).is_empty());
    }
}
