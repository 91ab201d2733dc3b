//! `--format human`: per file, the verdict and the preview first, then findings grouped by
//! severity; for several files, a summary table at the end.

use super::Ctx;
use super::style::Style;
use super::text::{self, duration, plural, size, thousands};
use crate::cli::FailOn;
use crate::engine::{Checked, Outcome};
use snapshot_core::Severity;
use snapshot_core::report::{ContentCounts, Report, Verdict};
use std::io::{self, Write};

/// Width of the label column of the preview.
const LABEL: usize = 13;

/// The `human` renderer.
#[derive(Debug)]
pub struct Human {
    ctx: Ctx,
    printed: usize,
}

impl Human {
    /// A renderer for `ctx`.
    pub fn new(ctx: Ctx) -> Human {
        Human { ctx, printed: 0 }
    }

    /// Prints one file's report (errors that stopped a file went to stderr already).
    pub fn file(&mut self, out: &mut impl Write, o: &Outcome) -> io::Result<()> {
        let Ok(checked) = &o.result else { return Ok(()) };
        if self.printed > 0 {
            writeln!(out)?;
        }
        self.printed += 1;
        write_checked(out, self.ctx.style, &o.file, checked)
    }

    /// For several files, the summary table.
    pub fn finish(&mut self, out: &mut impl Write, all: &[Outcome]) -> io::Result<()> {
        if !self.ctx.many {
            return Ok(());
        }
        writeln!(out)?;
        write_summary(out, self.ctx.style, self.ctx.fail_on, all)
    }
}

fn write_checked(out: &mut impl Write, st: Style, file: &str, c: &Checked) -> io::Result<()> {
    let r = &c.report;
    let verdict = match r.verdict() {
        Verdict::Pass => st.green("PASS"),
        Verdict::PassWithWarnings => st.yellow("PASS WITH WARNINGS"),
        Verdict::Fail => st.red("FAIL"),
    };
    let sampled = if r.sample().is_some() { st.yellow(" (SAMPLED)") } else { String::new() };
    writeln!(
        out,
        "{}  {verdict}{sampled}  ({}, {}, {})",
        st.bold(file),
        plural(r.summary().errors, "error"),
        plural(r.summary().warnings, "warning"),
        plural(r.summary().infos, "info")
    )?;
    for p in &c.problems {
        writeln!(out, "  {} {}", st.red("FAILED:"), p.message())?;
    }
    write_preview(out, st, r)?;
    write_findings(out, st, r)
}

fn row(out: &mut impl Write, st: Style, label: &str, value: impl AsRef<str>) -> io::Result<()> {
    writeln!(out, "  {} {}", st.dim(&format!("{label:<LABEL$}")), value.as_ref())
}

