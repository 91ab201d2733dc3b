//! Policy and baseline: what a team decided about findings, applied once to a finished report.
//!
//! A [`Policy`] is an ordered list of [`Directive`]s, each a [`PolicyLevel`] (`allow`, `warn`,
//! `deny`, as in clippy's `-A/-W/-D`) for a [`Selector`]: a catalogue code (`key-material`),
//! a family (`security`, see [`Family`]) or a spec rule ID (`S1`, `H3`, `C10a`: one of the
//! `/`-separated rules of a code's rule column). For each finding the directive that decides is
//!
//! 1. the one with the most specific selector that matches: a code beats a rule, a rule beats a
//!    family (a rule spans a few codes, a family many);
//! 2. among those, the last one (later directives override earlier ones; a config file's
//!    directives come before the command line's).
//!
//! The finding keeps its place in the report and gets a [`PolicyMark`] saying which directive
//! decided and what its severity was without the policy; its `severity` becomes the effective
//! one: `deny` makes it an error, `warn` a warning, `allow` an info (an allowed finding counts
//! neither as an error nor as a warning, and `summary.allowed` counts it). Summary counts, the
//! verdict and the CLI's `--fail-on` all use the effective severity. With an empty policy
//! nothing changes and no new field appears in the report.
//!
//! A [`Baseline`] is the set of findings a team already knows about, keyed by code, path and
//! rule (never offsets or message text, which move when an archive is rewritten). Findings in
//! it are marked `"baseline": true`; only the others count towards the CLI's exit code.
//!
//! Everything here is pure data: the CLI (flags, `snapshot-verify.toml`) and the browser module
//! (its options object) build a [`Policy`] and pass it in [`crate::Options`]; both get the same
//! report.

use crate::code::{Code, Family, Severity};
use crate::report::Finding;
use serde::Serialize;
use std::collections::BTreeSet;

#[cfg(test)]
mod tests;

/// What a directive does to the findings it selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyLevel {
    /// Keep the finding in the report, but count it neither as an error nor as a warning (it
    /// becomes an info, marked as allowed).
    Allow,
    /// Make the finding a warning.
    Warn,
    /// Make the finding an error.
    Deny,
}

impl PolicyLevel {
    /// Every level, in the order lists of one source apply (`allow`, then `warn`, then `deny`).
    pub const ALL: [PolicyLevel; 3] = [PolicyLevel::Allow, PolicyLevel::Warn, PolicyLevel::Deny];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyLevel::Allow => "allow",
            PolicyLevel::Warn => "warn",
            PolicyLevel::Deny => "deny",
        }
    }

    /// The severity a finding gets.
    pub fn severity(self) -> Severity {
        match self {
            PolicyLevel::Allow => Severity::Info,
            PolicyLevel::Warn => Severity::Warning,
            PolicyLevel::Deny => Severity::Error,
        }
    }
}

/// Which findings a directive applies to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Selector {
    /// One catalogue code.
    Code(Code),
    /// A spec rule ID, as the catalogue's rule column names it (`S1`, `H12a`, `§1.2`).
    Rule(&'static str),
    /// A check family.
    Family(Family),
}

impl Selector {
    /// Reads a selector: a code name, a family name, or a rule ID the catalogue uses. Anything
    /// else is an error naming the text, so a typo never silently selects nothing.
    pub fn parse(text: &str) -> Result<Selector, PolicyError> {
        let t = text.trim();
        if let Some(code) = Code::from_name(t) {
            return Ok(Selector::Code(code));
        }
        if let Some(family) = Family::ALL.into_iter().find(|f| f.as_str() == t) {
            return Ok(Selector::Family(family));
        }
        if let Some(rule) = known_rules().find(|r| *r == t) {
            return Ok(Selector::Rule(rule));
        }
        Err(PolicyError::UnknownSelector(text.to_owned()))
    }

    /// How specific it is: a code (2) beats a rule (1) beats a family (0).
    fn rank(&self) -> u8 {
        match self {
            Selector::Code(_) => 2,
            Selector::Rule(_) => 1,
            Selector::Family(_) => 0,
        }
    }

    /// Whether it selects `code`.
    pub fn matches(&self, code: Code) -> bool {
        match self {
            Selector::Code(c) => *c == code,
            Selector::Rule(r) => code.rule().split('/').any(|part| part == *r),
            Selector::Family(f) => code.family() == *f,
        }
    }

    /// The text it was read from, normalised.
    pub fn as_str(&self) -> &'static str {
        match self {
            Selector::Code(c) => c.as_str(),
            Selector::Rule(r) => r,
            Selector::Family(f) => f.as_str(),
        }
    }
}

impl Serialize for Selector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Every rule ID the catalogue names (the `/`-separated parts of its rule column).
pub fn known_rules() -> impl Iterator<Item = &'static str> {
    Code::ALL.iter().flat_map(|c| c.rule().split('/'))
}

/// A policy could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The text is neither a code, a family nor a rule of the catalogue.
    UnknownSelector(String),
    /// One source (a config file, an options object) lists the same selector at two levels.
    Conflict {
        /// The selector.
        selector: String,
        /// The first level it appears at.
        first: PolicyLevel,
        /// The second.
        second: PolicyLevel,
    },
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::UnknownSelector(s) => write!(
                f,
                "`{s}` is not a finding code, a family ({}) or a spec rule of the catalogue (see `snapshot-verify codes`)",
                Family::ALL.map(Family::as_str).join(", ")
            ),
            PolicyError::Conflict { selector, first, second } => {
                write!(f, "`{selector}` is listed under both {} and {}", first.as_str(), second.as_str())
            }
        }
    }
}

