//! Extra fields (APPNOTE 6.3.10 §4.5, Info-ZIP `extrafld.txt`, minizip-ng `mz_extrafield.md`): a
//! strict TLV walk, exact length rules per field ID, and the Info-ZIP Unicode Path (0x7075)
//! views of the readers that honour it.
//!
//! Severity follows what readers extract (zip-hazards H23, H13a, H19): a field that runs past the
//! extra area makes Python 3.7+ refuse the whole archive (central copy) or bsdtar the entry (local
//! copy), and two differing ZIP64 fields give Python and Java ZipInputStream different sizes:
//! errors. A malformed field that only carries metadata (times, owners, hashes) is a warning:
//! every common reader extracts the same bytes under the same name.
//!
//! Cloudify's writers put no extra field other than ZIP64 into a snapshot, so none of this fires
//! on a genuine snapshot; only malformed fields are findings, not foreign well-formed ones.

use super::FLAG_UTF8;
use crate::code::{Code, Severity};
use crate::report::Effect;
use std::collections::BTreeSet;

/// Which fixed header fields hold the ZIP64 sentinel, so the ZIP64 field must supply them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sentinels {
    pub usize: bool,
    pub csize: bool,
    pub offset: bool,
    pub disk: bool,
}

/// The header an extra area belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// A local header (else a central record).
    pub local: bool,
    /// The raw name of the same header.
    pub name: &'a [u8],
    /// The entry comment (central records only; empty for local headers).
    pub comment: &'a [u8],
    pub flags: u16,
    pub sentinels: Sentinels,
}

/// One defect, with the code and severity it is reported at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// What it means for the restore table (see [`Effect`]).
    pub effect: Option<Effect>,
}

impl Problem {
    fn warn(message: String) -> Problem {
        Problem { code: Code::ExtraFieldMalformed, severity: Severity::Warning, message, effect: None }
    }
}

/// One Info-ZIP Unicode Path field (0x7075).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnicodePath<'a> {
    pub version: u8,
    pub crc: u32,
    pub name: &'a [u8],
    /// The body is shorter than the 5 bytes of version and CRC.
    pub short: bool,
}

/// What the extra fields of one header say.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extras<'a> {
    /// The first ZIP64 field's body (Python's).
    pub zip64: Option<&'a [u8]>,
    /// Every Unicode Path field, in header order.
    pub unicode_paths: Vec<UnicodePath<'a>>,
    pub problems: Vec<Problem>,
}

type Rule = fn(&[u8], &Ctx) -> Option<String>;

/// The per-ID length rules (`None` = well-formed).
const RULES: &[(u16, &str, Rule)] = &[
    (0x0001, "ZIP64", zip64_len),
    (0x000a, "NTFS times", ntfs),
    (0x5455, "extended timestamp (UT)", ut),
    (0x5855, "Info-ZIP Unix (UX)", ux_old),
    (0x7855, "Info-ZIP Unix 16-bit (Ux)", ux16),
    (0x7875, "Info-ZIP Unix uid/gid (ux)", ux),
    (0x6375, "Info-ZIP Unicode Comment", unicode_comment),
    (0x554e, "Xceed Unicode (NU)", xceed),
    (0xa220, "Microsoft growth hint", growth_hint),
    // zipdetails files this case under "0x0a51-minizip-hash", but its bytes are `51 1A`:
    // minizip-ng's hash field is 0x1a51 (issue 16's "0x0a51" is the directory name).
    (0x1a51, "minizip-ng hash", minizip_hash),
    (0x10c5, "minizip-ng CMS signature", cms_signature),
    (0x9901, "WinZip AES", winzip_aes),
];

