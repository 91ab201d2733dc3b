//! Small text helpers shared by the renderers: sizes, durations, verdict names.

use crate::engine::Outcome;
use snapshot_core::report::Verdict;
use std::time::Duration;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size in binary units: `512 B`, `57.9 KiB`, `1.2 GiB`.
pub fn size(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A wall time: `0.04 s`, `12.3 s`, `4 min 05 s`.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.2} s")
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

/// `1 error`, `2 errors`, `3 entries`.
pub fn plural(n: usize, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("{n} {word}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {word}s"),
    }
}

/// The report's verdict as written in JSON.
pub fn verdict(v: Verdict) -> &'static str {
    v.as_str()
}

/// One word for a file's result in summary tables: the report's verdict, or what the CLI
/// found on top of it (`sha256-mismatch`, `incomplete`), or `error` when it could not run.
pub fn file_verdict(o: &Outcome) -> &'static str {
    let Ok(c) = &o.result else { return "error" };
    if c.report.verdict() != Verdict::Fail
        && let Some(p) = c.problems.first()
    {
        return p.kind();
    }
    verdict(c.report.verdict())
}

/// ` (sampled)` after a verdict when the file's data pass was sampled (`--sample`), else nothing.
pub fn sampled(o: &Outcome) -> &'static str {
    match &o.result {
        Ok(c) if c.report.sample().is_some() => " (sampled)",
        _ => "",
    }
}

/// The era id, or `-`.
pub fn era(o: &Outcome) -> &str {
    o.result.as_ref().ok().and_then(|c| c.report.snapshot().era.as_ref()).map_or("-", |e| e.id)
}

/// The snapshot version, or `-`.
pub fn version(o: &Outcome) -> &str {
    o.result.as_ref().ok().and_then(|c| c.report.snapshot().snapshot_version.as_deref()).unwrap_or("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(59296), "59,296");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(59296), "57.9 KiB");
        assert_eq!(size(5 << 30), "5.0 GiB");
        assert_eq!(duration(Duration::from_millis(40)), "0.04 s");
        assert_eq!(duration(Duration::from_secs(245)), "4 min 05 s");
    }
}
