//! Hostile and broken archives: one or more cases per hazard class of `zip-hazards.md` §3
//! (`H1`–`H24`, plus the container rules `A1` and `A9`) and per broken variant of the Cloudify
//! checklist (spec §9 `B`, `C`, `D`, and the security inventory `S`).
//!
//! Every case starts from a small valid snapshot (a premium 5.1.0 legacy one, or a 7.0.4 new
//! one for the `D` rules) and changes one thing, so the expected codes are the ones that thing
//! must raise. `expect` lists codes that must appear; others may appear too (a falsified header
//! often breaks more than one rule). Each case's `about` says what it builds and which common
//! tool misses it.

use serde_json::{Value, json};

use crate::cloudify::{Era, Snapshot, base64, envelope, py_json, tar_gz};
use crate::zipw::{
    self, Descriptor, Entry, Fields, Method, ZipBuilder, deflate, empty_eocd, patch_u16, patch_u32, patch_u64,
};

mod container;
mod legacy;
mod metadata;
mod names;
mod newfmt;
mod security;
mod structure;
#[cfg(test)]
mod tests;

/// Codes that only a full data pass can raise (inflate, CRC, sizes, SQL and NDJSON content,
/// nested archives).
pub const FULL_CODES: &[&str] = &[
    "crc-mismatch",
    "size-mismatch",
    "compressed-size-mismatch",
    "deflate-invalid",
    "output-budget-exceeded",
    "sql-dump-invalid",
    "sql-dump-truncated",
    "sql-dump-no-delete",
    "sql-kept-table",
    "es-data-line-invalid",
    "nested-archive-invalid",
    "nesting-too-deep",
];

/// One generated archive and what the verifier must say about it.
#[derive(Clone, Debug)]
pub struct Case {
    /// Short kebab-case name, unique across all cases.
    pub name: &'static str,
    /// Hazard class (`"H1"`…`"H24"`) or checklist rule (`"A1"`, `"B3"`, `"C3"`, `"D2"`, `"S1"`…).
    pub class: &'static str,
    /// The archive.
    pub bytes: Vec<u8>,
    /// Finding codes (from `snapshot-core`'s catalogue) that must appear.
    pub expect: &'static [&'static str],
    /// Expected codes that must appear with severity error (their readers disagree), whatever
    /// the code's default severity.
    pub errors: &'static [&'static str],
    /// Expected codes that must appear but never as an error (every reader agrees).
    pub warnings: &'static [&'static str],
    /// Whether an expected code needs `--level full` (see [`FULL_CODES`]).
    pub full: bool,
    /// What the case builds and which tool misses it.
    pub about: &'static str,
}

impl Case {
    /// The corpus file name, e.g. `hostile-H1-dotdot.zip`.
    pub fn file_name(&self) -> String {
        format!("hostile-{}-{}.zip", self.class, self.name)
    }
}

/// Every case, grouped by class.
pub fn cases() -> Vec<Case> {
    let mut v = Cases(Vec::new());
    v.container();
    v.zipdiff_container();
    v.names_and_modes();
    v.coverage();
    v.headers();
    v.data();
    v.metadata();
    v.legacy_payload();
    v.new_payload();
    v.security();
    v.0
}

/// The base of most cases: a premium 5.1.0 legacy snapshot.
fn l5() -> ZipBuilder {
    Snapshot::new(Era::L5).zip()
}

/// The base of the new-format cases: a 7.0.4 snapshot.
fn n1() -> ZipBuilder {
    Snapshot::new(Era::N1).zip()
}

/// `base` after `f`.
fn with(mut base: ZipBuilder, f: impl FnOnce(&mut ZipBuilder)) -> ZipBuilder {
    f(&mut base);
    base
}

/// `base` without the entry `name`.
fn without(mut base: ZipBuilder, name: &str) -> ZipBuilder {
    base.remove(name);
    base
}

/// Replaces an entry's data.
fn set(z: &mut ZipBuilder, name: &str, data: impl Into<Vec<u8>>) {
    z.entry_mut(name).data = data.into();
}

/// Edits a JSON entry, re-serialised Python-style.
fn edit_json(z: &mut ZipBuilder, name: &str, f: impl FnOnce(&mut Value)) {
    let e = z.entry_mut(name);
    let mut v: Value = serde_json::from_slice(&e.data).expect("fixture JSON parses");
    f(&mut v);
    e.data = py_json(&v).into_bytes();
}

/// Edits the metadata object.
fn meta(z: &mut ZipBuilder, f: impl FnOnce(&mut serde_json::Map<String, Value>)) {
    edit_json(z, "metadata.json", |v| f(v.as_object_mut().expect("metadata is an object")));
}

/// Sets one metadata key.
fn meta_set(z: &mut ZipBuilder, key: &str, value: Value) {
    meta(z, |m| {
        m.insert(key.to_owned(), value);
    });
}

/// Edits a text entry.
fn edit_text(z: &mut ZipBuilder, name: &str, f: impl FnOnce(String) -> String) {
    let e = z.entry_mut(name);
    e.data = f(String::from_utf8(std::mem::take(&mut e.data)).expect("fixture text is UTF-8")).into_bytes();
}

/// Replaces entry `name` with `f(entry)`, for the by-value builder methods.
fn map(z: &mut ZipBuilder, name: &str, f: impl FnOnce(Entry) -> Entry) {
    let e = z.entry_mut(name);
    *e = f(e.clone());
}

/// Makes a deflated entry's stream decode to `bad` while its headers still describe its `data`.
fn lying_stream(e: &mut Entry, bad: &[u8]) {
    e.raw = Some(deflate(bad));
}

struct Cases(Vec<Case>);

impl Cases {
    fn add(
        &mut self,
        class: &'static str,
        name: &'static str,
        expect: &'static [&'static str],
        about: &'static str,
        zip: ZipBuilder,
    ) {
        self.raw(class, name, expect, about, zip.build());
    }

    fn raw(
        &mut self,
        class: &'static str,
        name: &'static str,
        expect: &'static [&'static str],
        about: &'static str,
        bytes: Vec<u8>,
    ) {
        let full = expect.iter().any(|c| FULL_CODES.contains(c));
        self.0.push(Case { name, class, bytes, expect, errors: &[], warnings: &[], full, about });
    }

    /// A case whose `expect` codes must all appear as errors (readers extract different bytes,
    /// names or entry sets).
    fn add_err(
        &mut self,
        class: &'static str,
        name: &'static str,
        expect: &'static [&'static str],
        about: &'static str,
        zip: ZipBuilder,
    ) {
        self.raw_err(class, name, expect, about, zip.build());
    }

    /// [`Cases::add_err`] for hand-patched bytes.
    fn raw_err(
        &mut self,
        class: &'static str,
        name: &'static str,
        expect: &'static [&'static str],
        about: &'static str,
        bytes: Vec<u8>,
    ) {
        self.raw(class, name, expect, about, bytes);
        self.0.last_mut().expect("just pushed").errors = expect;
    }

    /// A case whose `expect` codes must all appear, none of them as an error (every reader
    /// agrees; the finding says who would still differ).
    fn add_warn(
        &mut self,
        class: &'static str,
        name: &'static str,
        expect: &'static [&'static str],
        about: &'static str,
        zip: ZipBuilder,
    ) {
        self.add(class, name, expect, about, zip);
        self.0.last_mut().expect("just pushed").warnings = expect;
    }
}
