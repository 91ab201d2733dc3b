//! What a nested archive must be and what its first bytes say it is: the one [`Kind`], the one
//! [`sniff`] and the one tar header test, shared by the quick phase (new-format D6–D8, from a
//! member's first bytes) and the data pass (H5, D8, streaming the whole member).
//!
//! The two phases read magic numbers with different strictness, and reports depend on it, so
//! the difference is the explicit [`Strictness`] parameter.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::arith::SaturatingSum;
use crate::snapshot::base64;

/// What a nested archive's name (or its place in the archive) says it must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A zip (`.zip`).
    Zip,
    /// A gzip'd tar (`.wgn`, `.tar.gz`, `.tgz`).
    TarGz,
    /// A plain tar.
    Tar,
    /// A bzip2'd tar.
    TarBz2,
    /// Base64 text of a zip (`.b64zip`).
    B64Zip,
    /// Any blueprint archive: new-format restore fixes the `.tar.gz` suffix whatever the bytes.
    AnyBlueprint,
}

impl Kind {
    /// The kind a member's name marks, if it marks a nested archive.
    pub(crate) fn of(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        // New-format restore fixes the `.tar.gz` suffix whatever the archive's type; legacy
        // restore copies uploaded blueprints back byte for byte, so any archive type is fine there.
        let in_new_blueprints = (lower.starts_with("tenants/") && lower.contains("/blueprints/"))
            || lower.starts_with("uploaded-blueprints/");
        Some(if lower.ends_with(".b64zip") {
            Kind::B64Zip
        } else if in_new_blueprints {
            Kind::AnyBlueprint
        } else if lower.ends_with(".zip") {
            Kind::Zip
        } else if lower.ends_with(".wgn") || lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Kind::TarGz
        } else if lower.ends_with(".tar.bz2") {
            Kind::TarBz2
        } else if lower.ends_with(".tar") {
            Kind::Tar
        } else {
            return None;
        })
    }

    /// Whether bytes sniffed as `magic` are what this kind must be. Base64 text has no magic:
    /// it is judged by decoding it.
    pub(crate) fn accepts(self, magic: Option<&str>) -> bool {
        match self {
            Kind::Zip => magic == Some("zip"),
            Kind::TarGz => magic == Some("gzip"),
            Kind::TarBz2 => magic == Some("bzip2"),
            Kind::Tar => magic == Some("tar"),
            Kind::AnyBlueprint => magic.is_some(),
            Kind::B64Zip => true,
        }
    }
}

/// How strictly [`sniff`] reads magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strictness {
    /// The quick phase's rule: `PK` alone marks a zip (whose inside [`zip_problem`] then
    /// judges: empty, no end record), and a tar needs the POSIX `ustar` magic at offset 257 (the
    /// first 262 bytes suffice); an old v7 tar, which has no magic, is not recognised.
    Magic,
    /// The data pass's rule: a zip starts with a local header or end record signature, and a
    /// tar is a whole 512-byte header block with the `ustar` magic or, for v7 tars, a valid
    /// header checksum.
    Header,
}

/// The archive format `head` (a member's first bytes) starts like.
pub(crate) fn sniff(head: &[u8], strictness: Strictness) -> Option<&'static str> {
    let zip = match strictness {
        Strictness::Magic => head.starts_with(b"PK"),
        Strictness::Header => head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
    };
    let tar = match strictness {
        Strictness::Magic => head.get(257..262) == Some(b"ustar".as_slice()),
        Strictness::Header => tar_header_ok(head),
    };
    if zip {
        Some("zip")
    } else if head.starts_with(b"\x1f\x8b") {
        Some("gzip")
    } else if head.starts_with(b"BZh") {
        Some("bzip2")
    } else if tar {
        Some("tar")
    } else {
        None
    }
}

/// A tar header block: the `ustar` magic, or a valid header checksum (old v7 tars).
pub(crate) fn tar_header_ok(block: &[u8]) -> bool {
    if block.len() < 512 {
        return false;
    }
    if &block[257..262] == b"ustar" {
        return true;
    }
    let stored = std::str::from_utf8(&block[148..156]).ok().map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '));
    let Some(stored) = stored.and_then(|s| u32::from_str_radix(s, 8).ok()) else { return false };
    // 512 bytes of at most 255 each: the sum fits a u32 with room to spare (saturating for the lint).
    let sum = block[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| if (148..156).contains(&i) { 32 } else { u32::from(b) })
        .saturating_sum();
    sum == stored && block[0] != 0
}

