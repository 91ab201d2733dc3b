//! The CLI-level code that sees archive values: every report format (`human` with and without
//! colour, `json`, `jsonl`, `junit`, `github`, `markdown`) for one file and for several (with a
//! failed file and the CLI's own problems: SHA-256 mismatch, incomplete run), `manifest create`
//! and `manifest verify` (against the archive's own manifest and an edited copy of it), and the
//! codes catalogue; `diff` of the archive against itself and against a generated snapshot, both
//! ways, in every diff format.
//!
//! Input: byte 0 holds flags (bit 0: the rest is a whole archive, else byte 1 picks a generated
//! snapshot and the rest are `mutate`'s edits; bit 1: full level; bit 2: `--fail-on warning`;
//! bit 3: colour; bits 4–5: which CLI problem to add; bit 6: several files); bytes 1–16 are two
//! numbers (elapsed milliseconds, progress counts, the problem's counts); the manifest edits
//! reuse the archive's edit bytes.
//!
//! Asserts: no panic, every renderer succeeds, `json` and every `jsonl` line parse, a manifest
//! matches itself (and its JSON round-trips), an edited manifest is reported as differing
//! exactly when it differs, an archive compared with itself has no differences.
#![no_main]

use std::path::Path;
use std::sync::Once;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use snapshot_core::{Code, Level, Limits, Options, verify};
use snapshot_verify::cli::{FailOn, Format};
use snapshot_verify::engine::{Checked, Outcome, Phase, Problem, Progress};
use snapshot_verify::manifest::{self, Manifest};
use snapshot_verify::render::style::Style;
use snapshot_verify::render::{Ctx, Renderer, codes};

mod edits;
use edits::{bases, mutate};

const FORMATS: [Format; 6] =
    [Format::Human, Format::Json, Format::Jsonl, Format::Junit, Format::Github, Format::Markdown];

fn number(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a[..b.len().min(8)].copy_from_slice(&b[..b.len().min(8)]);
    u64::from_le_bytes(a)
}

fn catalogue() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut out = Vec::new();
        codes::human(&mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with(&format!("{} codes\n", Code::ALL.len())));
        let mut out = Vec::new();
        codes::json(&mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(Code::ALL.len()));
    });
}

fn render(ctx: Ctx, all: &[Outcome], n: [u64; 2]) {
    let mut r = Renderer::new(ctx);
    let mut out = Vec::new();
    for o in all {
        r.started(&mut out, &o.file).unwrap();
        for (phase, done) in [(Phase::Start, 0), (Phase::Running, n[1]), (Phase::End, n[1])] {
            r.progress(&mut out, &o.file, Progress { done, total: n[0], phase, fetched: None }).unwrap();
        }
        r.completed(&mut out, o).unwrap();
    }
    for o in all {
        r.file(&mut out, o).unwrap();
    }
    r.finish(&mut out, all).unwrap();
    let text = String::from_utf8(out).expect("every format writes UTF-8");
    match ctx.format {
        Format::Json => {
            serde_json::from_str::<serde_json::Value>(&text).expect("json output parses");
        }
        Format::Jsonl => {
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line).expect("every jsonl line parses");
            }
        }
        _ => {}
    }
}

/// `diff`: the archive against itself (no differences) and against the first generated
/// snapshot, both ways, in every format, with a list cap and a drop threshold from the input.
fn diffs(report: &snapshot_core::Report, bytes: &[u8], opts: &Options, n: u64) {
    use snapshot_core::diff::{DiffOptions, Side, diff};
    use snapshot_verify::cli::DiffFormat;
    let entries = snapshot_core::list_entries(&bytes).unwrap().unwrap_or_default();
    let base = &bases()[0];
    let base_report = verify(&base.as_slice(), opts).unwrap();
    let base_entries = snapshot_core::list_entries(&base.as_slice()).unwrap().unwrap_or_default();
    let this = Side { report, entries: &entries };
    let other = Side { report: &base_report, entries: &base_entries };
    let dopts = DiffOptions { max_listed: (n % 7) as usize, drop_percent: Some(((n >> 8) % 100 + 1) as f64) };
    let same = diff(this, this, &dopts);
    assert!(same.identical && !same.has_losses(), "{same:#?}");
    for (a, b) in [(this, other), (other, this)] {
        let d = diff(a, b, &dopts);
        for format in [DiffFormat::Human, DiffFormat::Json, DiffFormat::Markdown, DiffFormat::Jsonl] {
            let mut out = Vec::new();
            snapshot_verify::render::diff::render(&mut out, &d, format, opts.level == Level::Full).unwrap();
            let text = String::from_utf8(out).unwrap();
            match format {
                DiffFormat::Json => drop(serde_json::from_str::<serde_json::Value>(&text).unwrap()),
                DiffFormat::Jsonl => {
                    text.lines().for_each(|l| drop(serde_json::from_str::<serde_json::Value>(l).unwrap()))
                }
                _ => {}
            }
        }
    }
}

