//! Nested archives (hazard H5, rule D8): plugin wagons, blueprint archives, plugin zips and
//! base64 deployment archives are verified during the data pass, with a depth and byte budget.
//!
//! gzip members stream through a decoder that checks the gzip CRC and the tar header, whatever
//! their size. Zip members are buffered up to a small cap and verified recursively (structure
//! and every entry's data); larger ones get their signatures checked. Depth is bounded, so a
//! zip quine or a 42.zip-style tower costs a few buffers, never unbounded work.
//!
//! What an archive must be by its name, and what its first bytes say it is, live in [`magic`],
//! which the new-format quick phase uses too (with its own, documented strictness).

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

mod magic;

use super::base64;
use super::content::{Analyzer, Facts};
use crate::arith::to_u64;
use crate::data::{DataCheck, EntryOutcome};
use crate::report::Finding;
use crate::zip::{self, Entry, ParseLimits};
use crate::{Code, Severity};
use flate2::write::GzDecoder;
use std::io::Write;

pub(crate) use magic::{Kind, quick_problem};
use magic::{Strictness, sniff, tar_header_ok};

/// Nesting levels verified below the snapshot itself.
const MAX_DEPTH: u32 = 3;
/// Bytes of a nested zip buffered for recursive verification, at depth 1 (halved per level).
const ZIP_CAP: usize = 4 << 20;
/// Output a nested gzip may produce per compressed byte before it counts as a bomb.
const MAX_RATIO: u64 = 1032;

/// What nested verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NestedFacts {
    /// Problems, as sentences (no content of the archive beyond entry names).
    pub problems: Vec<String>,
    /// Whether the nesting went deeper than the budget.
    pub too_deep: bool,
}

/// The analyzer for an entry whose name marks a nested archive, at `depth` (1 for members of
/// the snapshot itself).
pub(crate) fn analyzer_for(entry: &Entry, depth: u32) -> Option<Box<dyn Analyzer>> {
    let kind = Kind::of(&entry.name)?;
    let mut nested = Nested::new(kind, depth);
    nested.wagon = entry.name.ends_with(".wgn");
    Some(Box::new(nested))
}

struct Nested {
    kind: Kind,
    /// A legacy plugin wagon (`.wgn`), whose failure restore reports in its own words.
    wagon: bool,
    depth: u32,
    head: Vec<u8>,
    /// Buffered bytes for zip and base64 members, up to the cap.
    buf: Vec<u8>,
    cap: usize,
    overflow: bool,
    total: u64,
    gz: Option<GzDecoder<TarSink>>,
    gz_error: Option<String>,
}

impl Nested {
    fn new(kind: Kind, depth: u32) -> Nested {
        let cap = (ZIP_CAP >> (depth.saturating_sub(1))).max(64 << 10);
        // Base64 text of a `cap`-byte zip (4 digits per 3 bytes, plus a padded last group).
        let cap = if kind == Kind::B64Zip { (cap / 3).saturating_mul(4).saturating_add(4) } else { cap };
        Nested {
            kind,
            wagon: false,
            depth,
            head: Vec::new(),
            buf: Vec::new(),
            cap,
            overflow: false,
            total: 0,
            gz: None,
            gz_error: None,
        }
    }

    fn problem(&self, text: String) -> Facts {
        nested_problem(text)
    }
}

impl Analyzer for Nested {
    fn feed(&mut self, bytes: &[u8]) {
        if self.head.len() < 512 {
            let n = 512usize.saturating_sub(self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..n]);
        }
        let first = self.total == 0;
        self.total = self.total.saturating_add(to_u64(bytes.len()));
        if first && bytes.starts_with(b"\x1f\x8b") {
            self.gz = Some(GzDecoder::new(TarSink::default()));
        }
        if let Some(gz) = self.gz.as_mut() {
            if let Err(e) = gz.write_all(bytes) {
                self.gz_error = Some(e.to_string());
                self.gz = None;
            } else if gz.get_ref().out > self.total.saturating_mul(MAX_RATIO).saturating_add(1 << 20) {
                self.gz_error = Some("it expands beyond DEFLATE's 1032:1 limit".into());
                self.gz = None;
            }
            return;
        }
        if matches!(self.kind, Kind::Zip | Kind::B64Zip | Kind::AnyBlueprint) && !self.overflow {
            if self.buf.len().saturating_add(bytes.len()) > self.cap {
                self.overflow = true;
                self.buf = Vec::new();
            } else {
                self.buf.extend_from_slice(bytes);
            }
        }
    }

    fn finish(self: Box<Self>, verified: bool) -> Facts {
        if !verified {
            // The entry's own data is damaged; that finding says enough.
            return Facts::Nested(NestedFacts::default());
        }
        let head = self.head.as_slice();
        let magic = sniff(head, Strictness::Header);
        let expected_ok = self.kind.accepts(magic);
        if !expected_ok && self.wagon {
            return self.problem(
                "this wagon is not a gzip'd tar (a wagon is a tar.gz with package.json): 4.0 – 5.0.5 restore fails to install the plugin unless --ignore-plugin-failure is given, and the plugin cannot be used".into(),
            );
        }
        if !expected_ok {
            let found = match magic {
                Some(m) => format!("its bytes are a {m} file"),
                None => "its first bytes match no archive format".to_string(),
            };
            return self.problem(match self.kind {
                Kind::AnyBlueprint => format!(
                    "this blueprint archive is not a zip, gzip, bzip2 or tar file ({found}): restore copies it back as the blueprint's archive, so downloading the blueprint yields a broken file"
                ),
                Kind::Zip => format!("it is not the zip archive its name says ({found})"),
                Kind::TarGz => format!("it is not the gzip'd tar its name says ({found})"),
                Kind::TarBz2 => format!("it is not the bzip2'd tar its name says ({found})"),
                Kind::Tar | Kind::B64Zip => format!("it is not the tar archive its name says ({found})"),
            });
        }
        if let Some(e) = &self.gz_error {
            return self.problem(format!("its gzip stream is broken: {e}"));
        }
        if let Some(gz) = self.gz {
            return match gz.finish() {
                Err(e) => nested_problem(format!("its gzip stream is broken or cut: {e}")),
                Ok(sink) if !sink.tar_ok() => nested_problem(if self.wagon {
                    "this wagon is a gzip file but holds no tar archive: 4.0 – 5.0.5 restore fails to install the plugin unless --ignore-plugin-failure is given".to_string()
                } else {
                    "it decompresses, but not to a tar archive (no tar header at the start)".to_string()
                }),
                Ok(_) => Facts::Nested(NestedFacts::default()),
            };
        }
        let zip_bytes = match self.kind {
            Kind::B64Zip => {
                if self.overflow {
                    return Facts::Nested(NestedFacts::default());
                }
                match base64::decode(&self.buf, base64::Mode::Lenient, true).ok() {
                    Some(b) if b.starts_with(b"PK") => b,
                    Some(_) => return self.problem("its base64 text does not decode to a zip archive".into()),
                    None => return self.problem("it is not ASCII base64 text".into()),
                }
            }
            _ if magic == Some("zip") && !self.overflow => self.buf.clone(),
            _ => return Facts::Nested(NestedFacts::default()),
        };
        verify_zip(&zip_bytes, self.depth)
    }
}