/// Walks an extra area as a strict sequence of (id, length, body) fields and applies the
/// per-ID rules.
pub(crate) fn walk<'a>(mut b: &'a [u8], ctx: &Ctx) -> Extras<'a> {
    let mut out = Extras::default();
    let mut seen = BTreeSet::new();
    let header = if ctx.local { "local header" } else { "central directory" };
    while !b.is_empty() {
        if b.len() < 4 {
            out.problems.push(Problem::warn(format!(
                "{} stray bytes after the last extra field; every reader ignores them",
                b.len()
            )));
            break;
        }
        let id = u16::from_le_bytes([b[0], b[1]]);
        let len = u16::from_le_bytes([b[2], b[3]]) as usize;
        let Some(body) = b.get(4..len.saturating_add(4)) else {
            out.problems.push(overrun(id, len, b.len().saturating_sub(4), ctx.local));
            break;
        };
        b = &b[len.saturating_add(4)..];
        let first = match id {
            0x0001 => match out.zip64 {
                Some(first) if first == body => {
                    out.problems.push(Problem::warn(
                        "the ZIP64 extra field appears twice (same values); Python reads the first, Java ZipInputStream the last".into(),
                    ));
                    false
                }
                Some(_) => {
                    out.problems.push(Problem {
                        code: Code::Zip64ExtraInvalid,
                        severity: Severity::Error,
                        message: format!(
                            "the {header} holds two ZIP64 extra fields with different values; Python reads the first, Java ZipInputStream the last, so they see different sizes or offsets"
                        ),
                        effect: None,
                    });
                    false
                }
                None => {
                    out.zip64 = Some(body);
                    true
                }
            },
            0x7075 => {
                out.unicode_paths.push(UnicodePath {
                    version: body.first().copied().unwrap_or(0),
                    crc: body.get(1..5).map_or(0, |c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                    name: body.get(5..).unwrap_or(&[]),
                    short: body.len() < 5,
                });
                false // judged by `unicode_path_central` / `unicode_path_local`
            }
            _ if !seen.insert(id) => {
                out.problems.push(Problem::warn(format!(
                    "extra field 0x{id:04x} appears twice; readers take the first or the last copy"
                )));
                false
            }
            _ => true,
        };
        if first
            && let Some((_, what, rule)) = RULES.iter().find(|r| r.0 == id)
            && let Some(defect) = rule(body, ctx)
        {
            out.problems.push(Problem::warn(format!("the {what} extra field (0x{id:04x}) {defect}")));
        }
    }
    out
}

/// A field whose length runs past the extra area.
fn overrun(id: u16, len: usize, left: usize, local: bool) -> Problem {
    let who = if local {
        "bsdtar refuses the entry and 7-Zip reports a header error; Python ignores local extra fields"
    } else {
        "Python 3.7+ refuses to open the whole archive ('Corrupt extra field'), as do Java ZipFile, bsdtar and yauzl; Python 2.7/3.6, Info-ZIP and 7-Zip read it"
    };
    Problem {
        code: Code::ExtraFieldMalformed,
        severity: Severity::Error,
        message: format!("extra field 0x{id:04x} declares {len} bytes but only {left} remain: {who}"),
        effect: (!local).then_some(Effect::ArchiveUnopenable),
    }
}

fn zip64_len(body: &[u8], ctx: &Ctx) -> Option<String> {
    if ctx.local {
        // APPNOTE 4.5.3: a local ZIP64 field holds both sizes; Python always writes 16 bytes.
        return (body.len() != 16).then(|| {
            format!("holds {} bytes; APPNOTE 4.5.3 requires both sizes (16 bytes) in a local header", body.len())
        });
    }
    let s = ctx.sentinels;
    let words = [s.usize, s.csize, s.offset].iter().filter(|&&x| x).count();
    let need = words.saturating_mul(8).saturating_add(if s.disk { 4 } else { 0 });
    if body.len() > need {
        Some(if need == 0 {
            format!(
                "holds {} bytes though no header field is a ZIP64 sentinel; readers that read it positionally see other values",
                body.len()
            )
        } else {
            format!(
                "holds {} bytes but the header's sentinels ask for {need}; readers that read it positionally see other values",
                body.len()
            )
        })
    } else if body.len() < need && body.len() >= words.saturating_mul(8) {
        Some("lacks the disk start number its sentinel asks for".into())
    } else {
        None // shorter than the sizes or offset need: `zip64-extra-invalid` (error)
    }
}

