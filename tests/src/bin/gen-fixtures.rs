//! Writes the fixture corpus to a directory.
//!
//! ```text
//! gen-fixtures OUTDIR          every era sample (era-<ERA>-<version>[-community].zip), a valid
//!                              forced-ZIP64 variant, every hostile case
//!                              (hostile-<class>-<name>.zip), the restore-rule cases (rules-*.zip),
//!                              genuine writer layouts (genuine-*.zip) and INDEX.md describing them
//! gen-fixtures --sample PATH   the sample snapshot of the README walkthrough
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(clippy::disallowed_methods, reason = "a front end: it writes files")]

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::ExitCode;

use snapshot_tests::cloudify::{self, Era, Snapshot};
use snapshot_tests::hostile;
use snapshot_tests::writers::{self, Nested, Writer};

const USAGE: &str = "usage: gen-fixtures OUTDIR | gen-fixtures --sample PATH";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, path] if flag == "--sample" => {
            write(Path::new(path), &cloudify::sample().bytes()).map(|()| format!("wrote {path}"))
        }
        [dir] if !dir.starts_with('-') => corpus(Path::new(dir)),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen-fixtures: {error}");
            ExitCode::from(2)
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes every era sample and hostile case into `dir`, plus `INDEX.md`.
fn corpus(dir: &Path) -> Result<String, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut index = String::from(
        "# Generated fixtures\n\nWritten by `gen-fixtures` (crate `snapshot-tests`); regenerate, do not edit.\n\n\
         ## Valid snapshots, one per era\n\n| file | era | snapshot_version | edition |\n|---|---|---|---|\n",
    );
    let samples = cloudify::era_samples();
    for s in &samples {
        write(&dir.join(s.file_name()), &s.bytes())?;
        let edition = if s.premium { "premium" } else { "community" };
        let _ = writeln!(index, "| `{}` | {} | {} | {edition} |", s.file_name(), s.era.name(), s.version);
    }
    write(&dir.join("era-L5-5.1.0-zip64.zip"), &Snapshot::new(Era::L5).zip().force_zip64().build())?;
    index += "| `era-L5-5.1.0-zip64.zip` | L5 | 5.1.0 | premium; ZIP64 extras on every entry and ZIP64 end records \
              (valid) |\n";
    index += "\n## Hostile and broken archives\n\n\
              `expect`: codes that must appear. `full`: an expected code needs `--level full`.\n\n\
              | file | expect | full | what it is |\n|---|---|---|---|\n";
    let cases = hostile::cases();
    for c in &cases {
        write(&dir.join(c.file_name()), &c.bytes)?;
        let _ = writeln!(
            index,
            "| `{}` | {} | {} | {} |",
            c.file_name(),
            c.expect.join(", "),
            c.full,
            c.about.replace('|', "\\|")
        );
    }
    index += "\n## Restore rules (C9–C11, D6a/D8a, 7.1-era layouts)\n\n\
              `expect`: codes with their severity; `options`: how to check it.\n\n\
              | file | expect | options | what it is |\n|---|---|---|---|\n";
    let rules = cloudify::rules::rule_cases();
    for c in &rules {
        write(&dir.join(c.file_name()), &c.bytes)?;
        let expect: Vec<String> = c.expect.iter().map(|(code, sev)| format!("{code} ({sev})")).collect();
        let o = &c.options;
        let options = [
            o.restore_certificates.then_some("--restore-certificates".to_owned()),
            o.full.then_some("--level full".to_owned()),
            o.target_version.map(|t| format!("--target-version {t}")),
        ];
        let options: Vec<String> = options.into_iter().flatten().collect();
        let _ = writeln!(
            index,
            "| `{}` | {} | {} | {} |",
            c.file_name(),
            expect.join(", "),
            options.join(" "),
            c.about.replace('|', "\\|")
        );
    }
    index += "\n## Genuine writer layouts (issue 12, point 2)\n\n\
              Each era sample as another genuine writer packs it, with its nested archives stored and a \
              nested ZIP last (its end record in the outer file's last 64 KiB) or in the middle: controls that \
              must verify without errors or structural warnings.\n\n| file | writer | nested archives |\n|---|---|---|\n";
    let mut genuine = 0;
    for s in &samples {
        for (w, n) in [(Writer::ZipRepack, Nested::StoredLast), (Writer::Py3, Nested::StoredMiddle)] {
            let name = format!("genuine-{}-{}-{}.zip", s.file_name().trim_end_matches(".zip"), w.name(), n.name());
            write(&dir.join(&name), &writers::genuine(s, w, n).build())?;
            let _ = writeln!(index, "| `{name}` | {} | {} |", w.name(), n.name());
            genuine += 1;
        }
    }
    write(&dir.join("INDEX.md"), index.as_bytes())?;
    Ok(format!(
        "wrote {} era samples, {} hostile cases, {} restore-rule cases and {genuine} genuine layouts to {}",
        samples.len() + 1,
        cases.len(),
        rules.len(),
        dir.display()
    ))
}
