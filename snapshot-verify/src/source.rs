//! The file side of the core's read seam: positional reads (`pread`) on an open file.
//!
//! Unix only: reads use `std::os::unix::fs::FileExt::read_at` and the open uses `O_NONBLOCK`
//! (see `main.rs`, which refuses to build elsewhere).

use anyhow::{Context, Result, bail};
use snapshot_core::ReadAt;
use std::cell::Cell;
use std::fs::{File, FileType, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// An archive on disk, read with `pread`.
///
/// Reads take `&self` and never move a shared cursor, so one `FileSource` serves the quick
/// phase, every data-pass thread and the whole-file hash at the same time.
#[derive(Debug)]
pub struct FileSource {
    file: File,
    size: u64,
}

impl FileSource {
    /// Opens a regular file. Its size is taken once, at open: the archive is verified as it was
    /// then, and reads past that size return end of file (a file that grows is verified as it
    /// was; one that shrinks reads short, which the core reports as truncation).
    ///
    /// Anything else (a directory, a FIFO, a socket, a device) is refused before it is opened:
    /// opening a FIFO for reading blocks until a writer comes, and a device such as `/dev/zero`
    /// has no size. The type is checked from `stat` first, the open does not block
    /// (`O_NONBLOCK`) in case a FIFO took the file's place meanwhile, and the open file is
    /// checked again.
    pub fn open(path: &Path) -> Result<FileSource> {
        let meta = std::fs::metadata(path).context("could not open the file")?;
        refuse_special(path, meta.file_type())?;
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .context("could not open the file")?;
        let meta = file.metadata().context("could not read the file's metadata")?;
        refuse_special(path, meta.file_type())?;
        Ok(FileSource { file, size: meta.len() })
    }
}

/// Fails unless `kind` is a regular file, naming what it is instead.
fn refuse_special(path: &Path, kind: FileType) -> Result<()> {
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        return Err(anyhow::anyhow!("{} is a directory", path.display()));
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "an unknown kind of file"
    };
    bail!("{} is not a regular file: it is {what}", path.display())
}

impl ReadAt for FileSource {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let Some(left) = self.size.checked_sub(offset) else { return Ok(0) };
        let len = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        FileExt::read_at(&self.file, &mut buf[..len], offset)
    }
}

/// A source with one span of it already in memory: reads inside the span are copies, others
/// go to the source. The data pass reads a run of small entries that lie together in the file
/// with one `pread` this way, instead of one per entry.
pub struct Spanned<'a> {
    inner: &'a dyn ReadAt,
    start: u64,
    data: &'a [u8],
}

impl<'a> Spanned<'a> {
    /// `data` holds the source's bytes from `start`.
    pub fn new(inner: &'a dyn ReadAt, start: u64, data: &'a [u8]) -> Spanned<'a> {
        Spanned { inner, start, data }
    }
}

impl ReadAt for Spanned<'_> {
    fn size(&self) -> u64 {
        self.inner.size()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let inside = offset
            .checked_sub(self.start)
            .and_then(|at| usize::try_from(at).ok())
            .filter(|&at| at.saturating_add(buf.len()) <= self.data.len());
        match inside {
            Some(at) => {
                buf.copy_from_slice(&self.data[at..at + buf.len()]);
                Ok(buf.len())
            }
            None => self.inner.read_at(offset, buf),
        }
    }
}

/// A view of a source that counts the bytes read through it into a shared counter, for
/// progress. Each data-pass job gets its own, capped at the job's input length so that
/// read-ahead never reports more than the job's share; [`Counting::settle`] adds the rest when
/// the job ends, so the counter is exact once every job is done.
///
/// It is also how a running job is cancelled: once `cancel` is set, reads fail, and the core
/// gives up on the entry at its next read instead of inflating gigabytes nobody will see.
pub struct Counting<'a> {
    inner: &'a dyn ReadAt,
    shared: &'a AtomicU64,
    cancel: &'a AtomicBool,
    counted: Cell<u64>,
    cap: u64,
}

