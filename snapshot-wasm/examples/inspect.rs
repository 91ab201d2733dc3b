//! Prints what the browser module's `inspect` returns for a file, computed natively through the
//! same `inspect_json` entry point (the browser tests compare the two byte for byte):
//! `cargo run -q -p snapshot-wasm --example inspect -- FILE ['{"target_version":"7.0.4"}']`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::disallowed_methods,
    reason = "a native front end: reads argv and a file, prints the report"
)]

use snapshot_core::ReadAt;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::ExitCode;

/// `pread` over a file.
struct FileSource(File, u64);

impl ReadAt for FileSource {
    fn size(&self) -> u64 {
        self.1
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read_at(buf, offset)
    }
}

fn run(path: &str, options: Option<String>) -> Result<String, String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let size = file.metadata().map_err(|e| format!("{path}: {e}"))?.len();
    let name = Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut options: serde_json::Value =
        serde_json::from_str(options.as_deref().unwrap_or("{}")).map_err(|e| format!("options: {e}"))?;
    if let Some(o) = options.as_object_mut() {
        o.entry("file_name").or_insert(name.into());
    }
    snapshot_wasm::inspect_json(&FileSource(file, size), &options.to_string()).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: inspect FILE [OPTIONS_JSON]");
        return ExitCode::from(2);
    };
    match run(&path, args.next()) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
