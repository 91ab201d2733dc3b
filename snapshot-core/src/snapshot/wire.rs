//! [`JobOutcome`]s as text, for front ends whose workers share no memory: the browser's pool
//! runs entry jobs in several Web Workers and hands every outcome back to the one worker that
//! holds the [`crate::Verifier`]. Decoding gives back exactly the outcome that was encoded, so
//! the merged report is byte-identical to the one a single worker builds.
//!
//! The text is JSON of mirror structs. It carries what the analyzers learned: counts, line
//! numbers, table and tenant names, and the captured ids and names of tenants, plugins,
//! blueprints and deployments; never a secret's value (the analyzers keep none).

use super::content::Facts;
use super::legacy::{ES_TYPES, EsFacts};
use super::nested::NestedFacts;
use super::sql::{CAPTURE, Captured, SqlFacts};
use crate::Error;
use crate::code::{Code, Severity};
use crate::data::EntryOutcome;
use crate::report::Finding;
use crate::verify::JobOutcome;
use serde::de::Error as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize)]
struct WireOutcome {
    index: usize,
    verified: bool,
    output: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    findings: Vec<WireFinding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    facts: Option<WireFacts>,
}

#[derive(Serialize, Deserialize)]
struct WireFinding {
    code: String,
    severity: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
}

#[derive(Serialize, Deserialize)]
enum WireFacts {
    Sql(WireSql),
    Es(WireEs),
    Nested { problems: Vec<String>, too_deep: bool },
}

/// Captured rows: one value per captured column.
type Rows = Vec<Vec<Option<String>>>;

#[derive(Serialize, Deserialize)]
struct WireSql {
    header: bool,
    bad_utf8_line: Option<u64>,
    tables: BTreeMap<String, u64>,
    open_copy: Option<(String, u64)>,
    complete: bool,
    delete: bool,
    values: BTreeMap<String, u64>,
    tenant_names: Vec<String>,
    /// Captured rows and the count of rows not kept, by table.
    captured: BTreeMap<String, (Rows, u64)>,
    lines: u64,
    verified: bool,
}

#[derive(Serialize, Deserialize)]
struct WireEs {
    lines: u64,
    by_type: BTreeMap<String, u64>,
    not_json: u64,
    missing_fields: u64,
    unknown_type: u64,
    unchecked: u64,
    bad_lines: Vec<u64>,
    verified: bool,
}

fn bad(what: &str) -> Error {
    Error::Json(serde_json::Error::custom(format!("not a job outcome: {what}")))
}

