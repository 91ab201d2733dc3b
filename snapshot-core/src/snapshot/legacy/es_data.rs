//! C12: `es_data` (E0–E2, spec §3.7.1), one Elasticsearch hit per line: the streaming line
//! checker of the data pass, its findings and the 3.x counts.

use super::plural;
use crate::code::Code;
use crate::report::Finding;
use crate::snapshot::content::{Analyzer, Facts};
use crate::snapshot::sql::Lines;
use crate::snapshot::{Ctx, Era, Format, Semantics};
use crate::zip::Entry;
use std::collections::BTreeMap;

/// What the es_data analyzer learned. Counts and line numbers only, never line content.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct EsFacts {
    /// Non-blank lines.
    pub lines: u64,
    /// Valid hits per known `_type`.
    pub by_type: BTreeMap<&'static str, u64>,
    /// Lines that are not JSON.
    pub not_json: u64,
    /// JSON lines without `_type` or `_source` (or not an object).
    pub missing_fields: u64,
    /// Hits whose `_type` is not in [`ES_TYPES`].
    pub unknown_type: u64,
    /// Lines longer than [`crate::snapshot::sql::MAX_LINE`]: counted, not parsed.
    pub unchecked: u64,
    /// The first few bad line numbers.
    pub bad_lines: Vec<u64>,
    /// Whether the whole entry was read and matched its CRC and size.
    pub verified: bool,
}

/// The `_type`s 4.x's `estopg` converts (spec §3.7.1); any other is logged and dropped.
pub(crate) const ES_TYPES: &[&str] = &[
    "blueprint",
    "deployment",
    "node",
    "node_instance",
    "execution",
    "plugin",
    "deployment_updates",
    "deployment_update_steps",
    "deployment_modifications",
    "cloudify_event",
    "cloudify_log",
];

/// C12 findings for es_data, and the 3.x counts.
pub(super) fn es(ctx: &mut Ctx, sem: &mut Semantics, entry: &Entry, f: &EsFacts) {
    if !f.verified {
        return;
    }
    let bad = f.not_json.saturating_add(f.missing_fields).saturating_add(f.unknown_type);
    if bad > 0 {
        let kinds: Vec<String> = [
            (f.not_json, "not JSON"),
            (f.missing_fields, "without _type or _source"),
            (f.unknown_type, "with an unknown _type"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let lines: Vec<String> = f.bad_lines.iter().map(u64::to_string).collect();
        let more = if bad > f.bad_lines.len() as u64 { ", …" } else { "" };
        ctx.push(
            Finding::new(
                Code::EsDataLineInvalid,
                format!(
                    "es_data has {bad} of {} lines that are not Elasticsearch hits restore can convert ({}; lines {}{more}): restore logs \"Bad line\" or \"Undefined type\" and drops those records",
                    f.lines,
                    kinds.join(", "),
                    lines.join(", ")
                ),
            )
            .at_path(&entry.name),
        );
    }
    if f.unchecked > 0 {
        ctx.push(
            Finding::new(
                Code::QuickLimit,
                format!("es_data has {} longer than 1 MiB, counted but not parsed", plural(f.unchecked, "line")),
            )
            .at_path(&entry.name),
        );
    }
    if sem.era.map(Era::format) != Some(Format::Elasticsearch) {
        return;
    }
    let n = |types: &[&str]| types.iter().filter_map(|t| f.by_type.get(t).copied()).reduce(u64::saturating_add);
    let c = &mut sem.info.counts;
    c.events = n(&["cloudify_event", "cloudify_log"]);
    c.executions = n(&["execution"]);
    c.blueprints = c.blueprints.or(n(&["blueprint"]));
    c.deployments = n(&["deployment"]).or(c.deployments);
    c.plugins = c.plugins.or(n(&["plugin"]));
}

/// The es_data line checker (C12).
#[derive(Debug, Default)]
pub(super) struct EsScanner {
    lines: Lines,
    facts: EsFacts,
}

/// The fields of an Elasticsearch hit that `estopg` asserts.
#[derive(serde::Deserialize)]
pub(super) struct Hit {
    #[serde(rename = "_type")]
    ty: Option<String>,
    #[serde(rename = "_source")]
    source: Option<serde::de::IgnoredAny>,
}

pub(super) fn es_line(f: &mut EsFacts, line: &[u8], cut: bool, n: u64) {
    if line.trim_ascii().is_empty() {
        return;
    }
    f.lines = f.lines.saturating_add(1);
    if cut {
        f.unchecked = f.unchecked.saturating_add(1);
        return;
    }
    let problem = match serde_json::from_slice::<Hit>(line) {
        Ok(Hit { ty: Some(ty), source: Some(_) }) => match ES_TYPES.iter().find(|t| **t == ty) {
            Some(t) => {
                let tally = f.by_type.entry(t).or_default();
                *tally = tally.saturating_add(1);
                return;
            }
            None => &mut f.unknown_type,
        },
        Ok(_) => &mut f.missing_fields,
        Err(e) if e.classify() == serde_json::error::Category::Data => &mut f.missing_fields,
        Err(_) => &mut f.not_json,
    };
    *problem = problem.saturating_add(1);
    if f.bad_lines.len() < 5 {
        f.bad_lines.push(n);
    }
}

impl Analyzer for EsScanner {
    fn feed(&mut self, bytes: &[u8]) {
        let facts = &mut self.facts;
        self.lines.feed(bytes, |line, cut, n| es_line(facts, line, cut, n));
    }

    fn finish(mut self: Box<Self>, verified: bool) -> Facts {
        let facts = &mut self.facts;
        self.lines.finish(|line, cut, n| es_line(facts, line, cut, n));
        self.facts.verified = verified;
        Facts::EsData(self.facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es(chunks: &[&[u8]]) -> EsFacts {
        let mut s: Box<dyn Analyzer> = Box::new(EsScanner::default());
        for c in chunks {
            s.feed(c);
        }
        match s.finish(true) {
            Facts::EsData(f) => f,
            other => panic!("{other:?}"),
        }
    }

    const ES: &str = "{\"_index\": \"cloudify_storage\", \"_type\": \"blueprint\", \"_id\": \"bp\", \"_source\": {\"id\": \"bp\"}}\n\
        {\"_type\": \"cloudify_log\", \"_source\": {\"message\": {\"text\": \"é\"}}}\n\
        \n\
        not json at all\n\
        {\"_type\": \"provider_context\", \"_source\": {}}\n\
        {\"_source\": {}}\n\
        [1, 2]\n";

    #[test]
    fn es_lines_are_classified_at_every_split() {
        let whole = es(&[ES.as_bytes()]);
        assert_eq!(whole.lines, 6);
        assert_eq!(whole.by_type.get("blueprint"), Some(&1));
        assert_eq!(whole.by_type.get("cloudify_log"), Some(&1));
        assert_eq!((whole.not_json, whole.unknown_type, whole.missing_fields), (1, 1, 2));
        assert_eq!(whole.bad_lines, [4, 5, 6, 7]);
        let b = ES.as_bytes();
        for i in 0..=b.len() {
            assert_eq!(es(&[&b[..i], &b[i..]]), whole, "split at {i}");
        }
        // Without a final newline the last line still counts.
        assert_eq!(es(&[ES.trim_end().as_bytes()]), whole);
    }
}