impl<'a> Counting<'a> {
    /// Counts reads of `inner` into `shared`, at most `cap` bytes; fails reads once `cancel`
    /// is set.
    pub fn new(inner: &'a dyn ReadAt, shared: &'a AtomicU64, cap: u64, cancel: &'a AtomicBool) -> Counting<'a> {
        Counting { inner, shared, cancel, counted: Cell::new(0), cap }
    }

    /// Adds whatever of `cap` was not read (an entry cut short by corruption reads less).
    pub fn settle(&self) {
        self.add(self.cap);
    }

    fn add(&self, n: u64) {
        let counted = self.counted.get();
        let n = n.min(self.cap - counted);
        if n > 0 {
            self.counted.set(counted + n);
            self.shared.fetch_add(n, Ordering::Relaxed);
        }
    }
}

impl ReadAt for Counting<'_> {
    fn size(&self) -> u64 {
        self.inner.size()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read_at(offset, buf)?;
        self.add(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_span_serves_reads_inside_it_and_passes_the_rest_through() {
        let file: Vec<u8> = (0u8..100).collect();
        let src: &[u8] = &file;
        // The span claims bytes 10..20 but holds different bytes, to tell copies from reads.
        let held = [0xAAu8; 10];
        let spanned = Spanned::new(&src, 10, &held);
        let mut buf = [0u8; 4];
        assert_eq!(spanned.read_at(12, &mut buf).unwrap(), 4);
        assert_eq!(buf, [0xAA; 4]);
        assert_eq!(spanned.read_at(16, &mut buf).unwrap(), 4);
        assert_eq!(buf, [0xAA; 4]);
        // Straddling the end or the start, or outside: the source.
        assert_eq!(spanned.read_at(18, &mut buf).unwrap(), 4);
        assert_eq!(buf, [18, 19, 20, 21]);
        assert_eq!(spanned.read_at(8, &mut buf).unwrap(), 4);
        assert_eq!(buf, [8, 9, 10, 11]);
        assert_eq!(spanned.read_at(98, &mut buf).unwrap(), 2);
        assert_eq!(spanned.size(), 100);
    }

    #[test]
    fn reads_positionally_and_stops_at_the_size_taken_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        std::fs::write(&path, b"0123456789").unwrap();
        let src = FileSource::open(&path).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(src.read_at(3, &mut buf).unwrap(), 4);
        assert_eq!(&buf, b"3456");
        assert_eq!(src.read_at(8, &mut buf).unwrap(), 2);
        assert_eq!(src.read_at(10, &mut buf).unwrap(), 0);
        assert_eq!(src.read_at(u64::MAX, &mut buf).unwrap(), 0);
        assert!(FileSource::open(dir.path()).is_err());
    }

    #[test]
    fn a_file_that_shrinks_or_grows_after_open_gives_a_report_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let bytes = snapshot_tests::cloudify::sample().bytes();
        let opts = snapshot_core::Options { level: snapshot_core::Level::Full, ..Default::default() };
        let whole = snapshot_core::verify(&bytes, &opts).unwrap().to_json().unwrap();
        // Grows: verified as it was at open.
        std::fs::write(&path, &bytes).unwrap();
        let src = FileSource::open(&path).unwrap();
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(&[0u8; 4096]).unwrap();
        assert_eq!(snapshot_core::verify(&src, &opts).unwrap().to_json().unwrap(), whole);
        // Shrinks: reads come back short, which the core reports (or fails on) at once.
        std::fs::write(&path, &bytes).unwrap();
        let src = FileSource::open(&path).unwrap();
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(bytes.len() as u64 / 2).unwrap();
        if let Ok(report) = snapshot_core::verify(&src, &opts) {
            let json: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
            assert!(json["summary"]["errors"].as_u64() > Some(0), "{json}");
        }
        let err = crate::hash::sha256_source(&src, &|| false).unwrap_err();
        assert!(format!("{err:#}").contains("before its size"), "{err:#}");
    }

    #[test]
    fn counting_is_capped_and_settles_to_the_cap() {
        let data = vec![7u8; 100];
        let shared = AtomicU64::new(0);
        let cancel = AtomicBool::new(false);
        let c = Counting::new(&data, &shared, 10, &cancel);
        let mut buf = [0u8; 8];
        c.read_at(0, &mut buf).unwrap();
        c.read_at(8, &mut buf).unwrap();
        assert_eq!(shared.load(Ordering::Relaxed), 10);
        let c2 = Counting::new(&data, &shared, 5, &cancel);
        c2.settle();
        assert_eq!(shared.load(Ordering::Relaxed), 15);
        cancel.store(true, Ordering::Relaxed);
        assert!(c2.read_at(0, &mut buf).is_err());
    }
}
