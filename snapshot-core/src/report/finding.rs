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
