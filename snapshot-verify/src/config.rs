//! `snapshot-verify.toml`: a team's policy and defaults, committed next to the CI job.
//!
//! Found in the working directory or the nearest parent that has one, or named with `--config
//! FILE`; `--no-config` skips it. Every key is optional; unknown keys, unknown codes and bad
//! values stop the run with exit 2 and a message naming the file, line and key. Command-line
//! flags override the file. The schema is documented in `docs/policy.md`.

use crate::cli::{EditionArg, FailOn, LevelArg, PolicyArgs, RuntimeArg, TargetArgs};
use anyhow::{Context, Result, anyhow, bail};
use clap::ValueEnum;
use serde::Deserialize;
use snapshot_core::{Limits, Options, Policy, PolicyLevel};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The name looked for in the working directory and its parents.
pub const FILE_NAME: &str = "snapshot-verify.toml";

/// The file as written. Strings that name values are kept with their position, so that a bad
/// one is reported at its line.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    level: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    target_version: Option<Spanned<String>>,
    edition: Option<Spanned<String>>,
    target_runtime: Option<Spanned<String>>,
    restore_certificates: Option<bool>,
    sha256: Option<bool>,
    max_duration: Option<Spanned<f64>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    warn: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    limits: Option<RawLimits>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLimits {
    max_entries: Option<Spanned<u64>>,
    max_json_member: Option<Spanned<u64>>,
    quick_json_budget: Option<Spanned<u64>>,
    max_output: Option<Spanned<u64>>,
    gap_scan: Option<Spanned<u64>>,
}

/// The configuration in effect: the file's values, checked. `None` where the file says nothing.
#[derive(Debug, Default)]
pub struct Config {
    /// The file read, if any.
    pub path: Option<PathBuf>,
    /// `level`.
    pub level: Option<LevelArg>,
    /// `fail-on`.
    pub fail_on: Option<FailOn>,
    /// `target-version`.
    pub target_version: Option<String>,
    /// `edition`.
    pub edition: Option<EditionArg>,
    /// `target-runtime`.
    pub runtime: Option<RuntimeArg>,
    /// `restore-certificates`.
    pub restore_certificates: Option<bool>,
    /// `sha256`.
    pub sha256: Option<bool>,
    /// `max-duration`, in seconds.
    pub max_duration: Option<f64>,
    /// `allow`, `warn`, `deny`.
    pub policy: Policy,
    /// `[limits]` over the core's defaults.
    pub limits: Limits,
}

impl Config {
    /// Reads the file `args` names, or the one discovered from the working directory, or none.
    pub fn load(args: &PolicyArgs) -> Result<Config> {
        let path = match (&args.config, args.no_config) {
            (Some(p), _) => Some(p.clone()),
            (None, true) => None,
            (None, false) => discover(&std::env::current_dir().context("reading the working directory")?),
        };
        match path {
            None => Ok(Config::default()),
            Some(p) => {
                let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                parse(&text, &p)
            }
        }
    }

    /// The effective policy: the file's directives, then the command line's in their order.
    pub fn policy(&self, args: &PolicyArgs) -> Result<Policy> {
        let mut policy = self.policy.clone();
        for (level, text) in args.directives() {
            policy.push_str(level, &text).map_err(|e| anyhow!("--{} {e}", level.as_str()))?;
        }
        Ok(policy)
    }

    /// Core options: flags first, then the file, then the defaults.
    pub fn options(&self, level: LevelArg, target: &TargetArgs, args: &PolicyArgs) -> Result<Options> {
        Ok(Options {
            level: level.into(),
            target_version: target.target_version.clone().or_else(|| self.target_version.clone()),
            edition: target.edition.or(self.edition).unwrap_or(EditionArg::Premium).into(),
            restore_certificates: target.restore_certificates || self.restore_certificates == Some(true),
            runtime: target.target_runtime.or(self.runtime).unwrap_or(RuntimeArg::SingleHost).into(),
            limits: self.limits,
            policy: self.policy(args)?,
            ..Options::default()
        })
    }
}