/// The `&'static str` in `known` equal to `name`.
fn known(name: &str, known: impl IntoIterator<Item = &'static str>) -> Result<&'static str, Error> {
    known.into_iter().find(|k| *k == name).ok_or_else(|| bad(&format!("unknown name {name:?}")))
}

impl WireFinding {
    fn from(f: &Finding) -> WireFinding {
        WireFinding {
            code: f.code.as_str().to_owned(),
            severity: f.severity.as_str().to_owned(),
            message: f.message.clone(),
            path: f.path.clone(),
            offset: f.offset,
        }
    }

    fn into_finding(self) -> Result<Finding, Error> {
        let code = Code::ALL.iter().copied().find(|c| c.as_str() == self.code).ok_or_else(|| bad("unknown code"))?;
        let severity = [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .find(|s| s.as_str() == self.severity)
            .ok_or_else(|| bad("unknown severity"))?;
        let mut f = Finding::new(code, self.message).severity(severity);
        f.path = self.path;
        f.offset = self.offset;
        Ok(f)
    }
}

impl WireFacts {
    fn from(facts: &Facts) -> WireFacts {
        match facts {
            Facts::Sql(s) => WireFacts::Sql(WireSql {
                header: s.header,
                bad_utf8_line: s.bad_utf8_line,
                tables: s.tables.clone(),
                open_copy: s.open_copy.clone(),
                complete: s.complete,
                delete: s.delete,
                values: s.values.clone(),
                tenant_names: s.tenant_names.clone(),
                captured: s.captured.iter().map(|(k, c)| ((*k).to_owned(), (c.rows.clone(), c.unchecked))).collect(),
                lines: s.lines,
                verified: s.verified,
            }),
            Facts::EsData(e) => WireFacts::Es(WireEs {
                lines: e.lines,
                by_type: e.by_type.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect(),
                not_json: e.not_json,
                missing_fields: e.missing_fields,
                unknown_type: e.unknown_type,
                unchecked: e.unchecked,
                bad_lines: e.bad_lines.clone(),
                verified: e.verified,
            }),
            Facts::Nested(n) => WireFacts::Nested { problems: n.problems.clone(), too_deep: n.too_deep },
        }
    }

    fn into_facts(self) -> Result<Facts, Error> {
        Ok(match self {
            WireFacts::Sql(s) => {
                let mut captured = BTreeMap::new();
                for (table, (rows, unchecked)) in s.captured {
                    let key = known(&table, CAPTURE.iter().map(|(t, _)| *t))?;
                    captured.insert(key, Captured { rows, unchecked });
                }
                Facts::Sql(SqlFacts {
                    header: s.header,
                    bad_utf8_line: s.bad_utf8_line,
                    tables: s.tables,
                    open_copy: s.open_copy,
                    complete: s.complete,
                    delete: s.delete,
                    values: s.values,
                    tenant_names: s.tenant_names,
                    captured,
                    lines: s.lines,
                    verified: s.verified,
                })
            }
            WireFacts::Es(e) => {
                let mut by_type = BTreeMap::new();
                for (ty, n) in e.by_type {
                    by_type.insert(known(&ty, ES_TYPES.iter().copied())?, n);
                }
                Facts::EsData(EsFacts {
                    lines: e.lines,
                    by_type,
                    not_json: e.not_json,
                    missing_fields: e.missing_fields,
                    unknown_type: e.unknown_type,
                    unchecked: e.unchecked,
                    bad_lines: e.bad_lines,
                    verified: e.verified,
                })
            }
            WireFacts::Nested { problems, too_deep } => Facts::Nested(NestedFacts { problems, too_deep }),
        })
    }
}

impl JobOutcome {
    fn to_mirror(&self) -> WireOutcome {
        let o = &self.0;
        WireOutcome {
            index: o.index,
            verified: o.verified,
            output: o.output,
            findings: o.findings.iter().map(WireFinding::from).collect(),
            facts: o.facts.as_deref().map(WireFacts::from),
        }
    }

    fn from_mirror(w: WireOutcome) -> Result<JobOutcome, Error> {
        let findings = w.findings.into_iter().map(WireFinding::into_finding).collect::<Result<Vec<_>, _>>()?;
        let facts = w.facts.map(WireFacts::into_facts).transpose()?.map(Box::new);
        Ok(JobOutcome(EntryOutcome { index: w.index, findings, verified: w.verified, facts, output: w.output }))
    }

    /// Outcomes as compact JSON text, for [`JobOutcome::from_wire`] in another worker.
    pub fn to_wire(outcomes: &[JobOutcome]) -> String {
        let mirror: Vec<WireOutcome> = outcomes.iter().map(JobOutcome::to_mirror).collect();
        // Plain data (strings, numbers, maps with string keys): serializing cannot fail.
        serde_json::to_string(&mirror).unwrap_or_default()
    }

    /// The outcomes [`JobOutcome::to_wire`] encoded; an error for any other text.
    pub fn from_wire(text: &str) -> Result<Vec<JobOutcome>, Error> {
        let mirror: Vec<WireOutcome> = serde_json::from_str(text).map_err(Error::Json)?;
        mirror.into_iter().map(JobOutcome::from_mirror).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::report::Level;
    use crate::{JobOutcome, Options, Verifier, verify};
    use snapshot_tests::cloudify::era_samples;
    use snapshot_tests::hostile::cases;

    /// The report built from outcomes that went through the wire, jobs run in reverse order.
    fn through_the_wire(bytes: &[u8], opts: &Options) -> String {
        let src = &bytes;
        let mut v = Verifier::new(src, opts.clone()).unwrap();
        let mut jobs = v.take_jobs();
        jobs.reverse();
        let mut outcomes = Vec::new();
        for job in jobs {
            let mut running = job.start();
            loop {
                if let Some(o) = running.step(src, 4096).unwrap() {
                    outcomes.push(o);
                    break;
                }
            }
        }
        let text = JobOutcome::to_wire(&outcomes);
        for o in JobOutcome::from_wire(&text).unwrap() {
            v.absorb(o);
        }
        v.finish(src).to_json().unwrap()
    }

    #[test]
    fn outcomes_through_the_wire_give_the_same_report() {
        let opts = Options { level: Level::Full, target_version: Some("7.0.4".into()), ..Options::default() };
        let mut with_facts = 0;
        let mut samples: Vec<Vec<u8>> = era_samples().iter().map(|s| s.bytes()).collect();
        samples.extend(cases().into_iter().map(|c| c.bytes));
        for bytes in &samples {
            let expected = verify(&bytes.as_slice(), &opts).unwrap().to_json().unwrap();
            assert_eq!(through_the_wire(bytes, &opts), expected);
            let mut v = Verifier::new(&bytes.as_slice(), opts.clone()).unwrap();
            let outcomes: Vec<JobOutcome> =
                v.take_jobs().into_iter().map(|j| j.run(&bytes.as_slice()).unwrap()).collect();
            with_facts += outcomes.iter().filter(|o| o.0.facts.is_some()).count();
        }
        assert!(with_facts >= 10, "the samples exercise the analyzers ({with_facts} outcomes with facts)");
    }

    #[test]
    fn foreign_text_is_an_error() {
        for text in [
            "",
            "{}",
            r#"[{"index":0,"verified":true,"output":0,"findings":[{"code":"nope","severity":"error","message":""}]}]"#,
        ] {
            assert!(JobOutcome::from_wire(text).is_err(), "{text}");
        }
    }
}
