//! One finding, and the one cap policy that bounds how many of each code a report lists.

use crate::code::{Code, Severity};
use serde::{Serialize, Serializer};

/// One problem or fact found in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable kebab-case code from the catalogue ([`Code`]).
    #[serde(serialize_with = "code_str")]
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// The spec rule it implements (`A1`…`F`, `H1`…`H24`).
    pub rule: &'static str,
    /// A sentence a person can act on. Never contains a secret's value.
    pub message: String,
    /// The entry it concerns, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The byte offset in the archive it concerns, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// What the finding means for Python's `zipfile` and the restore code, when a later check
    /// (the restore table in `snapshot/target.rs`) needs to know; never serialized: the code and
    /// message say it to a reader.
    #[serde(skip)]
    pub(crate) effect: Option<Effect>,
    /// Set when a policy decided this finding's severity (`severity` is then the effective one);
    /// left out of the report otherwise. Only the core sets it, when the report is sealed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::policy::PolicyMark>,
    /// Whether the baseline the report was compared with already has this finding; left out of
    /// the report when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baseline: bool,
}

/// A consequence one check records for another, so that no check reads another's message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Python's `zipfile` (3.7+) refuses to open the whole archive: a central extra field runs
    /// past its area (`_EndRecData`/`_decodeExtra`, 'Corrupt extra field').
    ArchiveUnopenable,
    /// Extraction fails: a file's name is used as a directory by another entry.
    ExtractFails,
    /// A mgmt/ dump of a type that has archives (blueprints, plugins, deployments): 7.0.x
    /// restores its items into the default client, then looks the archive up with tenant None.
    MgmtArchiveType,
}

/// Findings listed per code by default; the rest are counted, so a hostile archive with millions
/// of bad entries costs bounded memory and a readable report. [`Code::listed_at_most`] is the
/// per-code cap (the one cap policy); this is its default.
pub(crate) const PER_CODE: usize = crate::code::LISTED_PER_CODE;

/// Keeps the first [`Code::listed_at_most`] findings of each code (in order) and counts the rest
/// into `omitted`. Cheap enough to call whenever the list grows.
pub(crate) fn cap_per_code(findings: &mut Vec<Finding>, omitted: &mut std::collections::BTreeMap<Code, u64>) {
    let mut seen: std::collections::HashMap<Code, usize> = std::collections::HashMap::new();
    findings.retain(|f| {
        let n = seen.entry(f.code).or_default();
        *n = n.saturating_add(1);
        if *n > f.code.listed_at_most() {
            let tally = omitted.entry(f.code).or_default();
            *tally = tally.saturating_add(1);
            false
        } else {
            true
        }
    });
}

/// The length from which [`cap_when_grown`] first caps a list: a few times what the cap keeps of
/// a handful of codes.
pub(crate) const BOUND_FROM: usize = 4 * PER_CODE * 8;

/// [`cap_per_code`] on a list being built, once it has grown to `*next` (start at
/// [`BOUND_FROM`]; it then doubles from what the cap kept, so a list that stays long after a cap
/// is not capped again on every push): an archive with 100,000 files of one kind keeps the first
/// findings of each code and a count while it is walked, not 100,000 messages. The report applies
/// the same cap at the end, so the findings kept and the count are the same; only the memory
/// differs. Every pass that pushes per entry (names, local headers, coverage, the new-format
/// walk) goes through this.
pub(crate) fn cap_when_grown(
    findings: &mut Vec<Finding>,
    omitted: &mut std::collections::BTreeMap<Code, u64>,
    next: &mut usize,
) {
    if findings.len() >= *next {
        cap_per_code(findings, omitted);
        *next = findings.len().saturating_mul(2).max(BOUND_FROM);
    }
}

/// One finding per capped code saying how many more there were.
pub(crate) fn omitted_findings(omitted: &std::collections::BTreeMap<Code, u64>) -> impl Iterator<Item = Finding> + '_ {
    omitted.iter().map(|(&code, &n)| {
        Finding::new(
            code,
            format!(
                "{n} more {} findings like the ones above are not listed (the first {} are)",
                code.as_str(),
                code.listed_at_most()
            ),
        )
    })
}

fn code_str<S: Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

impl Finding {
    /// A finding with the code's default severity and rule.
    pub fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: code.default_severity(),
            rule: code.rule(),
            message: message.into(),
            path: None,
            offset: None,
            effect: None,
            policy: None,
            baseline: false,
        }
    }

    /// Records what the finding means for a later check (never serialized).
    pub(crate) fn with_effect(mut self, effect: Effect) -> Finding {
        self.effect = Some(effect);
        self
    }

    /// Sets the entry path.
    pub fn at_path(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    /// Sets the byte offset.
    pub fn at_offset(mut self, offset: u64) -> Finding {
        self.offset = Some(offset);
        self
    }

    /// Overrides the severity (for rules whose severity depends on the target).
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_growing_list_is_capped_per_code_and_the_rest_counted() {
        let (mut out, mut omitted) = (Vec::new(), std::collections::BTreeMap::new());
        let mut next = BOUND_FROM;
        for i in 0..10_000 {
            cap_when_grown(&mut out, &mut omitted, &mut next);
            out.push(Finding::new(Code::UnexpectedFile, format!("file {i}")));
            out.push(Finding::new(Code::TrailingData, format!("trailing {i}")));
            assert!(out.len() <= BOUND_FROM + 2, "the list stays bounded while it is built");
        }
        cap_when_grown(&mut out, &mut omitted, &mut 0);
        let (a, b) = (Code::UnexpectedFile.listed_at_most(), Code::TrailingData.listed_at_most());
        assert_eq!(out.len(), a + b);
        assert_eq!(
            (out[0].message.as_str(), out[1].message.as_str()),
            ("file 0", "trailing 0"),
            "the first are kept, in order"
        );
        assert_eq!(omitted.get(&Code::UnexpectedFile).copied(), Some((10_000 - a) as u64));
        assert_eq!(omitted.get(&Code::TrailingData).copied(), Some((10_000 - b) as u64));
    }
}