/// The nearest `snapshot-verify.toml` in `dir` or its parents.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// The 1-based line of byte `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes().iter().take(at).filter(|&&b| b == b'\n').count().saturating_add(1)
}

/// Parses and checks a configuration file's text; `path` names it in messages.
pub fn parse(text: &str, path: &Path) -> Result<Config> {
    let file = path.display();
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(String::new(), |s| format!(":{}", line_of(text, s.start)));
        anyhow!("{file}{at}: {}", e.message().trim_end())
    })?;
    let bad = |v: &Spanned<String>, key: &str, why: String| {
        anyhow!("{file}:{}: key `{key}`: {why}", line_of(text, v.span().start))
    };
    let choice = |v: &Option<Spanned<String>>, key: &str, names: &str| -> Result<Option<String>> {
        Ok(match v {
            None => None,
            Some(s) if names.split(", ").any(|n| n == s.get_ref()) => Some(s.get_ref().clone()),
            Some(s) => return Err(bad(s, key, format!("`{}` is not one of {names}", s.get_ref()))),
        })
    };
    let mut config = Config { path: Some(path.to_owned()), ..Config::default() };
    config.level = choice(&raw.level, "level", &names::<LevelArg>())?.map(|s| value::<LevelArg>(&s));
    config.fail_on = choice(&raw.fail_on, "fail-on", &names::<FailOn>())?.map(|s| value::<FailOn>(&s));
    config.edition = choice(&raw.edition, "edition", &names::<EditionArg>())?.map(|s| value::<EditionArg>(&s));
    config.runtime =
        choice(&raw.target_runtime, "target-runtime", &names::<RuntimeArg>())?.map(|s| value::<RuntimeArg>(&s));
    if let Some(v) = &raw.target_version {
        let checked = crate::cli::parse_version(v.get_ref()).map_err(|why| bad(v, "target-version", why))?;
        config.target_version = Some(checked);
    }
    if let Some(v) = &raw.max_duration {
        let secs = *v.get_ref();
        if !(secs.is_finite() && secs > 0.0 && secs < 1e9) {
            bail!(
                "{file}:{}: key `max-duration`: `{secs}` is not a positive number of seconds",
                line_of(text, v.span().start)
            );
        }
        config.max_duration = Some(secs);
    }
    config.restore_certificates = raw.restore_certificates;
    config.sha256 = raw.sha256;
    config.limits = limits(raw.limits.unwrap_or_default(), text, &file.to_string())?;
    let mut seen: Vec<(&str, PolicyLevel)> = Vec::new();
    for (level, list) in
        [(PolicyLevel::Allow, &raw.allow), (PolicyLevel::Warn, &raw.warn), (PolicyLevel::Deny, &raw.deny)]
    {
        for item in list {
            let key = level.as_str();
            let sel = snapshot_core::Selector::parse(item.get_ref()).map_err(|e| bad(item, key, e.to_string()))?;
            if let Some((_, first)) = seen.iter().find(|(s, l)| *s == sel.as_str() && *l != level) {
                return Err(bad(item, key, format!("`{}` is already listed under {}", sel.as_str(), first.as_str())));
            }
            seen.push((sel.as_str(), level));
            config.policy.push(level, sel);
        }
    }
    Ok(config)
}

fn limits(raw: RawLimits, text: &str, file: &str) -> Result<Limits> {
    let mut limits = Limits::default();
    for (key, value, slot) in [
        ("max-entries", raw.max_entries, &mut limits.max_entries),
        ("max-json-member", raw.max_json_member, &mut limits.max_json_member),
        ("quick-json-budget", raw.quick_json_budget, &mut limits.quick_json_budget),
        ("max-output", raw.max_output, &mut limits.max_output),
        ("gap-scan", raw.gap_scan, &mut limits.gap_scan),
    ] {
        if let Some(v) = value {
            if *v.get_ref() == 0 {
                bail!("{file}:{}: key `limits.{key}`: must be at least 1", line_of(text, v.span().start));
            }
            *slot = v.into_inner();
        }
    }
    Ok(limits)
}

