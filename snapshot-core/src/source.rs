//! The read seam: the only way the core touches an archive's bytes.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use std::io;

/// Positional, read-only access to an archive's bytes.
///
/// The CLI implements it over a file (`pread`), the browser module over a `Blob` read with
/// `FileReaderSync`, tests over a byte slice. Reads take `&self`, so one source can serve
/// several readers; an implementation that caches must use interior mutability.
pub trait ReadAt {
    /// The total length of the archive in bytes.
    fn size(&self) -> u64;

    /// Reads up to `buf.len()` bytes starting at `offset`, returning how many were read.
    ///
    /// A short read is allowed; `Ok(0)` means `offset` is at or past the end. The core retries
    /// short reads, so implementations need not loop.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;
}

impl ReadAt for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let Ok(start) = usize::try_from(offset) else { return Ok(0) };
        let Some(rest) = self.get(start..) else { return Ok(0) };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
}

impl ReadAt for Vec<u8> {
    fn size(&self) -> u64 {
        self.as_slice().size()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.as_slice().read_at(offset, buf)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn size(&self) -> u64 {
        (**self).size()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
}

/// Fills `buf` from `offset`, retrying short and interrupted reads. Returns how many bytes
/// were read: less than `buf.len()` only at the end of the source. Front ends use it too, so
/// that there is one retry loop.
pub fn read_full(src: &dyn ReadAt, offset: u64, buf: &mut [u8]) -> Result<usize, crate::Error> {
    let mut done = 0;
    while done < buf.len() {
        // Past u64::MAX there is nothing to read: a source is at most u64::MAX bytes long.
        let Some(at) = offset.checked_add(crate::arith::to_u64(done)) else { break };
        match src.read_at(at, &mut buf[done..]) {
            Ok(0) => break,
            // done < buf.len(), so neither can overflow.
            Ok(n) => done = done.saturating_add(n.min(buf.len().saturating_sub(done))),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(crate::Error::Read { offset: at, source }),
        }
    }
    Ok(done)
}

/// Test doubles shared by the core's unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::ReadAt;
    use std::io;

    /// A source that returns at most `.1` bytes per call, to prove that short reads are
    /// continued and never taken for the end.
    pub(crate) struct Dribble(pub Vec<u8>, pub usize);

    impl ReadAt for Dribble {
        fn size(&self) -> u64 {
            self.0.len() as u64
        }
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.read_at(offset, &mut buf[..n])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Dribble;
    use super::*;

    #[test]
    fn read_full_retries_short_reads_and_stops_at_end() {
        let src = Dribble((0u8..20).collect(), 3);
        let mut buf = [0u8; 10];
        assert_eq!(read_full(&src, 5, &mut buf).unwrap(), 10);
        assert_eq!(buf, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
        assert_eq!(read_full(&src, 15, &mut buf).unwrap(), 5);
        assert_eq!(read_full(&src, 99, &mut buf).unwrap(), 0);
    }
}
