//! Whole-file SHA-256 and the `sha256sum` line format.
//!
//! The hash runs on its own thread, concurrently with verification, driving the core's
//! [`Sha256Stream`] (the one the browser module drives too) one 1 MiB positional read at a
//! time. `sha2` picks the SHA-NI (x86) or SHA2 (ARMv8) instructions at run time where the CPU
//! has them.

use anyhow::{Context, Result, anyhow, bail};
use snapshot_core::ReadAt;
use snapshot_core::sha256::{SHA256_CHUNK, Sha256Stream};
use std::path::{Path, PathBuf};

pub use snapshot_core::sha256::{hex, sha256_hex};

/// Hashes the whole source. Returns `None` when `stop` turned true before the end.
pub fn sha256_source(src: &dyn ReadAt, stop: &dyn Fn() -> bool) -> Result<Option<String>> {
    let mut stream = Sha256Stream::new(src.size());
    loop {
        if stream.done() < stream.total() && stop() {
            return Ok(None);
        }
        if stream.step(src, SHA256_CHUNK as u64)? {
            return Ok(stream.hex());
        }
    }
}

/// One `sha256sum` output line (with its newline). Like coreutils, a name holding a backslash,
/// newline or carriage return is escaped and the line starts with a backslash.
pub fn sha256sum_line(hex: &str, name: &str) -> String {
    if name.contains(['\\', '\n', '\r']) {
        let escaped = name.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
        format!("\\{hex}  {escaped}\n")
    } else {
        format!("{hex}  {name}\n")
    }
}

/// Parses a `sha256sum` file (GNU `HEX  NAME`, `HEX *NAME`, escaped lines, or BSD
/// `SHA256 (NAME) = HEX`) into `(hex, name)` pairs. Blank lines and `#` comments are skipped.
pub fn parse_sha256sum(text: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = parse_bsd(line).or_else(|| parse_gnu(line));
        let (hex, name) = parsed.ok_or_else(|| anyhow!("line {} is not a sha256sum line", i + 1))?;
        out.push((hex.to_ascii_lowercase(), name));
    }
    if out.is_empty() {
        bail!("it holds no checksum lines");
    }
    Ok(out)
}

fn parse_gnu(line: &str) -> Option<(String, String)> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let hex = line.get(..64).filter(|h| is_sha256_hex(h))?;
    let rest = line.get(64..)?;
    let name = rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *"))?;
    let name = if escaped { unescape(name) } else { name.to_owned() };
    Some((hex.to_owned(), name))
}

fn parse_bsd(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("SHA256 (")?;
    let (name, hex) = rest.rsplit_once(") = ")?;
    is_sha256_hex(hex).then(|| (hex.to_owned(), name.to_owned()))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Whether `s` is 64 hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The checksum `--expect-sha256` asks for.
#[derive(Debug, Clone)]
pub enum Expected {
    /// One hex digest.
    Hex(String),
    /// The lines of a sha256sum file.
    File {
        /// Where they came from, for messages.
        path: PathBuf,
        /// `(hex, name)` pairs.
        lines: Vec<(String, String)>,
    },
}

impl Expected {
    /// Parses `HEX` or `@FILE` (reading the file).
    pub fn parse(arg: &str) -> Result<Expected> {
        if let Some(file) = arg.strip_prefix('@') {
            let path = PathBuf::from(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("could not read the checksum file {}", path.display()))?;
            let lines =
                parse_sha256sum(&text).with_context(|| format!("{} is not a sha256sum file", path.display()))?;
            return Ok(Expected::File { path, lines });
        }
        if !is_sha256_hex(arg) {
            bail!("--expect-sha256 takes 64 hex digits or @FILE, not `{arg}`");
        }
        Ok(Expected::Hex(arg.to_ascii_lowercase()))
    }

    /// The expected digest for `file`: the line naming exactly this path, else the one line
    /// whose base name matches, else the only line. `Err` says why none applies.
    pub fn for_file(&self, file: &Path) -> Result<String, String> {
        let (path, lines) = match self {
            Expected::Hex(h) => return Ok(h.clone()),
            Expected::File { path, lines } => (path, lines),
        };
        if let Some((hex, _)) = lines.iter().find(|(_, name)| Path::new(name) == file) {
            return Ok(hex.clone());
        }
        let base = file.file_name();
        let by_base: Vec<&String> =
            lines.iter().filter(|(_, name)| Path::new(name).file_name() == base).map(|(h, _)| h).collect();
        match (by_base.as_slice(), lines.as_slice()) {
            ([one], _) => Ok((*one).clone()),
            ([], [(only, _)]) => Ok(only.clone()),
            ([], _) => Err(format!("{} has no line for {}", path.display(), file.display())),
            _ => Err(format!("{} has several lines for {}", path.display(), file.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H1: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const H2: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    #[test]
    fn hashes_in_chunks_and_matches_the_one_shot_digest() {
        let data: Vec<u8> = (0..SHA256_CHUNK + 12345).map(|i| (i % 251) as u8).collect();
        assert_eq!(sha256_source(&data, &|| false).unwrap().unwrap(), sha256_hex(&data));
        assert_eq!(sha256_source(&Vec::new(), &|| false).unwrap().unwrap(), H1);
        assert_eq!(sha256_source(&data, &|| true).unwrap(), None);
    }

    #[test]
    fn sha256sum_lines_round_trip_including_escaped_names() {
        for name in ["a.zip", "dir/with space.zip", "back\\slash.zip", "new\nline.zip"] {
            let line = sha256sum_line(H1, name);
            let parsed = parse_sha256sum(&line).unwrap();
            assert_eq!(parsed, vec![(H1.to_owned(), name.to_owned())], "{line:?}");
        }
        let bsd = format!("SHA256 (x (1).zip) = {}\n", H1.to_uppercase());
        assert_eq!(parse_sha256sum(&bsd).unwrap(), vec![(H1.to_owned(), "x (1).zip".to_owned())]);
        assert!(parse_sha256sum("nonsense\n").is_err());
        assert!(parse_sha256sum("\n# only a comment\n").is_err());
    }

    #[test]
    fn expected_digest_is_picked_by_path_then_base_name_then_only_line() {
        let lines = vec![(H1.to_owned(), "backups/a.zip".to_owned()), (H2.to_owned(), "b.zip".to_owned())];
        let e = Expected::File { path: "sums".into(), lines };
        assert_eq!(e.for_file(Path::new("backups/a.zip")).unwrap(), H1);
        assert_eq!(e.for_file(Path::new("/elsewhere/a.zip")).unwrap(), H1);
        assert_eq!(e.for_file(Path::new("x/b.zip")).unwrap(), H2);
        assert!(e.for_file(Path::new("c.zip")).unwrap_err().contains("no line for c.zip"));
        let only = Expected::File { path: "sums".into(), lines: vec![(H2.to_owned(), "renamed.zip".to_owned())] };
        assert_eq!(only.for_file(Path::new("c.zip")).unwrap(), H2);
        assert!(Expected::parse("abc").is_err());
        assert!(matches!(Expected::parse(&H1.to_uppercase()).unwrap(), Expected::Hex(h) if h == H1));
    }
}
