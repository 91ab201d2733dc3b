//! Renderers of `diff`: `human` (here), `json` (the core's serialization), `markdown`, `jsonl`.
//!
//! Every format shows what the core's [`Diff`] holds and nothing else: the secret inventory is
//! kinds, paths and counts, and finding messages are the reports' own (never a secret value).

mod jsonl;
mod markdown;

use super::text::{size, thousands};
use crate::cli::DiffFormat;
use anyhow::Result;
use snapshot_core::diff::{ContainerDiff, CountChange, Diff, SecretChange};
use std::io::Write;

/// Entries the human format lists per kind of change; JSON lists up to `--max-listed`.
const HUMAN_LISTED: usize = 50;

/// Writes `d` in `format`. `full` says whether both archives' data was checked.
pub fn render(out: &mut impl Write, d: &Diff, format: DiffFormat, full: bool) -> Result<()> {
    match format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, d)?;
            writeln!(out)?;
        }
        DiffFormat::Jsonl => jsonl::render(out, d)?,
        DiffFormat::Markdown => markdown::render(out, d, full)?,
        DiffFormat::Human => human(out, d, full)?,
    }
    Ok(())
}

/// Control characters in archive-supplied text become U+FFFD, so that no entry name can drive
/// the terminal.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect()
}

fn opt(v: Option<&str>) -> String {
    v.map_or_else(|| "-".to_owned(), clean)
}

fn count(v: Option<u64>) -> String {
    v.map_or_else(|| "?".to_owned(), thousands)
}

/// `+3`, `-12 (-50.0 %)`, or nothing when unknown.
fn delta(c: &CountChange) -> String {
    match (c.delta, c.drop_percent) {
        (Some(d), Some(p)) => format!("{d:+} (-{p} %)"),
        (Some(d), None) => format!("{d:+}"),
        _ => String::new(),
    }
}

fn secret_line(sign: char, s: &SecretChange) -> String {
    let counts = match sign {
        '+' => format!("{} value(s)", s.new),
        '-' => format!("{} value(s)", s.old),
        _ => format!("{} → {} values", s.old, s.new),
    };
    format!("  {sign} {:<18} {}  {counts}", s.kind.as_str(), clean(&s.path))
}

fn human(out: &mut impl Write, d: &Diff, full: bool) -> std::io::Result<()> {
    let level = if full { "full level: data checked" } else { "quick level: central directories and small members" };
    writeln!(out, "diff {} → {} ({level})", clean(&d.old.name), clean(&d.new.name))?;
    for (label, s) in [("old", &d.old), ("new", &d.new)] {
        writeln!(
            out,
            "  {label}: {}  {}  {} entries  {} {}  {}",
            clean(&s.name),
            size(s.size),
            thousands(s.entries),
            s.era.unwrap_or("-"),
            opt(s.snapshot_version.as_deref()),
            s.verdict
        )?;
    }
    if !d.fields.is_empty() {
        writeln!(out, "\nChanged")?;
        for f in &d.fields {
            writeln!(out, "  {:<26} {} → {}", f.field, opt(f.old.as_deref()), opt(f.new.as_deref()))?;
        }
    }
    if !d.tenants.added.is_empty() || !d.tenants.removed.is_empty() {
        writeln!(out, "\nTenants ({} kept)", d.tenants.kept)?;
        for t in &d.tenants.removed {
            writeln!(out, "  - {} (disappeared)", clean(t))?;
        }
        for t in &d.tenants.added {
            writeln!(out, "  + {} (new)", clean(t))?;
        }
    }
    let counts: Vec<&CountChange> = d.counts.iter().filter(|c| c.changed()).collect();
    if !counts.is_empty() {
        writeln!(out, "\nCounts")?;
        for c in counts {
            writeln!(out, "  {:<12} {:>10} → {:<10} {}", c.kind, count(c.old), count(c.new), delta(c))?;
        }
    }
    if !d.tenant_counts.is_empty() {
        writeln!(out, "\nPer tenant (from the archive's paths)")?;
        for c in &d.tenant_counts {
            let t = clean(c.tenant.as_deref().unwrap_or(""));
            writeln!(out, "  {t} {:<12} {} → {}  {}", c.kind, count(c.old), count(c.new), delta(c))?;
        }
    }
    let s = &d.secrets;
    if !s.added.is_empty() || !s.removed.is_empty() || !s.changed.is_empty() {
        writeln!(
            out,
            "\nSecret inventory (kinds, paths, counts; never values): {} → {} values",
            s.old_total, s.new_total
        )?;
        for (sign, list) in [('+', &s.added), ('-', &s.removed), ('~', &s.changed)] {
            for item in list {
                writeln!(out, "{}", secret_line(sign, item))?;
            }
        }
    }
    if !d.findings.new.is_empty() || !d.findings.resolved.is_empty() {
        writeln!(out, "\nFindings: {} new, {} resolved", d.findings.new.len(), d.findings.resolved.len())?;
        for (sign, list) in [('+', &d.findings.new), ('-', &d.findings.resolved)] {
            for f in list {
                let path = f.path.as_deref().map(|p| format!(" {}:", clean(p))).unwrap_or_default();
                writeln!(out, "  {sign} {:<7} {} [{}]{path} {}", f.severity, f.code, f.rule, clean(&f.message))?;
            }
        }
    }
    entries(out, d)?;
    if let Some(l) = &d.losses {
        writeln!(out, "\nLosses (--fail-on-drop {} %)", l.threshold_percent)?;
        for t in &l.tenants_removed {
            writeln!(out, "  tenant {} disappeared", clean(t))?;
        }
        for c in &l.dropped {
            let t = c.tenant.as_deref().map(|t| format!("tenant {}: ", clean(t))).unwrap_or_default();
            writeln!(out, "  {t}{} {} → {} {}", c.kind, count(c.old), count(c.new), delta(c))?;
        }
        if !l.any() {
            writeln!(out, "  none")?;
        }
    }
    if d.identical {
        writeln!(out, "\nno differences")
    } else {
        writeln!(out, "\n{} differences", thousands(d.differences))
    }
}

