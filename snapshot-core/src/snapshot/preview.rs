//! The preview's sizes by top-level part (spec §9 F).

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::report::Part;
use crate::zip::Archive;
use std::collections::BTreeMap;

/// Parts listed in a preview; the rest are summed into one.
const MAX_PARTS: usize = 100;

/// Sizes by top-level part, largest first (F).
pub(super) fn parts(archive: &Archive) -> Vec<Part> {
    // Keyed by a slice of the name (the first component, with its `/`): no allocation per
    // entry. Entries of one part mostly follow each other, so a run is summed before its lookup.
    let mut by: BTreeMap<&str, Part> = BTreeMap::new();
    let mut run: Option<(&str, Part)> = None;
    for e in &archive.entries {
        let key = match super::first_slash(&e.name) {
            Some(slash) => e.name.get(..=slash).unwrap_or(&e.name),
            None => e.name.as_str(),
        };
        match &mut run {
            Some((k, p)) if *k == key => add(p, 1, e.compressed_size, e.uncompressed_size),
            _ => {
                if let Some((k, p)) = run.take() {
                    merge(&mut by, k, &p);
                }
                let mut p = empty(String::new());
                add(&mut p, 1, e.compressed_size, e.uncompressed_size);
                run = Some((key, p));
            }
        }
    }
    if let Some((k, p)) = run {
        merge(&mut by, k, &p);
    }
    let mut parts: Vec<Part> = by.into_iter().map(|(name, p)| Part { name: name.to_owned(), ..p }).collect();
    parts.sort_by(|a, b| b.uncompressed_size.cmp(&a.uncompressed_size).then_with(|| a.name.cmp(&b.name)));
    // A snapshot has a few dozen top-level parts; an archive of loose files may have millions.
    if parts.len() > MAX_PARTS {
        let rest = parts.split_off(MAX_PARTS.saturating_sub(1));
        let mut other = empty(format!("({} other parts)", rest.len()));
        for p in rest {
            add(&mut other, p.entries, p.compressed_size, p.uncompressed_size);
        }
        parts.push(other);
    }
    parts
}

/// A part with nothing counted yet.
fn empty(name: String) -> Part {
    Part { name, entries: 0, compressed_size: 0, uncompressed_size: 0 }
}

fn add(p: &mut Part, entries: u64, compressed: u64, uncompressed: u64) {
    p.entries = p.entries.saturating_add(entries);
    p.compressed_size = p.compressed_size.saturating_add(compressed);
    p.uncompressed_size = p.uncompressed_size.saturating_add(uncompressed);
}

fn merge<'a>(by: &mut BTreeMap<&'a str, Part>, key: &'a str, run: &Part) {
    let p = by.entry(key).or_insert_with(|| empty(String::new()));
    add(p, run.entries, run.compressed_size, run.uncompressed_size);
}