fn ntfs(body: &[u8], _: &Ctx) -> Option<String> {
    if body.len() < 4 {
        return Some(format!("is {} bytes, shorter than its 4 reserved bytes", body.len()));
    }
    let mut rest = &body[4..];
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Some("ends inside a sub-record header".into());
        }
        let tag = u16::from_le_bytes([rest[0], rest[1]]);
        let size = u16::from_le_bytes([rest[2], rest[3]]) as usize;
        if rest.len().saturating_sub(4) < size {
            return Some(format!("has a sub-record (tag {tag}) of {size} bytes running past the field"));
        }
        if tag == 1 && size != 24 {
            return Some(format!("has a time sub-record of {size} bytes instead of 24"));
        }
        rest = &rest[size.saturating_add(4)..];
    }
    None
}

#[expect(clippy::arithmetic_side_effects, reason = "at most 1 + 4 * 3 bytes")]
fn ut(body: &[u8], ctx: &Ctx) -> Option<String> {
    let Some(&flags) = body.first() else { return Some("is empty (no flags byte)".into()) };
    if flags & 0xf8 != 0 {
        return Some(format!("sets reserved flag bits (0x{flags:02x})"));
    }
    let want = if ctx.local {
        1 + 4 * (flags & 7).count_ones() as usize
    } else if flags & 1 != 0 {
        5
    } else {
        1
    };
    (body.len() != want).then(|| format!("is {} bytes but its flags 0x{flags:02x} call for {want}", body.len()))
}

fn ux_old(body: &[u8], ctx: &Ctx) -> Option<String> {
    let ok = if ctx.local { matches!(body.len(), 8 | 12) } else { body.len() == 8 };
    (!ok).then(|| format!("is {} bytes (8{} expected)", body.len(), if ctx.local { " or 12" } else { "" }))
}

fn ux16(body: &[u8], ctx: &Ctx) -> Option<String> {
    let want = if ctx.local { 4 } else { 0 };
    (body.len() != want).then(|| format!("is {} bytes ({want} expected)", body.len()))
}

#[expect(
    clippy::arithmetic_side_effects,
    reason = "sums of two one-byte lengths and 3; a difference taken only when body.len() > want"
)]
fn ux(body: &[u8], _: &Ctx) -> Option<String> {
    if body.is_empty() {
        return None; // Info-ZIP's central copy is empty
    }
    if body[0] != 1 {
        return Some(format!("has version {} (1 expected)", body[0]));
    }
    let Some(&uid) = body.get(1) else { return Some("ends before its UID size".into()) };
    let uid = uid as usize;
    let Some(&gid) = body.get(2 + uid) else {
        return Some(format!("declares a {uid}-byte UID running past the field"));
    };
    let want = 3 + uid + gid as usize;
    (body.len() != want).then(|| {
        if body.len() < want {
            format!("declares a {gid}-byte GID running past the field")
        } else {
            format!("has {} bytes after its UID and GID", body.len() - want)
        }
    })
}

fn unicode_comment(body: &[u8], ctx: &Ctx) -> Option<String> {
    if body.len() < 5 {
        return Some(format!("is {} bytes, shorter than its version and CRC", body.len()));
    }
    if body[0] != 1 {
        return Some(format!("has version {} (1 expected)", body[0]));
    }
    if ctx.local {
        return None;
    }
    let crc = u32::from_le_bytes([body[1], body[2], body[3], body[4]]);
    if ctx.comment.is_empty() {
        Some("is present but the entry has no comment".into())
    } else if crc != crate::crc::hash(ctx.comment) {
        Some("has a CRC that does not match the entry comment".into())
    } else {
        std::str::from_utf8(&body[5..]).is_err().then(|| "is not valid UTF-8".into())
    }
}

