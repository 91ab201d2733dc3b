//! Multi-GiB ZIP64 archives written with a sparse hole for their one huge member.

use super::records::{central_record, descriptor, local_header};
use super::{Entry, Resolved, ZipBuilder};
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

/// Streams an archive to `path`: the `small` entries, with one huge STORED member of `huge_size`
/// zero bytes named `huge_name` inserted before the last small entry (so that entry's local
/// header lies beyond 4 GiB when the member is that large and needs a ZIP64 offset).
///
/// The huge member is never written: the writer seeks over it, leaving a sparse hole, and its
/// CRC is combined from a 1 MiB block of zeros. A 5 GiB archive takes well under a second and
/// almost no disk. The entries' layout options (`alias_of`, `central`, `pad_before`) are not
/// applied: this writer makes valid archives only. Returns the file length.
pub fn write_big_zip64(path: &Path, small: &[Entry], huge_name: &str, huge_size: u64) -> io::Result<u64> {
    let mut file = File::create(path)?;
    let huge = Entry::file(huge_name, Vec::new()).stored().zip64();
    let huge_r = Resolved { payload: Vec::new(), crc: crc_of_zeros(huge_size), usize: huge_size, csize: huge_size };
    let split = small.len().saturating_sub(1);
    let mut records = Vec::new();
    let mut pos = 0u64;
    let mut write_entry = |file: &mut File, e: &Entry, r: &Resolved| -> io::Result<()> {
        let (header, dd) = (local_header(e, r), descriptor(e, r));
        file.write_all(&header)?;
        file.write_all(&r.payload)?;
        file.write_all(&dd)?;
        records.extend(central_record(e, r, pos));
        pos += (header.len() + dd.len()) as u64 + r.csize;
        Ok(())
    };
    for e in &small[..split] {
        write_entry(&mut file, e, &e.resolve())?;
    }
    write_entry(&mut file, &huge, &huge_r)?;
    file.seek(SeekFrom::Current(huge_size as i64))?;
    for e in &small[split..] {
        write_entry(&mut file, e, &e.resolve())?;
    }
    let cd_offset = pos;
    file.write_all(&records)?;
    let end_at = cd_offset + records.len() as u64;
    let mut end = Vec::new();
    let count = small.len() as u64 + 1;
    ZipBuilder::new().write_end(&mut end, count, records.len() as u64, cd_offset, 0, end_at);
    file.write_all(&end)?;
    file.flush()?;
    Ok(end_at + end.len() as u64)
}

/// CRC-32 of `n` zero bytes, fast for any `n` (GF(2) combination of a 1 MiB block).
pub fn crc_of_zeros(n: u64) -> u32 {
    const BLOCK: u64 = 1 << 20;
    let zeros = vec![0u8; BLOCK as usize];
    let mut block = crc32fast::Hasher::new();
    block.update(&zeros);
    let mut h = crc32fast::Hasher::new();
    for _ in 0..n / BLOCK {
        h.combine(&block);
    }
    h.update(&zeros[..(n % BLOCK) as usize]);
    h.finalize()
}
