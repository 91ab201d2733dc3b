//! The edits of the structure-aware targets (`mutate`, `cli`): 5-byte edits
//! `[kind, value, pos0, pos1, pos2]` (at most 64), with `pos` a 24-bit fraction of the current
//! length: byte flips and writes, insertions, deletions, edge-value u32 writes, a truncation.

use std::sync::OnceLock;

/// The bases: every era sample of `snapshot-tests` and the README sample.
pub fn bases() -> &'static [Vec<u8>] {
    static BASES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    BASES.get_or_init(|| {
        let mut v: Vec<Vec<u8>> = snapshot_tests::cloudify::era_samples().iter().map(|s| s.bytes()).collect();
        v.push(snapshot_tests::cloudify::sample().bytes());
        v
    })
}

/// `base` with `edits` applied.
pub fn mutate(base: &[u8], edits: &[u8]) -> Vec<u8> {
    let mut buf = base.to_vec();
    for e in edits.chunks_exact(5).take(64) {
        let (kind, value) = (e[0], e[1]);
        let frac = u32::from_le_bytes([e[2], e[3], e[4], 0]) as u64;
        let pos = ((frac * buf.len() as u64) >> 24) as usize;
        match kind % 8 {
            0..=2 => {
                if let Some(b) = buf.get_mut(pos) {
                    *b ^= value.max(1);
                }
            }
            3 => {
                if let Some(b) = buf.get_mut(pos) {
                    *b = value;
                }
            }
            4 => buf.insert(pos.min(buf.len()), value),
            5 => {
                let end = (pos + 1 + usize::from(value % 16)).min(buf.len());
                buf.drain(pos.min(end)..end);
            }
            6 => {
                // Overwrite a little-endian u32 (sizes, offsets, CRCs, counts) with an edge value.
                let v: u32 = match value % 6 {
                    0 => 0,
                    1 => u32::MAX,
                    2 => 0x7fff_ffff,
                    3 => 0xffff,
                    4 => 1,
                    _ => u32::from(value) << 8,
                };
                if pos + 4 <= buf.len() {
                    buf[pos..pos + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
            _ => {
                if value & 0x80 != 0 {
                    buf.truncate(pos);
                }
            }
        }
    }
    buf
}
