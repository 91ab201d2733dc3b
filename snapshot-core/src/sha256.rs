//! The whole-file SHA-256, in bounded steps: one stream that the CLI (on a thread of its own)
//! and the browser module (between yields to the worker's event loop) both drive, so the two
//! front ends hash the same way and agree on every digest.
//!
//! It is pure like the rest of the core: it reads only through [`ReadAt`] (with
//! [`read_full`], so short and interrupted reads are retried in one place), and it has no
//! clock or thread. The caller decides when to stop: cancelling is not calling
//! [`Sha256Stream::step`] again.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use crate::Error;
use crate::arith::{to_u64, to_usize};
use crate::source::{ReadAt, read_full};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io;

/// The read size when the caller does not choose one.
pub const SHA256_CHUNK: usize = 1 << 20;

/// A resumable SHA-256 over `[0, total)` of a source, read sequentially in chunk-sized reads
/// into one reused buffer (allocated at the first step, at most one chunk, never more than
/// `total`).
pub struct Sha256Stream {
    hasher: Sha256,
    buf: Vec<u8>,
    chunk: usize,
    done: u64,
    total: u64,
    digest: Option<[u8; 32]>,
}

impl std::fmt::Debug for Sha256Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sha256Stream").field("done", &self.done).field("total", &self.total).finish()
    }
}

impl Sha256Stream {
    /// A stream over `total` bytes (the source's size when hashing starts), read in
    /// [`SHA256_CHUNK`] reads.
    pub fn new(total: u64) -> Sha256Stream {
        Sha256Stream::with_chunk(total, SHA256_CHUNK)
    }

    /// A stream over `total` bytes read in `chunk`-byte reads (at least one byte). The browser
    /// module reads 8 MiB at a time, the size from which its `Blob` reader skips its cache.
    pub fn with_chunk(total: u64, chunk: usize) -> Sha256Stream {
        Sha256Stream { hasher: Sha256::new(), buf: Vec::new(), chunk: chunk.max(1), done: 0, total, digest: None }
    }

    /// Hashes about `budget` more bytes (at least one read). Returns `true` once the whole
    /// `[0, total)` has been hashed.
    ///
    /// A source that ends before `total` (the file shrank after hashing began) is an
    /// [`Error::Read`] with [`io::ErrorKind::UnexpectedEof`]. Bytes past `total` (a file that
    /// grew) are not read: the digest is of the file as it was when the stream was made.
    pub fn step(&mut self, src: &dyn ReadAt, budget: u64) -> Result<bool, Error> {
        let mut spent = 0u64;
        while self.done < self.total {
            if spent >= budget.max(1) {
                return Ok(false);
            }
            let want = to_usize(self.total.saturating_sub(self.done)).min(self.chunk);
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            let got = read_full(src, self.done, &mut self.buf[..want])?;
            self.hasher.update(&self.buf[..got]);
            // got <= want <= total - done.
            self.done = self.done.saturating_add(to_u64(got));
            spent = spent.saturating_add(to_u64(got));
            if got < want {
                let msg = format!(
                    "the file ended at byte {}, before its size of {} bytes; it changed while it was being hashed",
                    self.done, self.total
                );
                return Err(Error::Read {
                    offset: self.done,
                    source: io::Error::new(io::ErrorKind::UnexpectedEof, msg),
                });
            }
        }
        if self.digest.is_none() {
            self.digest = Some(std::mem::take(&mut self.hasher).finalize().into());
            self.buf = Vec::new();
        }
        Ok(true)
    }

    /// Bytes hashed so far.
    pub fn done(&self) -> u64 {
        self.done
    }

    /// Bytes to hash in total.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The digest, once [`Sha256Stream::step`] has returned `true`.
    pub fn digest(&self) -> Option<[u8; 32]> {
        self.digest
    }

    /// The digest as lowercase hex, once finished.
    pub fn hex(&self) -> Option<String> {
        self.digest.map(|d| hex(&d))
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len().saturating_mul(2)), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The SHA-256 of a byte string, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::Dribble;

    const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn empty_input_has_the_known_digest() {
        let mut s = Sha256Stream::new(0);
        assert!(s.step(&Vec::new(), 1).unwrap());
        assert_eq!(s.hex().unwrap(), EMPTY);
        assert_eq!(sha256_hex(b""), EMPTY);
    }

    #[test]
    fn steps_chunks_and_short_reads_give_the_one_shot_digest() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let src = Dribble(data.clone(), 1000);
        let want = sha256_hex(&data);
        for chunk in [1, 999, 4096, 1 << 20] {
            let mut s = Sha256Stream::with_chunk(src.size(), chunk);
            let mut steps = 0;
            while !s.step(&src, 4096).unwrap() {
                steps += 1;
                assert!(s.done() < s.total());
            }
            // A step reads at least one chunk, so only small chunks take many steps.
            assert!(chunk > 4096 || steps > 10, "{chunk}: {steps}");
            assert_eq!(s.hex().unwrap(), want, "{chunk}");
            assert_eq!(s.done(), s.total());
        }
        // One step with no budget to speak of still makes progress; a big one finishes.
        let mut s = Sha256Stream::with_chunk(src.size(), 4096);
        assert!(!s.step(&src, 0).unwrap() && s.done() == 4096);
        assert!(s.step(&src, u64::MAX).unwrap());
        assert_eq!(s.hex().unwrap(), want);
    }

    #[test]
    fn a_source_that_shrank_is_an_error_and_one_that_grew_is_hashed_as_it_was() {
        let mut s = Sha256Stream::new(10);
        let err = s.step(&vec![1u8; 4], u64::MAX).unwrap_err();
        let Error::Read { offset, source } = err else { panic!("not a read error") };
        assert_eq!((offset, source.kind()), (4, io::ErrorKind::UnexpectedEof));
        assert!(source.to_string().contains("ended at byte 4, before its size of 10 bytes"), "{source}");
        let mut s = Sha256Stream::new(4);
        assert!(s.step(&vec![1u8; 10], u64::MAX).unwrap());
        assert_eq!(s.hex().unwrap(), sha256_hex(&[1u8; 4]));
    }
}
