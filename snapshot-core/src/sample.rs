//! Sampling the data pass (`--sample PERCENT|SIZE|K/N` with `--seed`): which entries a full
//! check decompresses when the archive is too big to read whole.
//!
//! Restore-critical members (the snapshot layer says which: `metadata.json`, the database dumps,
//! the `mgmt/` and tenant envelopes, `agents.json`, `rest-security.conf`) are always checked.
//! The rest is picked by a stable hash of the seed and the entry's name ([`entry_hash`]), so the
//! same archive, sample and seed always check the same entries, on every platform and in every
//! front end:
//!
//! - `PERCENT` and `SIZE` set a budget of compressed bytes (a share of the data pass's bytes, or
//!   a number of bytes). The critical members count against it first; then the other entries,
//!   in hash order, are taken when they still fit, so the pass reads at most the budget unless
//!   the critical members alone exceed it.
//! - `K/N` takes the entries whose hash is `K - 1` modulo `N`: N runs with the same seed and
//!   `K = 1..N` check every entry exactly once (the critical members in every run), like
//!   restic's `check --read-data-subset K/N`.
//!
//! Selection happens in the core, on the queued data pass, so [`crate::Verifier::step`] and the
//! jobs of [`crate::Verifier::take_jobs`] see the same subset.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::code::{Code, LISTED_PER_CODE, Severity};
use crate::report::{Finding, SampleInfo};
use crate::zip::Entry;
use std::fmt;

/// Parts per million in 100 %.
const MILLION: u32 = 1_000_000;

/// How much of the data pass to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// About this share of the data pass's compressed bytes, in parts per million (at most).
    Percent {
        /// 10 % is 100,000.
        ppm: u32,
    },
    /// At most this many compressed bytes.
    Size {
        /// The budget.
        bytes: u64,
    },
    /// Slice `k` of `n` (1-based): `n` runs with `k = 1..n` check every entry once.
    Slice {
        /// Which slice, `1..=n`.
        k: u32,
        /// How many slices.
        n: u32,
    },
}

/// A [`Sample`] and its seed: what [`crate::Options::sample`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampling {
    /// How much.
    pub sample: Sample,
    /// Which: the seed of the entry hash (at most [`Sampling::MAX_SEED`]).
    pub seed: u64,
}

impl Sampling {
    /// The largest seed: 2^53 - 1, so that the report's `sample.seed` survives JavaScript.
    pub const MAX_SEED: u64 = (1 << 53) - 1;

    /// Parses a seed: a decimal integer from 0 to [`Sampling::MAX_SEED`].
    pub fn parse_seed(text: &str) -> Result<u64, String> {
        match text.trim().parse::<u64>() {
            Ok(seed) if seed <= Sampling::MAX_SEED => Ok(seed),
            _ => Err(format!("`{text}` is not a seed: expected an integer from 0 to {}", Sampling::MAX_SEED)),
        }
    }
}

impl Sample {
    /// Parses `PERCENT` (`10%`, `2.5%`), `SIZE` (`500M`, `2GiB`, `1.5G`, `1000000`; K, M, G, T and
    /// KiB…TiB are powers of 1024, KB…TB powers of 1000) or `K/N` (`1/4`).
    pub fn parse(text: &str) -> Result<Sample, String> {
        let t = text.trim();
        let bad = |why: &str| format!("`{text}` is not a sample: {why}");
        if let Some(p) = t.strip_suffix('%') {
            let ppm = decimal(p.trim(), 10_000).ok_or_else(|| bad("expected a percentage such as 10% or 2.5%"))?;
            return match u32::try_from(ppm) {
                Ok(ppm) if ppm <= MILLION => Ok(Sample::Percent { ppm }),
                _ => Err(bad("a percentage is at most 100%")),
            };
        }
        if let Some((k, n)) = t.split_once('/') {
            let (k, n) = (k.trim().parse::<u32>(), n.trim().parse::<u32>());
            return match (k, n) {
                (Ok(k), Ok(n)) if k >= 1 && k <= n => Ok(Sample::Slice { k, n }),
                _ => Err(bad("expected K/N with 1 <= K <= N, such as 1/4")),
            };
        }
        let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let unit_bytes: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kib" => 1 << 10,
            "m" | "mib" => 1 << 20,
            "g" | "gib" => 1 << 30,
            "t" | "tib" => 1 << 40,
            "kb" => 1_000,
            "mb" => 1_000_000,
            "gb" => 1_000_000_000,
            "tb" => 1_000_000_000_000,
            _ => return Err(bad("expected a percentage (10%), a size (500M, 2GiB) or K/N (1/4)")),
        };
        let bytes = decimal(number, unit_bytes).ok_or_else(|| bad("expected a size such as 500M or 2GiB"))?;
        u64::try_from(bytes).map(|bytes| Sample::Size { bytes }).map_err(|_| bad("the size is too large"))
    }

    /// The kebab-case mode name of the report: `percent`, `size` or `slice`.
    pub fn mode(self) -> &'static str {
        match self {
            Sample::Percent { .. } => "percent",
            Sample::Size { .. } => "size",
            Sample::Slice { .. } => "slice",
        }
    }
}