#[expect(
    clippy::arithmetic_side_effects,
    reason = "i is 4 or 6; two u16 lengths doubled plus 8 fit in any usize of 32 bits; a difference taken only when body.len() > want"
)]
fn xceed(body: &[u8], ctx: &Ctx) -> Option<String> {
    if body.get(..4) != Some(b"NUCX".as_slice()) {
        return Some("lacks its 'NUCX' signature".into());
    }
    let u16_at = |i: usize| body.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let Some(n) = u16_at(4) else { return Some("ends before its name length".into()) };
    let (head, m) = if ctx.local {
        (6, 0)
    } else {
        match u16_at(6) {
            Some(m) => (8, m),
            None => return Some("ends before its comment length".into()),
        }
    };
    let want = head + 2 * n + 2 * m;
    (body.len() != want).then(|| {
        if body.len() < want {
            "is truncated inside its UTF-16 name or comment (no common reader uses it)".to_string()
        } else {
            format!("has {} bytes after its name and comment (no common reader uses it)", body.len() - want)
        }
    })
}

fn growth_hint(body: &[u8], _: &Ctx) -> Option<String> {
    if body.len() < 4 {
        return Some(format!("is {} bytes, shorter than its signature and padding value", body.len()));
    }
    let sig = u16::from_le_bytes([body[0], body[1]]);
    if sig != 0xa028 {
        return Some(format!("has signature 0x{sig:04x} instead of 0xa028"));
    }
    body[4..].iter().any(|&b| b != 0).then(|| "has non-zero padding bytes".into())
}

#[expect(clippy::arithmetic_side_effects, reason = "4 plus a u16 size")]
fn minizip_hash(body: &[u8], _: &Ctx) -> Option<String> {
    if body.len() < 4 {
        return Some(format!("is {} bytes, shorter than its algorithm and size", body.len()));
    }
    let alg = u16::from_le_bytes([body[0], body[1]]);
    let size = u16::from_le_bytes([body[2], body[3]]) as usize;
    let want = match alg {
        10 => 16,
        20 => 20,
        23 => 32,
        _ => return Some(format!("names unknown hash algorithm {alg}")),
    };
    if size != want {
        Some(format!("declares a {size}-byte digest for algorithm {alg} ({want} expected)"))
    } else if body.len() != 4 + size {
        Some(format!("is {} bytes but its digest needs {}", body.len(), 4 + size))
    } else {
        None // nobody checks the digest against the data; neither do we
    }
}

fn cms_signature(body: &[u8], _: &Ctx) -> Option<String> {
    let Some((&tag, rest)) = body.split_first() else { return Some("is empty (no signature)".into()) };
    if tag != 0x30 {
        return Some(format!("does not start with a DER sequence (0x{tag:02x})"));
    }
    let (len, head) = match rest.first().copied() {
        Some(l) if l < 0x80 => (l as usize, 2),
        Some(l @ 0x81..=0x84) => {
            let n = (l & 0x7f) as usize;
            let Some(bytes) = rest.get(1..n.saturating_add(1)) else {
                return Some("ends inside its DER length".into());
            };
            (bytes.iter().fold(0usize, |a, &b| a.saturating_mul(256).saturating_add(b as usize)), n.saturating_add(2))
        }
        _ => return Some("has an unreadable DER length".into()),
    };
    (head.checked_add(len) != Some(body.len()))
        .then(|| format!("is {} bytes but its DER length says {}", body.len(), head.saturating_add(len)))
}

fn winzip_aes(body: &[u8], _: &Ctx) -> Option<String> {
    if body.len() != 7 {
        return Some(format!("is {} bytes (7 expected)", body.len()));
    }
    let version = u16::from_le_bytes([body[0], body[1]]);
    let ok = matches!(version, 1 | 2) && &body[2..4] == b"AE" && matches!(body[4], 1..=3);
    (!ok).then(|| "has an unknown vendor version, vendor ID or key strength".into())
}

/// Python 3's name for a raw header name: UTF-8 when bit 11 is set, else CP437.
fn python_name(raw: &[u8], flags: u16) -> String {
    if flags & FLAG_UTF8 != 0 { String::from_utf8_lossy(raw).into_owned() } else { super::names::cp437_string(raw) }
}

/// Whether a Unicode Path name names the header's own name (byte for byte, or as the UTF-8 of
/// the CP437 name Python reads).
fn same_name(up: &[u8], raw: &[u8], flags: u16) -> bool {
    up == raw || up == python_name(raw, flags).as_bytes()
}