/// The quick phase's verdict on a nested archive from its bytes: all of them (`whole`) or its
/// first ones. Base64 is decoded as restore decodes it ([`base64::Mode::Strict`]).
pub(crate) fn quick_problem(kind: Kind, bytes: &[u8], whole: bool) -> Option<String> {
    match kind {
        Kind::B64Zip => match base64::decode(bytes, base64::Mode::Strict, whole) {
            Err(why) => Some(why.to_string()),
            Ok(zip) => zip_problem(&zip, whole),
        },
        Kind::Zip => zip_problem(bytes, whole),
        Kind::AnyBlueprint | Kind::Tar | Kind::TarGz | Kind::TarBz2 => match sniff(bytes, Strictness::Magic) {
            Some("zip") if kind == Kind::AnyBlueprint => zip_problem(bytes, whole),
            magic if kind.accepts(magic) => None,
            _ => Some(match kind {
                Kind::AnyBlueprint => "it is not a zip, gzip, bzip2 or tar file".to_string(),
                _ => "it is not the tar archive its name says".to_string(),
            }),
        },
    }
}

/// What is wrong with bytes that must be a zip: `whole` when they are all of it, so its end
/// record must be there.
pub(crate) fn zip_problem(bytes: &[u8], whole: bool) -> Option<String> {
    if bytes.is_empty() {
        return Some("it is empty".into());
    }
    if !bytes.starts_with(b"PK") {
        return Some("it is not a zip file".into());
    }
    // A zip ends with its end record, within a 64 KiB comment of the end.
    let tail = &bytes[bytes.len().saturating_sub(22 + 0xFFFF)..];
    (whole && memchr::memmem::find(tail, b"PK\x05\x06").is_none())
        .then(|| "it starts like a zip but has no end record".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v7 tar header: a name, octal fields and a valid checksum, but no `ustar` magic.
    fn v7_header() -> Vec<u8> {
        let mut b = vec![0u8; 512];
        b[..8].copy_from_slice(b"file.txt");
        b[100..107].copy_from_slice(b"0000644");
        b[124..135].copy_from_slice(b"00000000000");
        b[148..156].copy_from_slice(b"        ");
        let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
        b[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        b
    }

    #[test]
    fn kinds_by_name() {
        assert_eq!(Kind::of("plugins/u/cloudify-plugin.wgn"), Some(Kind::TarGz));
        assert_eq!(Kind::of("tenants/t/blueprints/bp.tar.gz"), Some(Kind::AnyBlueprint));
        assert_eq!(Kind::of("uploaded-blueprints/t/bp/bp.tar.gz"), Some(Kind::AnyBlueprint));
        assert_eq!(Kind::of("tenants/t/deployments/d.b64zip"), Some(Kind::B64Zip));
        assert_eq!(Kind::of("pg_data"), None);
    }

    #[test]
    fn the_data_pass_knows_v7_tars_the_quick_phase_does_not() {
        let v7 = v7_header();
        assert!(tar_header_ok(&v7));
        assert_eq!(sniff(&v7, Strictness::Header), Some("tar"));
        assert_eq!(sniff(&v7, Strictness::Magic), None);
        assert_eq!(
            quick_problem(Kind::AnyBlueprint, &v7, true).as_deref(),
            Some("it is not a zip, gzip, bzip2 or tar file")
        );
    }

    #[test]
    fn the_quick_phase_needs_only_the_ustar_magic() {
        let mut short = vec![b'x'; 262];
        short[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&short, Strictness::Magic), Some("tar"));
        assert_eq!(sniff(&short, Strictness::Header), None, "a header block is 512 bytes");
        assert_eq!(quick_problem(Kind::AnyBlueprint, &short, true), None);
        let mut block = vec![0u8; 512];
        block[0] = b'f';
        block[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&block, Strictness::Header), Some("tar"));
    }

    #[test]
    fn zips_by_two_bytes_or_by_signature() {
        let spanned = b"PK\x07\x08PK\x03\x04";
        assert_eq!(sniff(spanned, Strictness::Magic), Some("zip"));
        assert_eq!(sniff(spanned, Strictness::Header), None);
        assert_eq!(
            quick_problem(Kind::AnyBlueprint, spanned, true).as_deref(),
            Some("it starts like a zip but has no end record")
        );
        assert_eq!(quick_problem(Kind::AnyBlueprint, spanned, false), None, "a prefix has no end to check");
        assert_eq!(quick_problem(Kind::Zip, b"", true).as_deref(), Some("it is empty"));
        assert_eq!(quick_problem(Kind::Zip, b"\x1f\x8b", true).as_deref(), Some("it is not a zip file"));
        assert_eq!(quick_problem(Kind::Zip, b"PK\x05\x06", true), None);
        for head in [&b"\x1f\x8b"[..], b"BZh9"] {
            assert_eq!(quick_problem(Kind::AnyBlueprint, head, true), None);
        }
    }

    #[test]
    fn base64_archives_decode_strictly_in_the_quick_phase() {
        // "PK\x05\x06" and 18 zero bytes: an empty zip.
        let empty_zip = b"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==";
        assert_eq!(quick_problem(Kind::B64Zip, empty_zip, true), None);
        assert!(quick_problem(Kind::B64Zip, b"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA", true).unwrap().contains("padding"));
        assert!(quick_problem(Kind::B64Zip, b"-_", true).unwrap().contains("alphabet"));
        assert_eq!(quick_problem(Kind::B64Zip, b"H4sI", true).as_deref(), Some("it is not a zip file"));
    }
}
