//! `--baseline` and `--write-baseline`: the findings a team already knows about.
//!
//! A baseline is read from a file `--write-baseline` wrote, or from a report `--format json`
//! wrote (one report, or the array of several). Findings match by code, path and rule, never by
//! offset or message (see [`snapshot_core::policy`]). Several files match per file name; when
//! the baseline holds one file and the run checks one file, they match whatever their names
//! (nightly archives are named by date).
//!
//! The file format (`baseline_version` 1):
//!
//! ```json
//! {"baseline_version": 1, "tool": "snapshot-verify",
//!  "files": [{"name": "nightly.zip", "findings": [{"code": "key-material", "rule": "S2", "path": "…"}]}]}
//! ```

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;
use serde_json::Value;
use snapshot_core::{Baseline, BaselineKey, Report};
use std::path::Path;

/// The version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// The known findings of every file of a baseline.
#[derive(Debug, Default)]
pub struct Known {
    files: Vec<(String, Baseline)>,
}

impl Known {
    /// Reads a baseline or a JSON report from `path`.
    pub fn read(path: &Path) -> Result<Known> {
        let bytes = std::fs::read(path).with_context(|| format!("reading the baseline {}", path.display()))?;
        std::str::from_utf8(&bytes)
            .map_err(anyhow::Error::from)
            .and_then(Known::parse)
            .with_context(|| format!("{} is not a baseline or a JSON report", path.display()))
    }

    /// Parses a baseline file or a report (or an array of reports).
    pub fn parse(text: &str) -> Result<Known> {
        let v: Value = serde_json::from_str(text)?;
        let files = if let Some(version) = v.get("baseline_version") {
            if version.as_u64() != Some(u64::from(BASELINE_VERSION)) {
                bail!("baseline_version {version} is not {BASELINE_VERSION}, the version this build reads");
            }
            let files = v.get("files").and_then(Value::as_array).ok_or_else(|| anyhow!("no `files` array"))?;
            files.iter().map(|f| file(f, "findings", false)).collect::<Result<Vec<_>>>()?
        } else if let Some(reports) = v.as_array() {
            reports.iter().map(|r| file(r, "findings", true)).collect::<Result<Vec<_>>>()?
        } else {
            vec![file(&v, "findings", true)?]
        };
        Ok(Known { files })
    }

    /// The baseline for the file named `name`; `many` when the run may check several files.
    pub fn for_file(&self, name: &str, many: bool) -> Baseline {
        match self.files.as_slice() {
            [(_, only)] if !many => only.clone(),
            files => files.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone()).unwrap_or_default(),
        }
    }
}

/// One file's name and keys, from a baseline entry (`name`) or a report (`file.name`).
fn file(v: &Value, list: &str, report: bool) -> Result<(String, Baseline)> {
    let name = if report { v.get("file").and_then(|f| f.get("name")) } else { v.get("name") };
    let name = name.and_then(Value::as_str).ok_or_else(|| anyhow!("an entry has no file name"))?.to_owned();
    if report && v.get("schema_version").is_none() {
        bail!("{name}: no schema_version, not a report");
    }
    let findings = v.get(list).and_then(Value::as_array).ok_or_else(|| anyhow!("{name}: no `{list}` array"))?;
    let keys = findings
        .iter()
        .map(|f| {
            let field = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_owned);
            Ok(BaselineKey {
                code: field("code").ok_or_else(|| anyhow!("{name}: a finding has no code"))?,
                rule: field("rule").ok_or_else(|| anyhow!("{name}: a finding has no rule"))?,
                path: field("path"),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((name, Baseline::new(keys)))
}

#[derive(Serialize)]
struct FileOut<'a> {
    name: &'a str,
    findings: Vec<BaselineKey>,
}

#[derive(Serialize)]
struct BaselineOut<'a> {
    baseline_version: u32,
    tool: &'static str,
    files: Vec<FileOut<'a>>,
}

/// The baseline of `reports`, as `--write-baseline` writes it: every finding's key, sorted, once.
pub fn render(reports: &[&Report]) -> Result<String> {
    let files = reports
        .iter()
        .map(|r| FileOut {
            name: &r.file().name,
            findings: Baseline::new(r.findings().iter().map(BaselineKey::of)).keys().cloned().collect(),
        })
        .collect();
    let out = BaselineOut { baseline_version: BASELINE_VERSION, tool: "snapshot-verify", files };
    Ok(serde_json::to_string_pretty(&out)? + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_baselines_reports_and_arrays() {
        let b = r#"{"baseline_version":1,"tool":"snapshot-verify","files":[
            {"name":"a.zip","findings":[{"code":"key-material","rule":"S2","path":"k"}]},
            {"name":"b.zip","findings":[]}]}"#;
        let known = Known::parse(b).unwrap();
        assert_eq!(known.for_file("a.zip", true).keys().count(), 1);
        assert_eq!(known.for_file("b.zip", true).keys().count(), 0);
        assert_eq!(known.for_file("c.zip", true).keys().count(), 0);
        let report = r#"{"schema_version":1,"file":{"name":"old.zip"},"findings":[{"code":"x","rule":"A1","message":"m","offset":3}]}"#;
        let known = Known::parse(report).unwrap();
        assert_eq!(known.for_file("new.zip", false).keys().count(), 1, "one file to one file matches by position");
        assert_eq!(known.for_file("new.zip", true).keys().count(), 0, "several files match by name");
        let array = format!("[{report}]");
        assert_eq!(Known::parse(&array).unwrap().for_file("old.zip", true).keys().count(), 1);
        for bad in
            [r#"{"baseline_version":2,"files":[]}"#, "{}", "[1]", "nope", r#"{"schema_version":1,"file":{"name":"a"}}"#]
        {
            assert!(Known::parse(bad).is_err(), "{bad}");
        }
    }
}