/// The names clap accepts for a value enum, e.g. `quick, full`.
fn names<T: ValueEnum>() -> String {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|p| p.get_name().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The variant named `name` (one of [`names`]).
fn value<T: ValueEnum>(name: &str) -> T {
    T::value_variants()
        .iter()
        .find(|v| v.to_possible_value().is_some_and(|p| p.get_name() == name))
        .cloned()
        .unwrap_or_else(|| T::value_variants()[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text, Path::new("cfg/snapshot-verify.toml")).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "level = \"quick\"\nfail-on = \"warning\"\ntarget-version = \"7.0.4\"\nedition = \"community\"\n\
             target-runtime = \"kubernetes\"\nrestore-certificates = true\nsha256 = true\nmax-duration = 30\n\
             allow = [\"key-material\"]\nwarn = [\"S1\"]\ndeny = [\"names\"]\n[limits]\nmax-entries = 10\ngap-scan = 5\n",
            Path::new("x.toml"),
        )
        .unwrap();
        assert_eq!(c.level, Some(LevelArg::Quick));
        assert_eq!(c.fail_on, Some(FailOn::Warning));
        assert_eq!(c.target_version.as_deref(), Some("7.0.4"));
        assert_eq!((c.edition, c.runtime), (Some(EditionArg::Community), Some(RuntimeArg::Kubernetes)));
        assert_eq!((c.restore_certificates, c.sha256, c.max_duration), (Some(true), Some(true), Some(30.0)));
        assert_eq!(c.policy.directives().len(), 3);
        assert_eq!((c.limits.max_entries, c.limits.gap_scan), (10, 5));
        assert_eq!(c.limits.max_output, Limits::default().max_output);
    }

    #[test]
    fn every_mistake_names_the_file_line_and_key() {
        let cases = [
            ("level = \"quick\"\nfail_on = \"error\"\n", ":2:", "unknown field `fail_on`"),
            ("\n\nlevel = \"deep\"\n", ":3:", "key `level`: `deep` is not one of quick, full"),
            ("fail-on = \"warnings\"\n", ":1:", "key `fail-on`"),
            ("edition = \"enterprise\"\n", ":1:", "key `edition`"),
            ("target-runtime = \"k8s\"\n", ":1:", "key `target-runtime`"),
            ("target-version = \"seven\"\n", ":1:", "key `target-version`: `seven` is not a manager version"),
            (
                "allow = [\n  \"key-material\",\n  \"key-materal\",\n]\n",
                ":3:",
                "key `allow`: `key-materal` is not a finding code",
            ),
            ("allow = [\"S1\"]\ndeny = [\"S1\"]\n", ":2:", "key `deny`: `S1` is already listed under allow"),
            ("deny = \"S1\"\n", ":1:", "invalid type"),
            ("sha256 = \"yes\"\n", ":1:", "invalid type"),
            ("max-duration = -1\n", ":1:", "key `max-duration`"),
            ("[limits]\nmax-entries = 0\n", ":2:", "key `limits.max-entries`: must be at least 1"),
            ("[limits]\nmax-entry = 5\n", ":2:", "unknown field `max-entry`"),
            ("level = \n", ":1:", ""),
        ];
        for (text, line, want) in cases {
            let e = err(text);
            assert!(e.starts_with(&format!("cfg/snapshot-verify.toml{line}")), "{text:?}: {e}");
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn discovery_walks_up_to_the_nearest_file() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        // Nothing in the new folders: whatever the temporary directory's parents hold.
        assert_eq!(discover(&deep), discover(dir.path().parent().unwrap()));
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(dir.path().join(FILE_NAME)));
        std::fs::write(dir.path().join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(dir.path().join("a").join(FILE_NAME)));
    }
}
