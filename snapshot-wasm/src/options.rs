//! The options JSON the page passes, mapped onto [`snapshot_core::Options`].

use crate::Error;
use serde::Deserialize;
use snapshot_core::{Edition, Level, Options, Runtime, Sample, Sampling};

/// The wire form: `{"target_version": "7.0.4" | null, "edition": "premium" | "community",
/// "restore_certificates": true | false, "runtime": "single-host" | "kubernetes", "file_name": "snap.zip",
/// "policy": {"allow": [CODE…], "warn": [CODE…], "deny": [CODE…]}}` (CODE: a finding code, a spec rule or
/// a family; the lists apply in that order, as a `snapshot-verify.toml`'s do: docs/policy.md).
/// Every field is optional; unknown fields are refused so that a typo in the caller does not
/// silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WireOptions {
    target_version: Option<String>,
    edition: Option<String>,
    restore_certificates: Option<bool>,
    runtime: Option<String>,
    file_name: Option<String>,
    /// `--sample` of the CLI (`"10%"`, `"500M"`, `"1/4"`), used at the full level only; `seed`
    /// (0 to 2^53 - 1, default 0) only with it.
    sample: Option<String>,
    seed: Option<u64>,
    policy: Option<WirePolicy>,
}

/// `options.policy`: the core builds the same [`snapshot_core::Policy`] the CLI does.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct WirePolicy {
    allow: Vec<String>,
    warn: Vec<String>,
    deny: Vec<String>,
}