fn write_preview(out: &mut impl Write, st: Style, r: &Report) -> io::Result<()> {
    let snap = r.snapshot();
    row(out, st, "file", format!("{}, {} bytes ({})", r.file().name, thousands(r.file().size), size(r.file().size)))?;
    if let Some(sha) = &r.file().sha256 {
        row(out, st, "sha256", sha)?;
    }
    let level = match r.settings().level {
        snapshot_core::Level::Quick => "quick (structure and small members; --level full checks all data)".to_owned(),
        snapshot_core::Level::Full => match r.sample() {
            None => format!("full (data of {} verified)", plural(r.summary().entries_verified as usize, "entry")),
            Some(s) => format!(
                "full, SAMPLED {} seed {}: {} of {} entries checked ({} of {} compressed, {} restore-critical), {} verified, {} NOT checked",
                s.spec,
                s.seed,
                s.entries_checked,
                s.entries_total,
                size(s.bytes_checked),
                size(s.bytes_total),
                s.critical_entries,
                r.summary().entries_verified,
                s.entries_total.saturating_sub(s.entries_checked)
            ),
        },
    };
    row(out, st, "level", level)?;
    if let Some(a) = r.archive() {
        row(
            out,
            st,
            "entries",
            format!(
                "{} ({} files, {} directories{}), {} compressed, {} uncompressed",
                a.entries,
                a.files,
                a.directories,
                if a.zip64 { ", ZIP64" } else { "" },
                size(a.compressed_size),
                size(a.uncompressed_size)
            ),
        )?;
    }
    if r.archive().is_none() {
        row(out, st, "snapshot", "unknown: the archive's central directory could not be read")?;
    } else if !snap.is_snapshot {
        row(out, st, "snapshot", "no: not a Cloudify snapshot")?;
    }
    if let Some(era) = &snap.era {
        row(out, st, "era", format!("{} ({} format, produced by Cloudify {})", era.id, era.format, era.produced_by))?;
    }
    if let Some(v) = &snap.snapshot_version {
        row(out, st, "version", v)?;
    }
    let m = &snap.metadata;
    let revisions: Vec<String> = [
        ("schema", &m.schema_revision),
        ("stage", &m.stage_schema_revision),
        ("composer", &m.composer_schema_revision),
        ("execution", &m.execution_id),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
    .collect();
    if !revisions.is_empty() {
        row(out, st, "revisions", revisions.join(", "))?;
    }
    if !snap.tenants.is_empty() {
        row(out, st, "tenants", snap.tenants.join(", "))?;
    }
    if let Some(counts) = counts(&snap.counts) {
        row(out, st, "contents", counts)?;
    }
    if let Some(disk) = snap.restore_disk_estimate {
        row(out, st, "restore disk", format!("about {} of temporary space for a legacy restore", size(disk)))?;
    }
    if !snap.parts.is_empty() {
        let head = format!("{:<24} {:>7} {:>11} {:>13}", "", "entries", "compressed", "uncompressed");
        row(out, st, "parts", st.dim(&head))?;
        for p in &snap.parts {
            let line = format!(
                "{:<24} {:>7} {:>11} {:>13}",
                p.name,
                p.entries,
                size(p.compressed_size),
                size(p.uncompressed_size)
            );
            writeln!(out, "  {:LABEL$} {line}", "")?;
        }
    }
    write_compatibility(out, st, snap)?;
    if r.security().items.is_empty() {
        row(out, st, "secrets", "none found")?;
    } else {
        row(out, st, "secrets", st.yellow("this file holds secrets: handle it as one (values are never shown)"))?;
        for item in &r.security().items {
            let kind = item.kind.as_str();
            writeln!(out, "  {:LABEL$} {kind:<18} {} ({})", "", item.path, item.count)?;
        }
    }
    Ok(())
}

/// The versions that accept the snapshot and the prediction for `--target-*`.
fn write_compatibility(out: &mut impl Write, st: Style, snap: &snapshot_core::report::SnapshotInfo) -> io::Result<()> {
    let compat = &snap.compatibility;
    for (i, range) in compat.accepted_by.iter().enumerate() {
        let label = if i == 0 { "accepted by" } else { "" };
        let span = match (&range.from, &range.to) {
            (Some(f), Some(t)) if f == t => f.clone(),
            (Some(f), Some(t)) => format!("{f} – {t}"),
            (Some(f), None) => format!("{f} and later"),
            (None, Some(t)) => format!("up to {t}"),
            (None, None) => "every version".to_owned(),
        };
        row(out, st, label, format!("{span}: {}", range.note))?;
    }
    if snap.is_snapshot && compat.accepted_by.is_empty() {
        row(out, st, "accepted by", "no manager version")?;
    }
    if let Some(t) = &compat.target {
        let edition = match t.edition {
            snapshot_core::Edition::Premium => "premium",
            snapshot_core::Edition::Community => "community",
        };
        let runtime = match t.runtime {
            snapshot_core::Runtime::SingleHost => "single host",
            snapshot_core::Runtime::Kubernetes => "Kubernetes",
        };
        let outcome = match t.outcome {
            snapshot_core::Outcome::Restores => "",
            snapshot_core::Outcome::Refused => ": refused",
            snapshot_core::Outcome::Aborts => ": aborts part-way",
            snapshot_core::Outcome::RestoresNothing => ": restores nothing",
            snapshot_core::Outcome::Partial => ": restores only part",
        };
        let verdict = if t.restorable { st.green("restorable") } else { st.red(&format!("NOT restorable{outcome}")) };
        let line = format!("{} {edition}, {runtime}: {verdict} ({} restore path)", t.version, t.restore_path);
        row(out, st, "target", line)?;
        for m in &t.messages {
            writeln!(out, "  {:LABEL$} \"{m}\"", "")?;
        }
    }
    Ok(())
}

fn counts(c: &ContentCounts) -> Option<String> {
    let all = [
        (c.tenants, "tenant"),
        (c.blueprints, "blueprint"),
        (c.deployments, "deployment"),
        (c.plugins, "plugin"),
        (c.agents, "agent"),
        (c.secrets, "secret"),
        (c.users, "user"),
        (c.executions, "execution"),
        (c.events, "event"),
    ];
    let known: Vec<String> = all
        .iter()
        .filter_map(|(n, what)| n.map(|n| format!("{} {what}{}", thousands(n), if n == 1 { "" } else { "s" })))
        .collect();
    (!known.is_empty()).then(|| known.join(", "))
}

fn write_findings(out: &mut impl Write, st: Style, r: &Report) -> io::Result<()> {
    for (severity, title) in [(Severity::Error, "errors"), (Severity::Warning, "warnings"), (Severity::Info, "infos")] {
        let group: Vec<_> = r.findings().iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "  {}", st.severity(severity, &format!("{title} ({})", group.len())))?;
        for f in group {
            let mut place = String::new();
            if let Some(p) = &f.path {
                place += &format!(" {p}");
            }
            if let Some(o) = f.offset {
                place += &format!(" @ offset {}", thousands(o));
            }
            // Only with a policy or a baseline: why the severity is what it is, and known findings.
            if let Some(m) = f.policy {
                let verb = if m.level == snapshot_core::PolicyLevel::Allow { "allowed" } else { m.level.as_str() };
                place += &st.dim(&format!(" ({verb} by {}, was {})", m.selector, m.original_severity.as_str()));
            }
            if f.baseline {
                place += &st.dim(" (in the baseline)");
            }
            writeln!(
                out,
                "    {} {}{place}",
                st.severity(severity, f.code.as_str()),
                st.dim(&format!("[{}]", f.rule))
            )?;
            writeln!(out, "        {}", f.message)?;
        }
    }
    Ok(())
}

