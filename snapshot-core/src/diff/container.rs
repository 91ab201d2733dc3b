//! The containers: entries added, removed and changed, by name, from the central directories.

use crate::EntryInfo;
use serde::Serialize;
use std::collections::HashMap;

/// One entry as the diff lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRecord {
    /// The name.
    pub name: String,
    /// Compression method (0 stored, 8 deflate).
    pub method: u16,
    /// Declared CRC-32, 8 lowercase hex digits (as in manifests).
    pub crc32: String,
    /// Declared compressed size.
    pub compressed_size: u64,
    /// Declared uncompressed size.
    pub uncompressed_size: u64,
}

impl EntryRecord {
    fn of(e: &EntryInfo) -> EntryRecord {
        EntryRecord {
            name: e.name.clone(),
            method: e.method,
            crc32: format!("{:08x}", e.crc32),
            compressed_size: e.compressed_size,
            uncompressed_size: e.uncompressed_size,
        }
    }
}

/// An entry present on both sides whose declared fields differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    /// The name.
    pub name: String,
    /// Which fields differ: `crc32`, `uncompressed_size`, `compressed_size`, `method`.
    pub fields: Vec<&'static str>,
    /// The same uncompressed size with a different CRC: the content changed in place, which is
    /// what an edit that keeps the length, or bit rot, looks like (restic's `?` in its diff).
    pub same_size_crc_changed: bool,
    /// The old entry.
    pub old: EntryRecord,
    /// The new entry.
    pub new: EntryRecord,
}

/// A total on both sides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Total {
    /// In OLD.
    pub old: u64,
    /// In NEW.
    pub new: u64,
}

/// The containers compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerDiff {
    /// Entries in NEW only.
    pub added: u64,
    /// Entries in OLD only.
    pub removed: u64,
    /// Entries on both sides with different declared fields.
    pub changed: u64,
    /// Of those, entries with the same uncompressed size and a different CRC.
    pub same_size_crc_changed: u64,
    /// Entries on both sides with the same declared fields.
    pub unchanged: u64,
    /// Sum of declared compressed sizes (saturating).
    pub compressed_size: Total,
    /// Sum of declared uncompressed sizes (saturating).
    pub uncompressed_size: Total,
    /// The added entries, in NEW's central-directory order, at most `max_listed`.
    pub added_entries: Vec<EntryRecord>,
    /// The removed entries, in OLD's order, at most `max_listed`.
    pub removed_entries: Vec<EntryRecord>,
    /// The changed entries, in NEW's order, at most `max_listed`; same-size CRC changes first.
    pub changed_entries: Vec<EntryChange>,
    /// Entries counted above but not listed (over `max_listed`).
    pub unlisted: u64,
}

/// Compares by name. Two nights of the same writer list most entries in the same order, so the
/// common prefix and suffix of the two name lists pair up position by position without hashing;
/// the entries between are matched through a map of OLD's names, a name that occurs several
/// times (a hostile archive) occurrence by occurrence.
pub(super) fn compare(old: &[EntryInfo], new: &[EntryInfo], max_listed: usize) -> ContainerDiff {
    let mut d = ContainerDiff::default();
    let same = |(o, e): (&EntryInfo, &EntryInfo)| o.name == e.name;
    let prefix = old.iter().zip(new).take_while(|&p| same(p)).count();
    let room = old.len().min(new.len()).saturating_sub(prefix);
    let suffix = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|&p| same(p)).count();
    let (old_mid, new_mid) = (prefix..old.len().saturating_sub(suffix), prefix..new.len().saturating_sub(suffix));
    let mut matched = vec![true; old.len()];
    let mut pair: Vec<Option<usize>> = (0..new.len()).map(Some).collect();
    // The suffix pairs with the same distance from the end.
    for (i, p) in pair.iter_mut().enumerate().skip(new_mid.end) {
        *p = Some(old.len().saturating_sub(new.len().saturating_sub(i)));
    }
    let mut old_at: HashMap<(&str, u32), usize> = HashMap::new();
    let mut nth: HashMap<&str, u32> = HashMap::new();
    for i in old_mid.clone() {
        matched[i] = false;
        old_at.insert((old[i].name.as_str(), occurrence(&mut nth, &old[i].name)), i);
    }
    nth.clear();
    for j in new_mid {
        let e = &new[j];
        pair[j] = old_at.get(&(e.name.as_str(), occurrence(&mut nth, &e.name))).copied();
        if let Some(i) = pair[j] {
            matched[i] = true;
        }
    }
    let mut changes = Vec::new();
    for (e, p) in new.iter().zip(&pair) {
        let Some(i) = *p else {
            d.added = d.added.saturating_add(1);
            if d.added_entries.len() < max_listed {
                d.added_entries.push(EntryRecord::of(e));
            }
            continue;
        };
        let o = &old[i];
        let fields = changed_fields(o, e);
        if fields.is_empty() {
            d.unchanged = d.unchanged.saturating_add(1);
            continue;
        }
        let same_size_crc_changed = !e.is_dir && o.uncompressed_size == e.uncompressed_size && o.crc32 != e.crc32;
        d.changed = d.changed.saturating_add(1);
        d.same_size_crc_changed = d.same_size_crc_changed.saturating_add(u64::from(same_size_crc_changed));
        // Same-size CRC changes are listed first, so a cap never hides them behind ordinary edits.
        if same_size_crc_changed || changes.len() < max_listed {
            changes.push(EntryChange {
                name: e.name.clone(),
                fields,
                same_size_crc_changed,
                old: EntryRecord::of(o),
                new: EntryRecord::of(e),
            });
        }
    }
    for (o, _) in old.iter().zip(&matched).filter(|(_, m)| !**m) {
        d.removed = d.removed.saturating_add(1);
        if d.removed_entries.len() < max_listed {
            d.removed_entries.push(EntryRecord::of(o));
        }
    }
    changes.sort_by_key(|c| !c.same_size_crc_changed);
    changes.truncate(max_listed);
    d.changed_entries = changes;
    let listed = (d.added_entries.len() as u64)
        .saturating_add(d.removed_entries.len() as u64)
        .saturating_add(d.changed_entries.len() as u64);
    d.unlisted = d.added.saturating_add(d.removed).saturating_add(d.changed).saturating_sub(listed);
    let total = |l: &[EntryInfo], f: fn(&EntryInfo) -> u64| l.iter().map(f).fold(0u64, u64::saturating_add);
    let totals = |f: fn(&EntryInfo) -> u64| Total { old: total(old, f), new: total(new, f) };
    d.compressed_size = totals(|e| e.compressed_size);
    d.uncompressed_size = totals(|e| e.uncompressed_size);
    d
}

fn occurrence<'a>(nth: &mut HashMap<&'a str, u32>, name: &'a str) -> u32 {
    let n = nth.entry(name).or_insert(0);
    let this = *n;
    *n = n.saturating_add(1);
    this
}

fn changed_fields(o: &EntryInfo, e: &EntryInfo) -> Vec<&'static str> {
    [
        ("crc32", o.crc32 != e.crc32),
        ("uncompressed_size", o.uncompressed_size != e.uncompressed_size),
        ("compressed_size", o.compressed_size != e.compressed_size),
        ("method", o.method != e.method),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect()
}