/// The canonical text: `12.5%`, `1048576` (bytes), `2/5`. It parses back to the same sample.
impl fmt::Display for Sample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Sample::Percent { ppm } => {
                let (whole, frac) = (ppm / 10_000, ppm % 10_000);
                if frac == 0 {
                    write!(f, "{whole}%")
                } else {
                    let digits = format!("{frac:04}");
                    write!(f, "{whole}.{}%", digits.trim_end_matches('0'))
                }
            }
            Sample::Size { bytes } => write!(f, "{bytes}"),
            Sample::Slice { k, n } => write!(f, "{k}/{n}"),
        }
    }
}

/// `number` (digits with at most one `.`) times `unit`, rounded down; `None` when it is not a
/// number or does not fit.
fn decimal(number: &str, unit: u64) -> Option<u128> {
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && frac.is_empty() || !(whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())) {
        return None;
    }
    // At most 19 fraction digits keep 10^digits in a u128 with room for the product.
    let frac = &frac[..frac.len().min(19)];
    let scale = 10u128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: u128 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let unit = u128::from(unit);
    whole.checked_mul(unit)?.checked_add(frac.checked_mul(unit)?.checked_div(scale)?)
}

/// The stable hash that orders and partitions entries: FNV-1a (64-bit) over the seed's 8
/// little-endian bytes and then the entry's name in UTF-8, finished with SplitMix64's mixer so
/// that the low bits (the `K/N` partition) are as well spread as the high ones.
pub fn entry_hash(seed: u64, name: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for b in seed.to_le_bytes().iter().chain(name.as_bytes()) {
        h = (h ^ u64::from(*b)).wrapping_mul(PRIME);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// One entry the full data pass would check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate<'a> {
    /// Its central-directory index.
    pub index: usize,
    /// Its name.
    pub name: &'a str,
    /// Its declared compressed size.
    pub size: u64,
    /// Restore-critical: always checked.
    pub critical: bool,
}

/// Picks the entries to check. Returns, for each candidate in order, whether it is checked, and
/// what the report says about the sample.
pub(crate) fn select(sampling: Sampling, candidates: &[Candidate]) -> (Vec<bool>, SampleInfo) {
    let total: u64 = candidates.iter().fold(0u64, |sum, c| sum.saturating_add(c.size));
    let mut keep: Vec<bool> = candidates.iter().map(|c| c.critical).collect();
    let budget = match sampling.sample {
        Sample::Percent { ppm } => {
            let share = u128::from(total).saturating_mul(u128::from(ppm)).checked_div(u128::from(MILLION)).unwrap_or(0);
            Some(u64::try_from(share).unwrap_or(u64::MAX))
        }
        Sample::Size { bytes } => Some(bytes),
        Sample::Slice { .. } => None,
    };
    let hash = |c: &Candidate| entry_hash(sampling.seed, c.name);
    match (budget, sampling.sample) {
        (Some(budget), _) => {
            let mut used: u64 = candidates.iter().filter(|c| c.critical).fold(0u64, |s, c| s.saturating_add(c.size));
            let mut order: Vec<(u64, usize)> =
                candidates.iter().enumerate().filter(|(_, c)| !c.critical).map(|(i, c)| (hash(c), i)).collect();
            order.sort_unstable();
            for (_, i) in order {
                let after = used.saturating_add(candidates[i].size);
                if after <= budget {
                    used = after;
                    keep[i] = true;
                }
            }
        }
        (None, Sample::Slice { k, n }) => {
            let slice = u64::from(k.saturating_sub(1));
            for (c, keep) in candidates.iter().zip(keep.iter_mut()) {
                *keep = *keep || hash(c).checked_rem(u64::from(n)) == Some(slice);
            }
        }
        (None, _) => {}
    }
    let info = describe(sampling, candidates, &keep, total);
    (keep, info)
}

/// Narrows the queued data pass `order` to the sample; returns the report's account of it.
pub(crate) fn apply(sampling: Sampling, order: &mut Vec<&Entry>, critical: impl Fn(&Entry) -> bool) -> SampleInfo {
    let candidates: Vec<Candidate> = order
        .iter()
        .map(|e| Candidate { index: e.index, name: &e.name, size: e.compressed_size, critical: critical(e) })
        .collect();
    let (keep, info) = select(sampling, &candidates);
    let mut keep = keep.into_iter();
    order.retain(|_| keep.next().unwrap_or(true));
    info
}

/// The `data-sampled` finding: a warning while entries were left out, so that a sampled run
/// never reads as a plain pass; info when the sample happened to cover every entry.
pub(crate) fn finding(info: &SampleInfo) -> Finding {
    let left = info.entries_total.saturating_sub(info.entries_checked);
    let percent = |part: u64, whole: u64| {
        if whole == 0 { 100.0 } else { part as f64 * 100.0 / whole as f64 }
    };
    let head = format!(
        "sampled data pass ({} {}, seed {}): the data of {} of {} entries was checked ({} of {} compressed bytes, {:.1}%), {} of them restore-critical",
        info.mode,
        info.spec,
        info.seed,
        info.entries_checked,
        info.entries_total,
        info.bytes_checked,
        info.bytes_total,
        percent(info.bytes_checked, info.bytes_total),
        info.critical_entries
    );
    if left == 0 {
        let f = Finding::new(Code::DataSampled, format!("{head}; the sample covered every entry"));
        return f.severity(Severity::Info);
    }
    Finding::new(
        Code::DataSampled,
        format!(
            "{head}; the data of {left} entries was not checked and may be corrupt (the report's sample.not_checked names them): run without --sample, or every K/N slice, for a complete check"
        ),
    )
}

fn describe(sampling: Sampling, candidates: &[Candidate], keep: &[bool], total: u64) -> SampleInfo {
    let mut info = SampleInfo {
        mode: sampling.sample.mode(),
        spec: sampling.sample.to_string(),
        seed: sampling.seed,
        entries_total: candidates.len() as u64,
        entries_checked: 0,
        critical_entries: 0,
        bytes_total: total,
        bytes_checked: 0,
        not_checked: Vec::new(),
        not_checked_omitted: 0,
    };
    let mut skipped: Vec<(usize, &str)> = Vec::new();
    for (c, &k) in candidates.iter().zip(keep) {
        if k {
            info.entries_checked = info.entries_checked.saturating_add(1);
            info.bytes_checked = info.bytes_checked.saturating_add(c.size);
        } else {
            skipped.push((c.index, c.name));
        }
        if c.critical {
            info.critical_entries = info.critical_entries.saturating_add(1);
        }
    }
    skipped.sort_unstable();
    info.not_checked_omitted = skipped.len().saturating_sub(LISTED_PER_CODE) as u64;
    info.not_checked = skipped.into_iter().take(LISTED_PER_CODE).map(|(_, n)| n.to_owned()).collect();
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_parse_and_print_canonically() {
        let cases = [
            ("10%", Sample::Percent { ppm: 100_000 }, "10%"),
            ("2.5%", Sample::Percent { ppm: 25_000 }, "2.5%"),
            (" 0.0001% ", Sample::Percent { ppm: 1 }, "0.0001%"),
            ("100%", Sample::Percent { ppm: MILLION }, "100%"),
            ("0%", Sample::Percent { ppm: 0 }, "0%"),
            ("1/4", Sample::Slice { k: 1, n: 4 }, "1/4"),
            ("4/4", Sample::Slice { k: 4, n: 4 }, "4/4"),
            ("1000", Sample::Size { bytes: 1000 }, "1000"),
            ("500M", Sample::Size { bytes: 500 << 20 }, "524288000"),
            ("2GiB", Sample::Size { bytes: 2 << 30 }, "2147483648"),
            ("1.5k", Sample::Size { bytes: 1536 }, "1536"),
            ("3MB", Sample::Size { bytes: 3_000_000 }, "3000000"),
        ];
        for (text, want, canonical) in cases {
            let got = Sample::parse(text).unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(got.to_string(), canonical);
            assert_eq!(Sample::parse(canonical), Ok(got));
        }
        for bad in ["", "%", "101%", "-1%", "0/4", "5/4", "1/0", "a/b", "12X", "1.2.3", "99999999999T", "x%", "."] {
            assert!(Sample::parse(bad).unwrap_err().contains(&format!("`{bad}`")), "{bad}");
        }
    }

    #[test]
    fn seeds_stay_within_javascript_integers() {
        assert_eq!(Sampling::parse_seed("0"), Ok(0));
        assert_eq!(Sampling::parse_seed("9007199254740991"), Ok(Sampling::MAX_SEED));
        assert!(Sampling::parse_seed("9007199254740992").is_err());
        assert!(Sampling::parse_seed("-1").is_err() && Sampling::parse_seed("x").is_err());
    }

    #[test]
    fn the_hash_is_stable() {
        // Pinned: changing the hash changes which entries every documented seed selects.
        assert_eq!(entry_hash(0, ""), entry_hash(0, ""));
        assert_ne!(entry_hash(0, "a"), entry_hash(1, "a"));
        assert_eq!(entry_hash(0, "pg_data"), PINNED_PG_DATA);
    }

    /// `entry_hash(0, "pg_data")`, computed independently (a few lines of Python with the
    /// constants of the doc comment).
    const PINNED_PG_DATA: u64 = 0x3820_d47e_3d9f_15d6;
}