fn write_summary(out: &mut impl Write, st: Style, fail_on: FailOn, all: &[Outcome]) -> io::Result<()> {
    let width = all.iter().map(|o| o.file.chars().count()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{}",
        st.bold(&format!(
            "{:<width$}  {:<4}  {:<8}  {:<18}  {:>6}  {:>8}  {:>8}",
            "FILE", "ERA", "VERSION", "VERDICT", "ERRORS", "WARNINGS", "TIME"
        ))
    )?;
    let (mut passed, mut failed, mut errored) = (0, 0, 0);
    for o in all {
        let verdict = format!("{}{}", text::file_verdict(o), text::sampled(o));
        let padded = format!("{verdict:<18}");
        let painted = match o.status(fail_on) {
            crate::exit::ExitStatus::Success => {
                passed += 1;
                st.green(&padded)
            }
            crate::exit::ExitStatus::Failure => {
                failed += 1;
                st.red(&padded)
            }
            crate::exit::ExitStatus::Error => {
                errored += 1;
                st.red(&padded)
            }
        };
        let (errors, warnings) = match &o.result {
            Ok(c) => (c.report.summary().errors.to_string(), c.report.summary().warnings.to_string()),
            Err(_) => ("-".to_owned(), "-".to_owned()),
        };
        writeln!(
            out,
            "{:<width$}  {:<4}  {:<8}  {painted}  {errors:>6}  {warnings:>8}  {:>8}",
            o.file,
            text::era(o),
            text::version(o),
            duration(o.elapsed)
        )?;
    }
    let mut line = format!("{}: {passed} passed, {failed} failed", plural(all.len(), "file"));
    if errored > 0 {
        line += &format!(", {errored} could not be verified");
    }
    writeln!(out, "{line}")
}
