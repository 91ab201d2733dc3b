//! A streaming scanner for plain-text `pg_dump` output (spec §3.7.3, rule C3): header, COPY
//! blocks and their terminators, row counts per table, the completion marker and the trailing
//! DELETE. Memory is one partial line, whatever the dump's size.
//!
//! The scanner looks at column values only to count the non-empty ones of a few secret-bearing
//! columns ([`SECRET_COLUMNS`]); it never keeps a value, except tenant names, which are not
//! secret and feed the preview.

use super::content::{Analyzer, Facts};
use std::collections::BTreeMap;

/// Longest line kept whole. Longer lines (big pickled plans, blueprint sources) are cut to this
/// prefix; what the checks need is always at the start of a line.
pub(crate) const MAX_LINE: usize = 1 << 20;
/// Distinct tables recorded; a hostile dump cannot grow the map beyond this.
const MAX_TABLES: usize = 4096;
/// Tenant names kept for the preview.
const MAX_NAMES: usize = 10_000;

/// Rows kept per captured table (C10/C11); past this, rows are only counted as unchecked.
pub(crate) const MAX_ROWS: usize = 10_000;
/// Longest captured value; a row with a longer one (or cut past the line limit) is unchecked.
const MAX_VALUE: usize = 256;

/// The tables and columns whose rows C10/C11 check against the archive's files (spec §11.5):
/// plugins and blueprints name their files, deployments their folders, and `_tenant_id` joins
/// `tenants.id`.
pub(crate) const CAPTURE: &[(&str, &[&str])] = &[
    ("tenants", &["id", "name"]),
    ("plugins", &["id", "archive_name", "_tenant_id"]),
    ("blueprints", &["id", "main_file_name", "_tenant_id"]),
    ("deployments", &["id", "_tenant_id"]),
];

/// Captured rows of one [`CAPTURE`] table: one value per captured column, `None` when the
/// column is absent from the COPY line or the value is NULL.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Captured {
    pub rows: Vec<Vec<Option<String>>>,
    /// Rows not kept: past [`MAX_ROWS`], cut, or with a value over [`MAX_VALUE`] bytes.
    pub unchecked: u64,
}

/// `(table, column)` pairs whose non-empty values the security inventory counts.
pub(crate) const SECRET_COLUMNS: &[(&str, &str)] =
    &[("secrets", "value"), ("users", "password"), ("tenants", "rabbitmq_password"), ("agents", "rabbitmq_password")];

/// What the scanner learned about one dump.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SqlFacts {
    /// The dump starts with `--` / `-- PostgreSQL database dump`.
    pub header: bool,
    /// Line of the first byte sequence that is not UTF-8.
    pub bad_utf8_line: Option<u64>,
    /// Rows per table (schema prefix and quotes removed), for every COPY block seen.
    pub tables: BTreeMap<String, u64>,
    /// The table whose COPY block is still open at the end, with the rows it had by then.
    pub open_copy: Option<(String, u64)>,
    /// `-- PostgreSQL database dump complete` is present.
    pub complete: bool,
    /// `DELETE FROM [public.]executions WHERE id = '…';` is present.
    pub delete: bool,
    /// Non-empty values per `table.column` of [`SECRET_COLUMNS`].
    pub values: BTreeMap<String, u64>,
    /// `tenants.name` values.
    pub tenant_names: Vec<String>,
    /// Rows of the [`CAPTURE`] tables, by table name.
    pub captured: BTreeMap<&'static str, Captured>,
    /// Lines in the dump.
    pub lines: u64,
    /// Whether the whole entry was read and matched its CRC and size.
    pub verified: bool,
}

impl SqlFacts {
    /// Rows of a table, when it has a COPY block.
    pub(crate) fn rows(&self, table: &str) -> Option<u64> {
        self.tables.get(table).copied()
    }

    /// Non-empty values of `table.column`.
    pub(crate) fn values(&self, table: &str, column: &str) -> u64 {
        self.values.get(&format!("{table}.{column}")).copied().unwrap_or(0)
    }
}

