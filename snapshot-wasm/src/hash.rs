//! SHA-256 of a whole source, in bounded steps.

use snapshot_core::ReadAt;
use std::io;

use sha2::{Digest, Sha256};

/// Bytes read per call: large enough that the per-call cost of `FileReaderSync` is amortised,
/// small enough that wasm memory stays small. The Blob reader passes reads of this size
/// straight through instead of caching them.
pub const CHUNK: usize = 8 << 20;

/// A resumable SHA-256 over `[0, total)` of a source. Reads sequentially in [`CHUNK`]-sized
/// reads into one reused buffer. Cancelling is simply not calling [`Sha256Stream::step`] again.
pub struct Sha256Stream {
    hasher: Sha256,
    buf: Vec<u8>,
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
    /// A stream over `total` bytes (the source's size when the job starts).
    pub fn new(total: u64) -> Sha256Stream {
        Sha256Stream { hasher: Sha256::new(), buf: Vec::new(), done: 0, total, digest: None }
    }

    /// Hashes about `budget` more bytes (at least one read). Returns `true` when the whole
    /// source has been hashed.
    ///
    /// A read that returns fewer bytes than asked is fine (the next read continues where it
    /// stopped); a read that returns nothing before `total` means the file shrank, which is an
    /// error.
    pub fn step(&mut self, src: &dyn ReadAt, budget: u64) -> io::Result<bool> {
        let mut spent = 0u64;
        while self.done < self.total {
            if spent >= budget.max(1) {
                return Ok(false);
            }
            let want = (self.total - self.done).min(CHUNK as u64) as usize;
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            let got = match src.read_at(self.done, &mut self.buf[..want]) {
                Ok(n) => n.min(want),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if got == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the file ended at byte {} of {}; it changed after it was chosen", self.done, self.total),
                ));
            }
            self.hasher.update(&self.buf[..got]);
            self.done += got as u64;
            spent += got as u64;
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
        self.digest.map(|d| d.iter().map(|b| format!("{b:02x}")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns at most 1000 bytes per read, to prove short reads are continued.
    struct Dribble(Vec<u8>);
    impl ReadAt for Dribble {
        fn size(&self) -> u64 {
            self.0.len() as u64
        }
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1000);
            self.0.read_at(offset, &mut buf[..n])
        }
    }

    #[test]
    fn empty_input_has_the_known_digest() {
        let mut s = Sha256Stream::new(0);
        assert!(s.step(&Vec::new(), 1).unwrap());
        assert_eq!(s.hex().unwrap(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn steps_and_short_reads_give_the_one_shot_digest() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let src = Dribble(data.clone());
        let mut s = Sha256Stream::new(src.size());
        let mut steps = 0;
        while !s.step(&src, 4096).unwrap() {
            steps += 1;
            assert!(s.done() < s.total());
        }
        assert!(steps > 10);
        let expected: [u8; 32] = Sha256::digest(&data).into();
        assert_eq!(s.digest().unwrap(), expected);
    }

    #[test]
    fn a_source_that_shrank_is_an_error() {
        let mut s = Sha256Stream::new(10);
        let err = s.step(&vec![1u8; 4], u64::MAX).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