fn manifests(bytes: &[u8], edits: &[u8]) {
    let Some(m) = manifest::create_from(&bytes, "fuzz.zip".into(), 1).expect("a byte slice never fails to read") else {
        return;
    };
    let value = serde_json::to_value(&m).unwrap();
    assert_eq!(manifest::tampered(&value), None, "a fresh manifest's self-checksum holds");
    let text = serde_json::to_string_pretty(&m).unwrap();
    let back: Manifest = serde_json::from_str(&text).expect("a manifest round-trips");
    assert_eq!(back, m);
    let same = manifest::diff(&back, &m, None);
    assert!(same.identical && same.count() == 0, "{same:?}");

    // `manifest verify` against an edited manifest.
    let edited = mutate(text.as_bytes(), edits);
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&edited) else { return };
    let tampered = manifest::tampered(&value);
    let Ok(recorded) = serde_json::from_value::<Manifest>(value) else { return };
    let d = manifest::diff(&recorded, &m, tampered);
    assert_eq!(d.identical, d.count() == 0, "{d:?}");
    if recorded == m && d.manifest_tampered.is_none() {
        assert!(d.identical, "{d:?}");
    }
    serde_json::to_string_pretty(&d).unwrap();
    let mut out = Vec::new();
    snapshot_verify::commands::manifest::human(
        &mut out,
        Path::new("fuzz.zip"),
        Path::new("fuzz.manifest.json"),
        &m,
        &d,
    )
    .unwrap();
}

fuzz_target!(|data: &[u8]| {
    catalogue();
    let Some((&flags, rest)) = data.split_first() else { return };
    let (nums, rest) = rest.split_at(rest.len().min(16));
    let n = [number(nums), number(nums.get(8..).unwrap_or_default())];
    let (bytes, edits) = if flags & 1 == 1 {
        (rest.to_vec(), rest)
    } else {
        let Some((&pick, edits)) = rest.split_first() else { return };
        let bases = bases();
        (mutate(&bases[usize::from(pick) % bases.len()], edits), edits)
    };
    let opts = Options {
        level: if flags & 2 == 2 { Level::Full } else { Level::Quick },
        target_version: Some("7.0.4".into()),
        file_name: "fuzz.zip".into(),
        limits: Limits { max_output: 64 << 20, quick_json_budget: 8 << 20, ..Limits::default() },
        ..Options::default()
    };
    let report = verify(&bytes.as_slice(), &opts).expect("a byte slice never fails to read");
    diffs(&report, &bytes, &opts, n[0]);
    let problems = match (flags >> 4) & 3 {
        0 => vec![],
        1 => vec![Problem::ShaMismatch { expected: "00".repeat(32), actual: "ff".repeat(32) }],
        2 => vec![Problem::ShaNoExpectation("fuzz.zip is not listed".into())],
        _ => vec![Problem::Incomplete {
            after: f64::from_bits(n[1]),
            skipped: n[0] as usize,
            jobs: n[1] as usize,
            hash_unfinished: n[0] & 1 == 1,
        }],
    };
    let elapsed = Duration::from_millis(n[0]);
    let many = flags & 64 == 64;
    let mut all = vec![Outcome {
        index: 0,
        file: "fuzz.zip".into(),
        elapsed,
        result: Ok(Checked { report, problems, entries: Vec::new() }),
    }];
    if many {
        all.push(Outcome {
            index: 1,
            file: "missing.zip".into(),
            elapsed: Duration::from_millis(n[1]),
            result: Err(anyhow::anyhow!("could not open missing.zip")),
        });
    }
    let fail_on = if flags & 4 == 4 { FailOn::Warning } else { FailOn::Error };
    for format in FORMATS {
        let style = Style { color: flags & 8 == 8 && format == Format::Human };
        render(Ctx { format, fail_on, many, full: flags & 2 == 2, style }, &all, n);
    }
    manifests(&bytes, edits);
});
