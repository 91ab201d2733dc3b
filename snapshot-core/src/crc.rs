//! ZIP's CRC-32 (the IEEE polynomial), one implementation per target.
//!
//! Natively it is crc32fast's (PCLMULQDQ when the CPU has it). In wasm32 it is zlib-rs's
//! `crc32`, which the inflater links anyway: crc32fast has no wasm SIMD path and its fallback
//! carries a 16 KiB slice-by-16 table that the browser module would ship for nothing, and
//! zlib-rs's braided loop is 15-20 % faster there (a micro-benchmark in Node, 2026-12-03). Both
//! compute the same checksum (the test below compares them natively).

/// A running CRC-32: `update` with the bytes in order, then `finalize`.
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Default, Clone)]
pub(crate) struct Crc32(u32);

#[cfg(target_arch = "wasm32")]
impl Crc32 {
    pub(crate) fn new() -> Crc32 {
        Crc32(0)
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0 = zlib_rs::crc32::crc32(self.0, data);
    }

    pub(crate) fn finalize(self) -> u32 {
        self.0
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use crc32fast::Hasher as Crc32;

/// The CRC-32 of `data`.
pub(crate) fn hash(data: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(data);
    crc.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zlib_rs_and_crc32fast_agree() {
        let data: Vec<u8> = (0u32..300_000).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert_eq!(hash(b"123456789"), 0xcbf4_3926, "the check value of CRC-32/ISO-HDLC");
        for split in [0, 1, 63, 64, 65, 4096, 299_999] {
            let (a, b) = data.split_at(split);
            let mut fast = crc32fast::Hasher::new();
            fast.update(a);
            fast.update(b);
            let z = zlib_rs::crc32::crc32(zlib_rs::crc32::crc32(0, a), b);
            assert_eq!(z, fast.finalize(), "split at {split}");
        }
        assert_eq!(zlib_rs::crc32::crc32(0, &[]), 0);
    }
}
