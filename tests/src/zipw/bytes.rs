//! Byte-level helpers: CRC-32, DEFLATE, little-endian fields, and patching built archives.

use super::ZipBuilder;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::Write;

/// CRC-32 (IEEE) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// Raw DEFLATE of `data` at Python's default level 6.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::new(6));
    enc.write_all(data).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

/// A 22-byte end record of an empty archive: `PK\x05\x06` and zeros.
pub fn empty_eocd() -> Vec<u8> {
    ZipBuilder::new().build()
}

/// Inverts every bit of `buf[offset]`.
pub fn flip_byte(buf: &mut [u8], offset: usize) {
    buf[offset] ^= 0xFF;
}

/// Overwrites a little-endian `u16` at `offset`.
pub fn patch_u16(buf: &mut [u8], offset: usize, value: u16) {
    buf[offset..offset + 2].copy_from_slice(&value.to_le_bytes());
}

/// Overwrites a little-endian `u32` at `offset`.
pub fn patch_u32(buf: &mut [u8], offset: usize, value: u32) {
    buf[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
}

/// Overwrites a little-endian `u64` at `offset`.
pub fn patch_u64(buf: &mut [u8], offset: usize, value: u64) {
    buf[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
}

/// Appends a little-endian `u16` (ZIP header fields).
pub fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// Appends a little-endian `u32`.
pub fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// Appends a little-endian `u64`.
pub fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}