/// Splits a byte stream into lines, keeping at most [`MAX_LINE`] bytes of a partial line. A
/// line's delivered content is the same however the stream is chunked.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    buf: Vec<u8>,
    cut: bool,
    /// Lines delivered so far.
    pub count: u64,
}

impl Lines {
    /// Feeds a chunk; `on_line(line, cut, number)` gets each completed line without its `\n`
    /// (at most [`MAX_LINE`] bytes; `cut` says it was longer), numbered from 1.
    pub(crate) fn feed(&mut self, mut bytes: &[u8], mut on_line: impl FnMut(&[u8], bool, u64)) {
        // memchr finds newlines at SIMD speed: this loop is on the critical path of the largest
        // entry (a 600 MB pg_data streams through it while it inflates).
        while let Some(nl) = memchr::memchr(b'\n', bytes) {
            self.count = self.count.saturating_add(1);
            if self.buf.is_empty() && !self.cut {
                let line = &bytes[..nl];
                on_line(&line[..line.len().min(MAX_LINE)], line.len() > MAX_LINE, self.count);
            } else {
                self.keep(&bytes[..nl]);
                on_line(&self.buf, self.cut, self.count);
                self.buf.clear();
                self.cut = false;
            }
            bytes = &bytes[nl.saturating_add(1)..];
        }
        self.keep(bytes);
    }

    /// Delivers the last line when the stream does not end with `\n`.
    pub(crate) fn finish(&mut self, mut on_line: impl FnMut(&[u8], bool, u64)) {
        if !self.buf.is_empty() || self.cut {
            self.count = self.count.saturating_add(1);
            on_line(&self.buf, self.cut, self.count);
            self.buf.clear();
            self.cut = false;
        }
    }

    /// Whether the next byte starts a line.
    pub(crate) fn at_line_start(&self) -> bool {
        self.buf.is_empty() && !self.cut
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.buf.len());
        self.cut |= bytes.len() > room;
        self.buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

/// UTF-8 validation across chunk boundaries: carries at most 3 bytes of an unfinished sequence.
#[derive(Debug, Default)]
struct Utf8 {
    carry: Vec<u8>,
    bad: bool,
}

impl Utf8 {
    /// Validates the next chunk; returns the chunk offset of the first invalid byte (0 when the
    /// sequence carried from the previous chunk is the invalid one). Reports once.
    fn feed(&mut self, bytes: &[u8]) -> Option<usize> {
        if self.bad {
            return None;
        }
        let mut rest = bytes;
        while !self.carry.is_empty() {
            let (&b, tail) = rest.split_first()?;
            self.carry.push(b);
            rest = tail;
            match std::str::from_utf8(&self.carry) {
                Ok(_) => self.carry.clear(),
                Err(e) if e.error_len().is_some() => return self.fail(0),
                Err(_) => {}
            }
        }
        match std::str::from_utf8(rest) {
            Ok(_) => None,
            Err(e) if e.error_len().is_some() => {
                self.fail(bytes.len().saturating_sub(rest.len()).saturating_add(e.valid_up_to()))
            }
            Err(e) => {
                self.carry.extend_from_slice(&rest[e.valid_up_to()..]);
                None
            }
        }
    }

    /// Whether the stream ends inside a sequence.
    fn finish(&mut self) -> bool {
        !self.bad && !self.carry.is_empty()
    }

    fn fail(&mut self, at: usize) -> Option<usize> {
        self.bad = true;
        Some(at)
    }
}

/// The COPY block being read.
#[derive(Debug)]
struct Block {
    table: String,
    rows: u64,
    /// Column positions of [`SECRET_COLUMNS`] for this table, their `table.column` keys and
    /// how many non-empty values they had.
    tracked: Vec<(usize, String, u64)>,
    /// Position of `name` in `tenants`.
    name_col: Option<usize>,
    /// The [`CAPTURE`] table this block fills, with the COPY position of each captured column.
    capture: Option<(&'static str, Vec<Option<usize>>)>,
}

impl Block {
    /// Whether the block's rows are only counted (no column is looked at).
    fn counts_only(&self) -> bool {
        self.tracked.is_empty() && self.name_col.is_none() && self.capture.is_none()
    }