fn nested_problem(text: String) -> Facts {
    Facts::Nested(NestedFacts { problems: vec![text], too_deep: false })
}

/// Verifies an in-memory nested zip: structure, every entry's data, and its own nested archives.
fn verify_zip(bytes: &[u8], depth: u32) -> Facts {
    let mut out = NestedFacts::default();
    if depth > MAX_DEPTH {
        out.too_deep = true;
        return Facts::Nested(out);
    }
    let mut findings = Vec::new();
    let limits = ParseLimits { max_entries: 100_000, gap_scan_bytes: 1 << 20 };
    let Ok(Some(archive)) = zip::parse(&bytes, limits, &mut findings) else {
        out.problems.push(summarise(&findings).unwrap_or_else(|| "it is not a readable zip archive".into()));
        return Facts::Nested(out);
    };
    let mut budget = (bytes.len() as u64).saturating_mul(MAX_RATIO);
    for e in &archive.entries {
        if !e.readable || e.data_offset.is_none() || (e.compressed_size == 0 && e.uncompressed_size == 0) {
            continue;
        }
        let analyzer = analyzer_for(e, depth.saturating_add(1));
        let Ok(EntryOutcome { findings: f, facts, output, .. }) = DataCheck::new(e, analyzer, budget).run(&bytes)
        else {
            continue;
        };
        budget = budget.saturating_sub(output);
        findings.extend(f);
        if let Some(Facts::Nested(inner)) = facts.map(|f| *f) {
            out.too_deep |= inner.too_deep;
            out.problems.extend(inner.problems.into_iter().map(|p| format!("'{}': {p}", e.name)));
        }
    }
    if let Some(s) = summarise(&findings) {
        out.problems.insert(0, s);
    }
    Facts::Nested(out)
}

/// One sentence naming the error findings of a nested archive.
fn summarise(findings: &[Finding]) -> Option<String> {
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .take(3)
        .map(|f| match &f.path {
            Some(p) => format!("{} in '{p}'", f.code.as_str()),
            None => f.code.as_str().to_string(),
        })
        .collect();
    (!errors.is_empty()).then(|| format!("the archive inside is damaged ({})", errors.join(", ")))
}

/// Turns nested facts into findings for the snapshot entry at `path`.
pub(crate) fn findings(path: &str, facts: NestedFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in facts.problems.into_iter().take(5) {
        out.push(Finding::new(Code::NestedArchiveInvalid, format!("nested archive: {p}")).at_path(path));
    }
    if facts.too_deep {
        out.push(
            Finding::new(
                Code::NestingTooDeep,
                format!("archives nest more than {MAX_DEPTH} levels deep here; verification stopped at that depth (a nested or recursive zip bomb sign)"),
            )
            .at_path(path),
        );
    }
    out
}

/// Collects the start of a decompressed tar stream and counts its size.
#[derive(Default)]
struct TarSink {
    head: Vec<u8>,
    out: u64,
}

impl TarSink {
    fn tar_ok(&self) -> bool {
        // An empty tar (two zero blocks) is a valid, if useless, archive.
        tar_header_ok(&self.head) || (self.head.len() >= 512 && self.head.iter().all(|&b| b == 0))
    }
}

impl Write for TarSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.head.len() < 512 {
            let n = 512usize.saturating_sub(self.head.len()).min(buf.len());
            self.head.extend_from_slice(&buf[..n]);
        }
        self.out = self.out.saturating_add(to_u64(buf.len()));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
