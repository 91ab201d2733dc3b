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
    /// Set when a policy decided this finding's severity (`severity` is then the effective one);
    /// left out of the report otherwise. Only the core sets it, when the report is sealed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<crate::policy::PolicyMark>,
    /// Whether the baseline the report was compared with already has this finding; left out of
    /// the report when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baseline: bool,
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
            policy: None,
            baseline: false,
        }
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