    fn close(self, facts: &mut SqlFacts) {
        let tally = facts.tables.entry(self.table).or_default();
        *tally = tally.saturating_add(self.rows);
        for (_, key, n) in self.tracked {
            let tally = facts.values.entry(key).or_default();
            *tally = tally.saturating_add(n);
        }
    }
}

/// The streaming pg_dump scanner (C3, C4, C8 and the SQL part of S1).
#[derive(Debug, Default)]
pub(crate) struct SqlScanner {
    lines: Lines,
    utf8: Utf8,
    facts: SqlFacts,
    block: Option<Block>,
}

impl SqlScanner {
    pub(crate) fn new() -> SqlScanner {
        SqlScanner::default()
    }

    fn line(facts: &mut SqlFacts, block: &mut Option<Block>, line: &[u8], cut: bool, n: u64) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match n {
            // Line 1 is recorded here and confirmed by line 2 (and by `finish` for 1-line files).
            1 => facts.header = line == b"--",
            2 => facts.header &= line.starts_with(b"-- PostgreSQL database dump"),
            _ => {}
        }
        if line == b"\\."
            && let Some(done) = block.take()
        {
            done.close(facts);
            return;
        }
        if let Some(b) = block.as_mut() {
            b.rows = b.rows.saturating_add(1);
            let field = |i: usize| line.split(|&c| c == b'\t').nth(i);
            for (i, _, count) in &mut b.tracked {
                // A cut row counts when the column lies past the kept prefix: over-counting a
                // secret is safer than missing one.
                let present = field(*i).map_or(cut, |v| !v.is_empty() && v != b"\\N");
                *count = count.saturating_add(u64::from(present));
            }
            if let Some(name) = b.name_col.and_then(field)
                && !name.is_empty()
                && name.len() <= 256
                && facts.tenant_names.len() < MAX_NAMES
            {
                facts.tenant_names.push(String::from_utf8_lossy(name).into_owned());
            }
            if let Some((table, positions)) = &b.capture {
                let captured = facts.captured.entry(table).or_default();
                match capture_row(line, cut, positions).filter(|_| captured.rows.len() < MAX_ROWS) {
                    Some(row) => captured.rows.push(row),
                    None => captured.unchecked = captured.unchecked.saturating_add(1),
                }
            }
            return;
        }
        if line.starts_with(b"COPY ") && line.ends_with(b" FROM stdin;") {
            let (mut table, columns) = parse_copy(&String::from_utf8_lossy(line));
            if facts.tables.len() >= MAX_TABLES && !facts.tables.contains_key(&table) {
                table = "(other tables)".into();
            }
            let position = |col: &str| columns.iter().position(|c| c == col);
            let tracked = SECRET_COLUMNS
                .iter()
                .filter(|(t, _)| *t == table)
                .filter_map(|(t, col)| position(col).map(|i| (i, format!("{t}.{col}"), 0)))
                .collect();
            let name_col = if table == "tenants" { position("name") } else { None };
            let capture = CAPTURE
                .iter()
                .find(|(t, _)| *t == table)
                .map(|(t, cols)| (*t, cols.iter().map(|c| position(c)).collect()));
            *block = Some(Block { table, rows: 0, tracked, name_col, capture });
        } else if line == b"-- PostgreSQL database dump complete" {
            facts.complete = true;
        } else if (line.starts_with(b"DELETE FROM executions WHERE id = '")
            || line.starts_with(b"DELETE FROM public.executions WHERE id = '"))
            && line.ends_with(b"';")
        {
            facts.delete = true;
        }
    }
}

/// The captured values of a row, `None` when the row cannot be kept whole: it was cut, or a
/// captured value is longer than [`MAX_VALUE`]. Values are unescaped as COPY text format
/// escapes them; `\N` is NULL.
fn capture_row(line: &[u8], cut: bool, positions: &[Option<usize>]) -> Option<Vec<Option<String>>> {
    if cut {
        return None;
    }
    let mut row = Vec::with_capacity(positions.len());
    for p in positions {
        let value = match p.and_then(|i| line.split(|&c| c == b'\t').nth(i)) {
            None => None,
            Some(b"\\N") => None,
            Some(v) if v.len() > MAX_VALUE => return None,
            Some(v) => Some(unescape(v)),
        };
        row.push(value);
    }
    Some(row)
}

/// COPY text format's backslash escapes (`\\`, `\t`, `\n`, `\r`); others are kept as written.
fn unescape(v: &[u8]) -> String {
    let text = String::from_utf8_lossy(v);
    if !text.contains('\\') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The table name (no schema, no quotes) and column names of a `COPY t (a, b) FROM stdin;` line.
fn parse_copy(line: &str) -> (String, Vec<String>) {
    // "COPY FROM stdin;" both starts and ends as required, with no room between: an empty body.
    let body = line.get("COPY ".len()..line.len().saturating_sub(" FROM stdin;".len())).unwrap_or("");
    let (name, cols) = match body.find(" (") {
        Some(i) => (&body[..i], body[i.saturating_add(2)..].strip_suffix(')').unwrap_or("")),
        None => (body, ""),
    };
    let unquote = |s: &str| s.trim().trim_matches('"').replace("\"\"", "\"");
    let name = name.strip_prefix("public.").unwrap_or(name);
    let mut table = unquote(name);
    table.truncate(256);
    (table, cols.split(',').map(unquote).collect())
}

impl Analyzer for SqlScanner {
    fn feed(&mut self, bytes: &[u8]) {
        if let Some(at) = self.utf8.feed(bytes) {
            let newlines = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64;
            self.facts.bad_utf8_line = Some(self.lines.count.saturating_add(newlines).saturating_add(1));
        }
        let mut rest = bytes;
        while !rest.is_empty() {
            if self.lines.at_line_start()
                && let Some(b) = self.block.as_mut().filter(|b| b.counts_only())
            {
                // Inside a COPY block whose rows are only counted (all but a few tables, and
                // nearly all of a large dump): count the newlines up to the next line that may
                // end the block in bulk, instead of line by line.
                let end = if rest.starts_with(b"\\.") {
                    0
                } else {
                    match memchr::memmem::find(rest, b"\n\\.") {
                        Some(i) => i.saturating_add(1),
                        None => memchr::memrchr(b'\n', rest).map_or(0, |i| i.saturating_add(1)),
                    }
                };
                let rows = memchr::memchr_iter(b'\n', &rest[..end]).count() as u64;
                b.rows = b.rows.saturating_add(rows);
                self.lines.count = self.lines.count.saturating_add(rows);
                rest = &rest[end..];
            }
            // Then one line (or what is left) through the line splitter.
            let take = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i.saturating_add(1));
            let (facts, block) = (&mut self.facts, &mut self.block);
            self.lines.feed(&rest[..take], |line, cut, n| SqlScanner::line(facts, block, line, cut, n));
            rest = &rest[take..];
        }
    }

    fn finish(mut self: Box<Self>, verified: bool) -> Facts {
        let (facts, block) = (&mut self.facts, &mut self.block);
        self.lines.finish(|line, cut, n| SqlScanner::line(facts, block, line, cut, n));
        // An unfinished sequence can only sit on the last line (a `\n` would have ended it).
        if self.utf8.finish() {
            self.facts.bad_utf8_line = Some(self.lines.count);
        }
        if let Some(b) = self.block.take() {
            self.facts.open_copy = Some((b.table.clone(), b.rows));
            b.close(&mut self.facts);
        }
        self.facts.header &= self.lines.count >= 2;
        self.facts.lines = self.lines.count;
        self.facts.verified = verified;
        Facts::Sql(self.facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n\n\
        COPY public.tenants (id, name, rabbitmq_password) FROM stdin;\n0\tdefault_tenant\tpw\n1\tté am\t\\N\n\\.\n\n\
        COPY \"UserApps\" (id, \"appData\") FROM stdin;\n1\t{}\n\\.\n\n\
        COPY secrets (id, value) FROM stdin;\n\\.\n\n\
        --\n-- PostgreSQL database dump complete\n--\n\n\
        DELETE FROM executions WHERE id = 'e1';\n";

    fn scan(chunks: &[&[u8]]) -> SqlFacts {
        let mut s = Box::new(SqlScanner::new());
        for c in chunks {
            s.feed(c);
        }
        match s.finish(true) {
            Facts::Sql(f) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn complete_dump() {
        let f = scan(&[DUMP.as_bytes()]);
        assert!(f.header && f.complete && f.delete && f.open_copy.is_none() && f.bad_utf8_line.is_none());
        assert_eq!(f.rows("tenants"), Some(2));
        assert_eq!(f.rows("UserApps"), Some(1));
        assert_eq!(f.rows("secrets"), Some(0));
        assert_eq!(f.values("tenants", "rabbitmq_password"), 1);
        assert_eq!(f.tenant_names, ["default_tenant", "té am"]);
        assert_eq!(f.lines, DUMP.lines().count() as u64);
    }

    #[test]
    fn chunk_boundaries_at_every_byte() {
        let whole = scan(&[DUMP.as_bytes()]);
        let b = DUMP.as_bytes();
        for i in 0..=b.len() {
            assert_eq!(scan(&[&b[..i], &b[i..]]), whole, "split at {i}");
        }
        let bytes: Vec<&[u8]> = b.chunks(1).collect();
        assert_eq!(scan(&bytes), whole);
    }

    #[test]
    fn truncated_copy_and_missing_marker() {
        let cut = &DUMP[..DUMP.find("1\tté").unwrap()];
        let f = scan(&[cut.as_bytes()]);
        assert_eq!(f.open_copy, Some(("tenants".into(), 1)));
        assert!(!f.complete && !f.delete);
        let f = scan(&[&DUMP.as_bytes()[..DUMP.find("--\n-- PostgreSQL database dump complete").unwrap()]]);
        assert!(f.open_copy.is_none() && !f.complete);
    }

    #[test]
    fn missing_delete_and_invalid_header() {
        let f = scan(&[DUMP.replace("DELETE FROM executions WHERE id = 'e1';\n", "").as_bytes()]);
        assert!(f.complete && !f.delete);
        let f = scan(&[DUMP.replace("DELETE FROM executions", "DELETE FROM public.executions").as_bytes()]);
        assert!(f.delete);
        assert!(!scan(&[b"PGDMP\x01\x0e"]).header);
        assert!(!scan(&[]).header);
        assert!(!scan(&[DUMP.replacen("--\n", "", 1).as_bytes()]).header);
    }

    #[test]
    fn invalid_utf8_is_located_across_chunks() {
        let mut bad = DUMP.as_bytes().to_vec();
        let at = DUMP.find("té").unwrap() + 1; // the first byte of 'é'
        bad[at + 1] = b'x'; // a lead byte followed by ASCII
        let line = DUMP[..at].lines().count() as u64;
        for i in 0..=bad.len() {
            assert_eq!(scan(&[&bad[..i], &bad[i..]]).bad_utf8_line, Some(line), "split at {i}");
        }
        let unfinished = &DUMP.as_bytes()[..at + 1];
        assert_eq!(scan(&[unfinished]).bad_utf8_line, Some(line));
    }

    #[test]
    fn long_lines_are_cut_not_kept() {
        let row = format!("0\tbig\t{}\n", "x".repeat(3 * MAX_LINE));
        let dump = DUMP.replace("0\tdefault_tenant\tpw\n", &row);
        let whole = scan(&[dump.as_bytes()]);
        let pieces: Vec<&[u8]> = dump.as_bytes().chunks(4096).collect();
        assert_eq!(scan(&pieces), whole);
        assert_eq!(whole.rows("tenants"), Some(2));
        assert_eq!(whole.values("tenants", "rabbitmq_password"), 1);
        // A row whose tracked column is past the cut counts as holding a value.
        let row = format!("0\t{}\t\\N\n", "n".repeat(2 * MAX_LINE));
        let f = scan(&[DUMP.replace("0\tdefault_tenant\tpw\n", &row).as_bytes()]);
        assert_eq!(f.values("tenants", "rabbitmq_password"), 1);
        assert_eq!(f.tenant_names, ["té am"]);
    }

    #[test]
    fn counted_blocks_are_counted_in_bulk_exactly() {
        // A counts-only block with empty rows, a row that merely starts like the terminator,
        // CRLF rows and a CRLF terminator, then a block whose values are looked at.
        let rows: String =
            (0..500).map(|i| if i % 7 == 0 { "\n".to_string() } else { format!("{i}\tx\r\n") }).collect();
        let dump = DUMP.replace(
            "COPY \"UserApps\" (id, \"appData\") FROM stdin;\n1\t{}\n\\.\n",
            &format!("COPY \"UserApps\" (id, \"appData\") FROM stdin;\n{rows}\\.x\n1\t{{}}\n\\.\r\n"),
        );
        let whole = scan(&[dump.as_bytes()]);
        assert_eq!(whole.rows("UserApps"), Some(502));
        assert_eq!(whole.lines, dump.lines().count() as u64);
        assert_eq!(whole.values("tenants", "rabbitmq_password"), 1);
        let b = dump.as_bytes();
        for size in [1, 2, 3, 5, 64, 1000] {
            let pieces: Vec<&[u8]> = b.chunks(size).collect();
            assert_eq!(scan(&pieces), whole, "chunks of {size}");
        }
        for i in (0..b.len()).step_by(7) {
            assert_eq!(scan(&[&b[..i], &b[i..]]), whole, "split at {i}");
        }
    }

    #[test]
    fn captured_rows_are_bounded_and_unescaped() {
        let rows: String = (0..MAX_ROWS + 5).map(|i| format!("{i}\tp{i}\tw\\\\x.wgn\t0\n")).collect();
        let long = "y".repeat(MAX_VALUE + 1);
        let dump = DUMP.replace(
            "COPY secrets (id, value) FROM stdin;\n",
            &format!("COPY public.plugins (_storage_id, id, archive_name, _tenant_id) FROM stdin;\n{rows}9\t{long}\tz\t\\N\n\\.\nCOPY secrets (id, value) FROM stdin;\n"),
        );
        let f = scan(&[dump.as_bytes()]);
        let plugins = &f.captured["plugins"];
        assert_eq!(plugins.rows.len(), MAX_ROWS);
        assert_eq!(plugins.unchecked, 6);
        assert_eq!(plugins.rows[0], [Some("p0".to_owned()), Some("w\\x.wgn".to_owned()), Some("0".to_owned())]);
        assert_eq!(f.rows("plugins"), Some(MAX_ROWS as u64 + 6));
        assert_eq!(f.captured["tenants"].rows[1], [Some("1".to_owned()), Some("té am".to_owned())]);
        // Chunking does not change what is captured.
        let pieces: Vec<&[u8]> = dump.as_bytes().chunks(777).collect();
        assert_eq!(scan(&pieces), f);
    }

    #[test]
    fn copy_lines_parse() {
        assert_eq!(
            parse_copy("COPY public.\"Blue Prints\" (id, \"createdAt\") FROM stdin;"),
            ("Blue Prints".into(), vec!["id".into(), "createdAt".into()])
        );
        assert_eq!(parse_copy("COPY events FROM stdin;").0, "events");
        // Prefix and suffix overlap: no body, and no panic (the slice used to run backwards).
        assert_eq!(parse_copy("COPY FROM stdin;"), (String::new(), vec![String::new()]));
    }
}
