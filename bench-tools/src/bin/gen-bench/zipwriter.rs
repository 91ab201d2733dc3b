//! A streaming ZIP writer with Python's layout.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use flate2::write::DeflateEncoder;
use flate2::{Compress, Compression, FlushCompress, Status};
use snapshot_tests::zipw::{DOS_DATE, DOS_TIME, put16, put32, put64};

use crate::content::{blueprint_file, wagon, write_pg_data};
use crate::plan::{Item, Source};

/// Python's default deflate level (`zlib.Z_DEFAULT_COMPRESSION`).
const LEVEL: u32 = 6;
/// Python's `ZIP64_LIMIT`.
const ZIP64_LIMIT: u64 = (1 << 31) - 1;

struct Rec {
    name: String,
    method: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    offset: u64,
    attr: u32,
}

/// Part of an archive being written: local entries and their central records.
pub(crate) struct Seg {
    w: BufWriter<File>,
    pos: u64,
    recs: Vec<Rec>,
    comp: Compress,
    buf: Vec<u8>,
}

impl Seg {
    pub(crate) fn create(path: &Path) -> io::Result<Seg> {
        Ok(Seg {
            w: BufWriter::with_capacity(1 << 20, File::create(path)?),
            pos: 0,
            recs: Vec::new(),
            comp: Compress::new(Compression::new(LEVEL), false),
            buf: Vec::new(),
        })
    }

    pub(crate) fn add_all(&mut self, items: &[Item]) -> io::Result<()> {
        for item in items {
            match &item.source {
                Source::Dir => self.add_bytes(&item.name, item.attr, 0, &[])?,
                Source::Bytes(data) => self.add_bytes(&item.name, item.attr, 8, data)?,
                Source::Blueprint { seed, kind, scale } => {
                    let data = blueprint_file(*seed, *kind, *scale);
                    self.add_bytes(&item.name, item.attr, 8, &data)?;
                }
                Source::PgData { base, events, logs } => {
                    let (base, events, logs) = (base.clone(), *events, *logs);
                    self.add_stream(&item.name, item.attr, |w| write_pg_data(w, &base, events, logs))?;
                }
                Source::Wagon { package, version, size, seed } => {
                    let data = wagon(package, version, *size, *seed);
                    self.add_bytes(&item.name, item.attr, 8, &data)?;
                }
            }
        }
        Ok(())
    }

    fn local_header(&mut self, name: &str, method: u16, crc: u32, csize: u64, usize: u64) -> io::Result<()> {
        let mut h = Vec::with_capacity(30 + name.len());
        put32(&mut h, 0x0403_4b50);
        put16(&mut h, 20);
        put16(&mut h, 0);
        put16(&mut h, method);
        put16(&mut h, DOS_TIME);
        put16(&mut h, DOS_DATE);
        put32(&mut h, crc);
        put32(&mut h, csize as u32);
        put32(&mut h, usize as u32);
        put16(&mut h, name.len() as u16);
        put16(&mut h, 0);
        h.extend_from_slice(name.as_bytes());
        self.w.write_all(&h)?;
        self.pos += h.len() as u64;
        Ok(())
    }

    /// An entry from memory: stored (method 0) or deflated at level 6 (method 8).
    fn add_bytes(&mut self, name: &str, attr: u32, method: u16, data: &[u8]) -> io::Result<()> {
        let offset = self.pos;
        let crc = crc32fast::hash(data);
        let payload: &[u8] = if method == 8 {
            deflate_into(&mut self.comp, data, &mut self.buf);
            &self.buf
        } else {
            data
        };
        let (csize, usize) = (payload.len() as u64, data.len() as u64);
        assert!(csize <= ZIP64_LIMIT && usize <= ZIP64_LIMIT, "bench entries stay below ZIP64 sizes");
        let payload = payload.to_vec();
        self.local_header(name, method, crc, csize, usize)?;
        self.w.write_all(&payload)?;
        self.pos += csize;
        self.recs.push(Rec { name: name.to_owned(), method, crc, csize, usize, offset, attr });
        Ok(())
    }

