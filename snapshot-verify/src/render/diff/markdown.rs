//! `diff --format markdown`: tables for `$GITHUB_STEP_SUMMARY` and merge-request comments.

use super::{count, delta, unlisted};
use crate::render::markdown::{code, inline};
use crate::render::text::{size, thousands};
use snapshot_core::diff::{CountChange, Diff};
use std::io::{self, Write};

/// Entries listed per kind of change, inside a collapsed block.
const LISTED: usize = 100;

fn opt(v: Option<&str>) -> String {
    v.map_or_else(|| "–".to_owned(), |s| code(s, true))
}

pub(super) fn render(out: &mut impl Write, d: &Diff, full: bool) -> io::Result<()> {
    let level = if full { "full" } else { "quick" };
    writeln!(out, "### Snapshot diff: {} → {}\n", code(&d.old.name, false), code(&d.new.name, false))?;
    if d.identical {
        writeln!(out, "**No differences** (level {level}).\n")?;
    } else {
        writeln!(out, "**{} differences** (level {level}).\n", thousands(d.differences))?;
    }
    writeln!(out, "| | old | new |\n| --- | --- | --- |")?;
    let (a, b) = (&d.old, &d.new);
    writeln!(out, "| era | {} | {} |", opt(a.era), opt(b.era))?;
    writeln!(out, "| version | {} | {} |", opt(a.snapshot_version.as_deref()), opt(b.snapshot_version.as_deref()))?;
    writeln!(out, "| size | {} | {} |", size(a.size), size(b.size))?;
    writeln!(out, "| entries | {} | {} |", thousands(a.entries), thousands(b.entries))?;
    writeln!(out, "| verdict | {} | {} |", a.verdict, b.verdict)?;
    if let Some(l) = &d.losses {
        losses(out, l)?;
    }
    if !d.fields.is_empty() {
        writeln!(out, "\n#### Changed\n\n| field | old | new |\n| --- | --- | --- |")?;
        for f in &d.fields {
            writeln!(out, "| {} | {} | {} |", f.field, opt(f.old.as_deref()), opt(f.new.as_deref()))?;
        }
    }
    if !d.tenants.added.is_empty() || !d.tenants.removed.is_empty() {
        writeln!(out, "\n#### Tenants\n")?;
        for t in &d.tenants.removed {
            writeln!(out, "- removed: {}", code(t, false))?;
        }
        for t in &d.tenants.added {
            writeln!(out, "- added: {}", code(t, false))?;
        }
        writeln!(out, "- kept: {}", d.tenants.kept)?;
    }
    writeln!(out, "\n#### Counts\n\n| kind | old | new | change |\n| --- | ---: | ---: | ---: |")?;
    for c in &d.counts {
        writeln!(out, "| {} | {} | {} | {} |", c.kind, count(c.old), count(c.new), delta(c))?;
    }
    if !d.tenant_counts.is_empty() {
        writeln!(out, "\n#### Per tenant (from paths)\n\n| tenant | kind | old | new | change |")?;
        writeln!(out, "| --- | --- | ---: | ---: | ---: |")?;
        for c in &d.tenant_counts {
            let t = code(c.tenant.as_deref().unwrap_or(""), true);
            writeln!(out, "| {t} | {} | {} | {} | {} |", c.kind, count(c.old), count(c.new), delta(c))?;
        }
    }
    secrets(out, d)?;
    findings(out, d)?;
    entries(out, d)
}

fn losses(out: &mut impl Write, l: &snapshot_core::diff::Losses) -> io::Result<()> {
    if !l.any() {
        return writeln!(out, "\nNo losses at the {} % threshold.", l.threshold_percent);
    }
    writeln!(out, "\n> [!WARNING]\n> **Losses** (threshold {} %):", l.threshold_percent)?;
    for t in &l.tenants_removed {
        writeln!(out, "> - tenant {} disappeared", code(t, false))?;
    }
    for c in &l.dropped {
        writeln!(out, "> - {}", dropped(c))?;
    }
    Ok(())
}

fn dropped(c: &CountChange) -> String {
    let t = c.tenant.as_deref().map(|t| format!("tenant {}: ", code(t, false))).unwrap_or_default();
    format!("{t}{} {} → {} ({})", c.kind, count(c.old), count(c.new), delta(c))
}

fn secrets(out: &mut impl Write, d: &Diff) -> io::Result<()> {
    let s = &d.secrets;
    if s.added.is_empty() && s.removed.is_empty() && s.changed.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n#### Secret inventory\n\nKinds, paths and counts only; never values. {} → {} values.\n",
        s.old_total, s.new_total
    )?;
    writeln!(out, "| | kind | path | old | new |\n| --- | --- | --- | ---: | ---: |")?;
    for (sign, list) in [("added", &s.added), ("removed", &s.removed), ("changed", &s.changed)] {
        for i in list {
            writeln!(out, "| {sign} | {} | {} | {} | {} |", i.kind.as_str(), code(&i.path, true), i.old, i.new)?;
        }
    }
    Ok(())
}

fn findings(out: &mut impl Write, d: &Diff) -> io::Result<()> {
    let f = &d.findings;
    if f.new.is_empty() && f.resolved.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n#### Findings: {} new, {} resolved\n", f.new.len(), f.resolved.len())?;
    writeln!(out, "| | severity | code | rule | path | message |\n| --- | --- | --- | --- | --- | --- |")?;
    for (sign, list) in [("new", &f.new), ("resolved", &f.resolved)] {
        for x in list {
            let path = x.path.as_deref().map_or_else(String::new, |p| code(p, true));
            writeln!(out, "| {sign} | {} | `{}` | {} | {path} | {} |", x.severity, x.code, x.rule, inline(&x.message))?;
        }
    }
    Ok(())
}

fn entries(out: &mut impl Write, d: &Diff) -> io::Result<()> {
    let c = &d.container;
    writeln!(
        out,
        "\n#### Entries\n\n{} added, {} removed, {} changed (**{} same size, different CRC**), {} unchanged.",
        thousands(c.added),
        thousands(c.removed),
        thousands(c.changed),
        thousands(c.same_size_crc_changed),
        thousands(c.unchanged)
    )?;
    if c.added == 0 && c.removed == 0 && c.changed == 0 {
        return Ok(());
    }
    writeln!(out, "\n<details><summary>Entries that differ</summary>\n")?;
    writeln!(out, "| | entry | old | new |\n| --- | --- | --- | --- |")?;
    let rec = |e: &snapshot_core::diff::EntryRecord| format!("{} crc {}", size(e.uncompressed_size), e.crc32);
    for e in c.changed_entries.iter().take(LISTED) {
        let sign = if e.same_size_crc_changed { "same size, CRC changed" } else { "changed" };
        writeln!(out, "| {sign} | {} | {} | {} |", code(&e.name, true), rec(&e.old), rec(&e.new))?;
    }
    for e in c.added_entries.iter().take(LISTED) {
        writeln!(out, "| added | {} | | {} |", code(&e.name, true), rec(e))?;
    }
    for e in c.removed_entries.iter().take(LISTED) {
        writeln!(out, "| removed | {} | {} | |", code(&e.name, true), rec(e))?;
    }
    let more = unlisted(c, LISTED);
    if more > 0 {
        writeln!(out, "\n{} more not listed.", thousands(more))?;
    }
    writeln!(out, "\n</details>")
}