/// Parses `json` (an empty string means all defaults) into core options at `level`.
///
/// An empty or blank `target_version` means "no target", like leaving out the CLI's
/// `--target-version`.
pub fn parse(json: &str, level: Level) -> Result<Options, Error> {
    let wire: WireOptions = if json.trim().is_empty() {
        WireOptions::default()
    } else {
        serde_json::from_str(json).map_err(|e| Error::Options(e.to_string()))?
    };
    let edition = match wire.edition.as_deref() {
        None | Some("premium") => Edition::Premium,
        Some("community") => Edition::Community,
        Some(other) => {
            return Err(Error::Options(format!("edition must be \"premium\" or \"community\", not {other:?}")));
        }
    };
    let runtime = match wire.runtime.as_deref() {
        None | Some("single-host") => Runtime::SingleHost,
        Some("kubernetes") => Runtime::Kubernetes,
        Some(other) => {
            return Err(Error::Options(format!("runtime must be \"single-host\" or \"kubernetes\", not {other:?}")));
        }
    };
    let target_version = wire.target_version.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let file_name = wire.file_name.unwrap_or_default();
    let restore_certificates = wire.restore_certificates.unwrap_or(false);
    let sample = match (wire.sample.as_deref(), wire.seed) {
        (None, Some(_)) => return Err(Error::Options("seed needs sample".into())),
        (None, None) => None,
        (Some(text), seed) => {
            let sample = Sample::parse(text).map_err(Error::Options)?;
            let seed = Sampling::parse_seed(&seed.unwrap_or(0).to_string()).map_err(Error::Options)?;
            Some(Sampling { sample, seed })
        }
    };
    let mut policy = snapshot_core::Policy::new();
    if let Some(p) = &wire.policy {
        policy.extend_lists(&p.allow, &p.warn, &p.deny).map_err(|e| Error::Options(format!("policy: {e}")))?;
    }
    Ok(Options {
        level,
        target_version,
        edition,
        runtime,
        restore_certificates,
        file_name,
        sample,
        policy,
        ..Options::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let o = parse("", Level::Quick).unwrap();
        assert_eq!(o, Options::default());
        assert_eq!(parse("{}", Level::Full).unwrap().level, Level::Full);
    }

    #[test]
    fn reads_every_field() {
        let o = parse(
            r#"{"target_version":" 7.0.4 ","edition":"community","runtime":"kubernetes","file_name":"a.zip"}"#,
            Level::Quick,
        )
        .unwrap();
        assert_eq!(o.target_version.as_deref(), Some("7.0.4"));
        assert_eq!(o.edition, Edition::Community);
        assert_eq!(o.runtime, Runtime::Kubernetes);
        assert_eq!(parse(r#"{"runtime":"single-host"}"#, Level::Quick).unwrap().runtime, Runtime::SingleHost);
        assert_eq!(o.file_name, "a.zip");
        assert_eq!(parse(r#"{"target_version":""}"#, Level::Quick).unwrap().target_version, None);
        assert_eq!(parse(r#"{"target_version":null}"#, Level::Quick).unwrap().target_version, None);
        assert!(parse(r#"{"restore_certificates":true}"#, Level::Quick).unwrap().restore_certificates);
        assert!(!parse(r#"{"restore_certificates":null}"#, Level::Quick).unwrap().restore_certificates);
        assert!(parse(r#"{"restore_certificates":"yes"}"#, Level::Quick).is_err());
    }

    #[test]
    fn reads_a_policy_like_the_cli() {
        let o = parse(r#"{"policy":{"allow":["key-material","security"],"deny":["S1"]}}"#, Level::Full).unwrap();
        let mut want = snapshot_core::Policy::new();
        want.extend_lists(&["key-material", "security"], &[], &["S1"]).unwrap();
        assert_eq!(o.policy, want);
        assert!(parse(r#"{"policy":{}}"#, Level::Quick).unwrap().policy.is_empty());
        for bad in [
            r#"{"policy":{"allow":["nope"]}}"#,
            r#"{"policy":{"allow":["S1"],"warn":["S1"]}}"#,
            r#"{"policy":{"ignore":["S1"]}}"#,
            r#"{"policy":{"allow":"S1"}}"#,
        ] {
            assert!(parse(bad, Level::Quick).is_err(), "{bad}");
        }
    }

    /// The module's own entry points (inspect and the stepwise full verify) give the core's
    /// report for the same policy, the one the CLI builds from flags or a config file
    /// (snapshot-verify/tests/cli/policy.rs compares the CLI with the core).
    #[test]
    fn module_reports_with_a_policy_equal_the_core_report() {
        const EMPTY_ZIP: &[u8] = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        let wire = r#"{"file_name":"e.zip","policy":{"warn":["metadata"],"deny":["quick-limit"]}}"#;
        let mut policy = snapshot_core::Policy::new();
        policy.extend_lists::<&str>(&[], &["metadata"], &["quick-limit"]).unwrap();
        for level in [Level::Quick, Level::Full] {
            let opts = Options { level, file_name: "e.zip".into(), policy: policy.clone(), ..Options::default() };
            let expected = snapshot_core::verify(&EMPTY_ZIP, &opts).unwrap().to_json().unwrap();
            let got = if level == Level::Quick {
                crate::inspect_json(&EMPTY_ZIP, wire).unwrap()
            } else {
                let mut job = crate::verify::FullVerify::new(&EMPTY_ZIP, wire).unwrap();
                while !job.step(&EMPTY_ZIP, 1 << 20).unwrap() {}
                job.report_json(&EMPTY_ZIP).unwrap()
            };
            assert_eq!(got, expected);
            assert!(got.contains("\"original_severity\": \"error\""), "not-a-snapshot became a warning: {got}");
        }
    }

    #[test]
    fn refuses_unknown_fields_and_editions() {
        assert!(parse(r#"{"target":"7.0.4"}"#, Level::Quick).is_err());
        assert!(parse(r#"{"edition":"enterprise"}"#, Level::Quick).is_err());
        assert!(parse(r#"{"runtime":"k8s"}"#, Level::Quick).is_err());
        assert!(parse("[1]", Level::Quick).is_err());
    }

    #[test]
    fn reads_sample_and_seed() {
        let o = parse(r#"{"sample":"1/4","seed":7}"#, Level::Full).unwrap();
        assert_eq!(o.sample, Some(Sampling { sample: Sample::Slice { k: 1, n: 4 }, seed: 7 }));
        assert_eq!(parse(r#"{"sample":"10%"}"#, Level::Full).unwrap().sample.map(|s| s.seed), Some(0));
        assert!(parse(r#"{"seed":7}"#, Level::Full).is_err());
        assert!(parse(r#"{"sample":"200%"}"#, Level::Full).is_err());
        assert!(parse(r#"{"sample":"1/4","seed":9007199254740992}"#, Level::Full).is_err());
    }
}