    /// A large entry streamed through the deflater; the local header is written first with
    /// zeros and patched afterwards, as Python's `zipfile` does on a seekable file.
    fn add_stream(
        &mut self,
        name: &str,
        attr: u32,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let offset = self.pos;
        self.local_header(name, 8, 0, 0, 0)?;
        let start = self.pos;
        let (crc, usize, csize) = {
            let counter = Counter { w: &mut self.w, n: 0 };
            let mut tee =
                Tee { enc: DeflateEncoder::new(counter, Compression::new(LEVEL)), crc: crc32fast::Hasher::new(), n: 0 };
            fill(&mut tee)?;
            let Tee { enc, crc, n } = tee;
            let csize = enc.finish()?.n;
            (crc.finalize(), n, csize)
        };
        assert!(csize <= ZIP64_LIMIT && usize <= ZIP64_LIMIT, "bench entries stay below ZIP64 sizes");
        self.pos = start + csize;
        self.w.seek(SeekFrom::Start(offset + 14))?;
        let mut f = Vec::new();
        put32(&mut f, crc);
        put32(&mut f, csize as u32);
        put32(&mut f, usize as u32);
        self.w.write_all(&f)?;
        self.w.seek(SeekFrom::Start(self.pos))?;
        self.recs.push(Rec { name: name.to_owned(), method: 8, crc, csize, usize, offset, attr });
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    /// Appends a part written by another `Seg` (its file at `path`), shifting its offsets.
    pub(crate) fn append_part(&mut self, part: Seg, path: &Path) -> io::Result<()> {
        self.w.flush()?;
        let mut src = File::open(path)?;
        let copied = io::copy(&mut src, self.w.get_mut())?;
        assert_eq!(copied, part.pos, "part file length");
        for mut r in part.recs {
            r.offset += self.pos;
            self.recs.push(r);
        }
        self.pos += copied;
        Ok(())
    }

    /// Writes the central directory and the end records (ZIP64 ones when Python would).
    pub(crate) fn finish(mut self) -> io::Result<()> {
        let cd_offset = self.pos;
        let mut cd = Vec::new();
        for r in &self.recs {
            let far = r.offset > ZIP64_LIMIT;
            put32(&mut cd, 0x0201_4b50);
            put16(&mut cd, (3 << 8) | if far { 45 } else { 20 });
            put16(&mut cd, if far { 45 } else { 20 });
            put16(&mut cd, 0);
            put16(&mut cd, r.method);
            put16(&mut cd, DOS_TIME);
            put16(&mut cd, DOS_DATE);
            put32(&mut cd, r.crc);
            put32(&mut cd, r.csize as u32);
            put32(&mut cd, r.usize as u32);
            put16(&mut cd, r.name.len() as u16);
            put16(&mut cd, if far { 12 } else { 0 });
            put16(&mut cd, 0);
            put16(&mut cd, 0);
            put16(&mut cd, 0);
            put32(&mut cd, r.attr);
            put32(&mut cd, if far { 0xFFFF_FFFF } else { r.offset as u32 });
            cd.extend_from_slice(r.name.as_bytes());
            if far {
                put16(&mut cd, 1);
                put16(&mut cd, 8);
                put64(&mut cd, r.offset);
            }
            if cd.len() >= 1 << 20 {
                self.w.write_all(&cd)?;
                self.pos += cd.len() as u64;
                cd.clear();
            }
        }
        self.w.write_all(&cd)?;
        self.pos += cd.len() as u64;
        let (count, cd_size) = (self.recs.len() as u64, self.pos - cd_offset);
        let mut end = Vec::new();
        if count >= 0xFFFF || cd_size > ZIP64_LIMIT || cd_offset > ZIP64_LIMIT {
            let at = self.pos;
            put32(&mut end, 0x0606_4b50);
            put64(&mut end, 44);
            put16(&mut end, 45);
            put16(&mut end, 45);
            put32(&mut end, 0);
            put32(&mut end, 0);
            put64(&mut end, count);
            put64(&mut end, count);
            put64(&mut end, cd_size);
            put64(&mut end, cd_offset);
            put32(&mut end, 0x0706_4b50);
            put32(&mut end, 0);
            put64(&mut end, at);
            put32(&mut end, 1);
        }
        put32(&mut end, 0x0605_4b50);
        put16(&mut end, 0);
        put16(&mut end, 0);
        put16(&mut end, count.min(0xFFFF) as u16);
        put16(&mut end, count.min(0xFFFF) as u16);
        put32(&mut end, cd_size.min(0xFFFF_FFFF) as u32);
        put32(&mut end, cd_offset.min(0xFFFF_FFFF) as u32);
        put16(&mut end, 0);
        self.w.write_all(&end)?;
        self.w.flush()
    }
}

/// Counts the bytes written through it.
struct Counter<'a> {
    w: &'a mut BufWriter<File>,
    n: u64,
}

impl Write for Counter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.w.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// Feeds the deflater and tracks CRC-32 and size of what it was fed.
struct Tee<'a> {
    enc: DeflateEncoder<Counter<'a>>,
    crc: crc32fast::Hasher,
    n: u64,
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let k = self.enc.write(buf)?;
        self.crc.update(&buf[..k]);
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.enc.flush()
    }
}

/// Raw deflate of `data` into `out`, reusing one compressor.
fn deflate_into(comp: &mut Compress, data: &[u8], out: &mut Vec<u8>) {
    comp.reset();
    out.clear();
    out.reserve(data.len() + data.len() / 64 + 64);
    loop {
        let done = comp.total_in() as usize;
        match comp.compress_vec(&data[done..], out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return,
            Ok(_) => out.reserve(out.capacity().max(4096)),
            Err(e) => panic!("deflate failed: {e}"),
        }
    }
}