impl std::error::Error for PolicyError {}

/// One `allow`, `warn` or `deny` of one selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// What it does.
    pub level: PolicyLevel,
    /// What it applies to.
    pub selector: Selector,
}

/// An ordered list of directives; see the module docs for which one decides.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Policy {
    directives: Vec<Directive>,
}

impl Policy {
    /// No directives: reports are exactly what they are without a policy.
    pub fn new() -> Policy {
        Policy::default()
    }

    /// Whether there are no directives.
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }

    /// The directives in effect, in order. A selector repeated later replaces its earlier
    /// directive, so each selector appears once, at its last position.
    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// Appends a directive (it overrides earlier ones of the same specificity).
    pub fn push(&mut self, level: PolicyLevel, selector: Selector) {
        self.directives.retain(|d| d.selector != selector);
        self.directives.push(Directive { level, selector });
    }

    /// Parses `text` and appends it.
    pub fn push_str(&mut self, level: PolicyLevel, text: &str) -> Result<(), PolicyError> {
        self.push(level, Selector::parse(text)?);
        Ok(())
    }

    /// Appends one source's `allow`, `warn` and `deny` lists (in that order). A selector named
    /// at two levels of the same source is a [`PolicyError::Conflict`]: a file cannot say both.
    pub fn extend_lists<S: AsRef<str>>(&mut self, allow: &[S], warn: &[S], deny: &[S]) -> Result<(), PolicyError> {
        let mut seen: Vec<(Selector, PolicyLevel)> = Vec::new();
        for (level, list) in [(PolicyLevel::Allow, allow), (PolicyLevel::Warn, warn), (PolicyLevel::Deny, deny)] {
            for text in list {
                let selector = Selector::parse(text.as_ref())?;
                if let Some((_, first)) = seen.iter().find(|(s, l)| *s == selector && *l != level) {
                    return Err(PolicyError::Conflict {
                        selector: selector.as_str().to_owned(),
                        first: *first,
                        second: level,
                    });
                }
                seen.push((selector.clone(), level));
                self.push(level, selector);
            }
        }
        Ok(())
    }

    /// The directive that decides for `code`, if any.
    pub fn decide(&self, code: Code) -> Option<&Directive> {
        // max_by_key keeps the last of equal keys: later directives win ties.
        self.directives.iter().filter(|d| d.selector.matches(code)).max_by_key(|d| d.selector.rank())
    }

    /// The effective severity of `code` at its catalogue default, and the directive deciding.
    pub fn effective(&self, code: Code) -> (Severity, Option<&Directive>) {
        match self.decide(code) {
            Some(d) => (d.level.severity(), Some(d)),
            None => (code.default_severity(), None),
        }
    }

    /// Applies the policy to one finding: restores the severity it had without a policy, then
    /// sets the effective one and the mark. Idempotent, so a report can be re-sealed.
    pub(crate) fn apply(&self, finding: &mut Finding) {
        if let Some(mark) = finding.policy.take() {
            finding.severity = mark.original_severity;
        }
        if let Some(d) = self.decide(finding.code) {
            finding.policy =
                Some(PolicyMark { level: d.level, selector: d.selector.as_str(), original_severity: finding.severity });
            finding.severity = d.level.severity();
        }
    }
}

/// On a finding a policy decided: which directive, and the severity the check gave it (the
/// catalogue's default, or the target-dependent one). The finding's `severity` is the effective one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PolicyMark {
    /// `allow`, `warn` or `deny`.
    pub level: PolicyLevel,
    /// The selector of the deciding directive.
    pub selector: &'static str,
    /// The severity without the policy.
    pub original_severity: Severity,
}

/// What identifies a finding across runs: code, path and rule. Offsets and messages are left
/// out on purpose (they change when the same problem moves or is counted differently).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BaselineKey {
    /// The finding code.
    pub code: String,
    /// The spec rule.
    pub rule: String,
    /// The entry path, when the finding has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl BaselineKey {
    /// The key of `finding`.
    pub fn of(finding: &Finding) -> BaselineKey {
        BaselineKey {
            code: finding.code.as_str().to_owned(),
            rule: finding.rule.to_owned(),
            path: finding.path.clone(),
        }
    }
}

/// The known findings of one file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Baseline {
    keys: BTreeSet<BaselineKey>,
}

impl Baseline {
    /// A baseline of these keys.
    pub fn new(keys: impl IntoIterator<Item = BaselineKey>) -> Baseline {
        Baseline { keys: keys.into_iter().collect() }
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &BaselineKey> {
        self.keys.iter()
    }

    /// Whether `finding` is known.
    pub fn contains(&self, finding: &Finding) -> bool {
        self.keys.contains(&BaselineKey::of(finding))
    }
}

/// What a baseline did to a report (`summary.baseline`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// Findings the baseline knows (any severity).
    pub known: usize,
    /// Errors it does not know.
    pub new_errors: usize,
    /// Warnings it does not know.
    pub new_warnings: usize,
}