/// `size 1.0 KiB → 2.0 KiB, crc32 0a1b2c3d → 4e5f6a7b, method 0 → 8`.
fn change_detail(e: &snapshot_core::diff::EntryChange) -> String {
    let (a, b) = (&e.old, &e.new);
    let mut parts = Vec::new();
    for f in &e.fields {
        parts.push(match *f {
            "uncompressed_size" => format!("size {} → {}", size(a.uncompressed_size), size(b.uncompressed_size)),
            "compressed_size" => format!("compressed {} → {}", size(a.compressed_size), size(b.compressed_size)),
            "crc32" => format!("crc32 {} → {}", a.crc32, b.crc32),
            "method" => format!("method {} → {}", a.method, b.method),
            other => other.to_owned(),
        });
    }
    parts.join(", ")
}

/// Entry changes a listing of at most `listed` added, removed and changed entries each leaves out.
fn unlisted(c: &ContainerDiff, listed: usize) -> u64 {
    let shown = [c.changed_entries.len(), c.added_entries.len(), c.removed_entries.len()]
        .iter()
        .map(|&n| n.min(listed) as u64)
        .sum::<u64>();
    c.added.saturating_add(c.removed).saturating_add(c.changed).saturating_sub(shown)
}

fn entries(out: &mut impl Write, d: &Diff) -> std::io::Result<()> {
    let c = &d.container;
    writeln!(
        out,
        "\nEntries: {} added, {} removed, {} changed ({} same size, different CRC), {} unchanged",
        thousands(c.added),
        thousands(c.removed),
        thousands(c.changed),
        thousands(c.same_size_crc_changed),
        thousands(c.unchanged)
    )?;
    for e in c.changed_entries.iter().take(HUMAN_LISTED) {
        if e.same_size_crc_changed {
            writeln!(
                out,
                "  ! {}  same size ({}), CRC {} → {}: changed in place, or bit rot",
                clean(&e.name),
                size(e.new.uncompressed_size),
                e.old.crc32,
                e.new.crc32
            )?;
        } else {
            writeln!(out, "  ~ {}  {}", clean(&e.name), change_detail(e))?;
        }
    }
    for e in c.added_entries.iter().take(HUMAN_LISTED) {
        writeln!(out, "  + {}  {}", clean(&e.name), size(e.uncompressed_size))?;
    }
    for e in c.removed_entries.iter().take(HUMAN_LISTED) {
        writeln!(out, "  - {}  {}", clean(&e.name), size(e.uncompressed_size))?;
    }
    let more = unlisted(c, HUMAN_LISTED);
    if more > 0 {
        writeln!(out, "  … and {} more (--format json lists up to --max-listed)", thousands(more))?;
    }
    Ok(())
}