/// The Unicode Path verdict for a central record, and the name Python 3.12+ extracts when a
/// copy changes it.
///
/// Python 3.12+ and Info-ZIP use the last copy with version 1 and the header name's CRC (Info-ZIP
/// not when bit 11 is set); 7-Zip the first with version 0 or 1, a matching CRC and valid UTF-8
/// (not with bit 11); yauzl the first with version 1 and a matching CRC (even with bit 11);
/// Python ≤ 3.11, Java, Go and adm-zip ignore it.
pub(crate) fn unicode_path_central(copies: &[UnicodePath], ctx: &Ctx) -> (Option<Problem>, Option<Box<[u8]>>) {
    if copies.is_empty() {
        return (None, None);
    }
    let err = |message: String| {
        Some(Problem { code: Code::UnicodePathMismatch, severity: Severity::Error, message, effect: None })
    };
    if copies.iter().any(|c| c.short) {
        return (
            err("a Unicode Path extra field shorter than 5 bytes: Python 3.12+ refuses to open the archive (BadZipFile), older Pythons and the other readers ignore it".into()),
            None,
        );
    }
    let crc = crate::crc::hash(ctx.name);
    let utf8 = ctx.flags & FLAG_UTF8 != 0;
    let py = copies.iter().rev().find(|c| c.version == 1 && c.crc == crc);
    if let Some(p) = py
        && std::str::from_utf8(p.name).is_err()
    {
        return (
            err("the Unicode Path extra field Python 3.12+ would use is not valid UTF-8: Python 3.12+ refuses to open the archive, older Pythons read the header name".into()),
            None,
        );
    }
    let seven = copies
        .iter()
        .find(|c| c.version <= 1 && c.crc == crc && std::str::from_utf8(c.name).is_ok() && !c.name.contains(&0))
        .filter(|_| !utf8);
    let yauzl = copies.iter().find(|c| c.version == 1 && c.crc == crc);
    let header = python_name(ctx.name, ctx.flags);
    let show = |c: Option<&UnicodePath>| c.map_or(header.clone(), |c| String::from_utf8_lossy(c.name).into_owned());
    let differs = |c: Option<&UnicodePath>| c.is_some_and(|c| !same_name(c.name, ctx.name, ctx.flags));
    let effective = py.filter(|c| !same_name(c.name, ctx.name, ctx.flags)).map(|c| c.name.into());
    let views = [py, seven, yauzl];
    if views.iter().any(|&v| differs(v)) || views.iter().any(|&v| show(v) != show(py)) {
        let message = format!(
            "the Unicode Path extra field changes the name: Python 3.12+{} extract '{}', 7-Zip '{}', yauzl '{}', while Python up to 3.11 (the 7.x restore), Java and Go extract '{}'",
            if utf8 { "" } else { " and Info-ZIP" },
            show(py),
            show(seven),
            show(yauzl),
            header
        );
        return (err(message), effective);
    }
    let ignored = copies.iter().find(|c| !same_name(c.name, ctx.name, ctx.flags));
    let problem = ignored.map(|c| Problem {
        code: Code::UnicodePathMismatch,
        severity: Severity::Warning,
        message: format!(
            "a Unicode Path extra field names '{}' (version {}, name CRC {}); Python, Info-ZIP and 7-Zip ignore it, readers that skip those checks use that name",
            String::from_utf8_lossy(c.name),
            c.version,
            if c.crc == crc { "matches" } else { "does not match" }
        ),
        effect: None,
    });
    (problem, effective)
}

/// The name bsdtar extracts from a local header: its first Unicode Path copy with the local
/// name's CRC (any version, even with bit 11), else the local name. `None` when the local header
/// has no Unicode Path field at all.
pub(crate) fn unicode_path_local(copies: &[UnicodePath], lname: &[u8]) -> Option<Vec<u8>> {
    if copies.is_empty() {
        return None;
    }
    let crc = crate::crc::hash(lname);
    Some(copies.iter().find(|c| !c.short && c.crc == crc).map_or(lname, |c| c.name).to_vec())
}

#[cfg(test)]
mod tests;
