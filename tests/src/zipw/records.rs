//! The records an entry becomes: local header, data descriptor and central record, with the
//! ZIP64 extra Python writes.

use super::{Descriptor, Entry, Resolved, SIG_CDH, SIG_DD, SIG_LFH, ZIP64_LIMIT, put16, put32, put64};

/// Whether an entry needs ZIP64 sizes (forced, or too big for Python's limit).
pub(super) fn sizes64(e: &Entry, r: &Resolved) -> bool {
    e.zip64 || r.usize > ZIP64_LIMIT || r.csize > ZIP64_LIMIT
}

/// The 0x0001 ZIP64 extra holding `values`.
pub(super) fn zip64_extra(values: &[u64]) -> Vec<u8> {
    let mut x = Vec::new();
    put16(&mut x, 1);
    put16(&mut x, (values.len() * 8) as u16);
    values.iter().for_each(|&v| put64(&mut x, v));
    x
}

pub(super) fn flags_of(e: &Entry) -> u16 {
    e.flags | if e.descriptor.is_some() { 0x08 } else { 0 }
}

/// The local header: Python writes both sizes into a ZIP64 extra when either is large.
pub(super) fn local_header(e: &Entry, r: &Resolved) -> Vec<u8> {
    let big = sizes64(e, r);
    let (mut crc, mut csize, mut usize) =
        if big { (r.crc, 0xFFFF_FFFF, 0xFFFF_FFFF) } else { (r.crc, r.csize as u32, r.usize as u32) };
    if e.descriptor.is_some() {
        (crc, csize, usize) = (0, 0, 0);
    }
    let mut extra = if big { zip64_extra(&[r.usize, r.csize]) } else { Vec::new() };
    extra.extend_from_slice(&e.lfh_extra);
    let f = &e.lfh;
    let name = f.name.as_ref().unwrap_or(&e.name);
    let mut h = Vec::with_capacity(30 + name.len() + extra.len());
    put32(&mut h, SIG_LFH);
    put16(&mut h, if big { e.version_needed.max(45) } else { e.version_needed });
    put16(&mut h, f.flags.unwrap_or(flags_of(e)));
    put16(&mut h, f.method.unwrap_or(e.method.code()));
    put16(&mut h, e.mtime);
    put16(&mut h, e.mdate);
    put32(&mut h, f.crc.unwrap_or(crc));
    put32(&mut h, f.compressed_size.unwrap_or(csize));
    put32(&mut h, f.uncompressed_size.unwrap_or(usize));
    put16(&mut h, name.len() as u16);
    put16(&mut h, extra.len() as u16);
    h.extend_from_slice(name);
    h.extend_from_slice(&extra);
    h
}

/// The data descriptor, 64-bit when the entry uses ZIP64 sizes.
pub(super) fn descriptor(e: &Entry, r: &Resolved) -> Vec<u8> {
    let mut d = Vec::new();
    let Some(kind) = e.descriptor else { return d };
    if kind == Descriptor::Signed {
        put32(&mut d, SIG_DD);
    }
    put32(&mut d, r.crc);
    if sizes64(e, r) {
        put64(&mut d, r.csize);
        put64(&mut d, r.usize);
    } else {
        put32(&mut d, r.csize as u32);
        put32(&mut d, r.usize as u32);
    }
    d
}

/// The central record: like Python, the ZIP64 extra holds the sizes when either is large and
/// the offset when it is large (all three when the entry forces ZIP64).
pub(super) fn central_record(e: &Entry, r: &Resolved, offset: u64) -> Vec<u8> {
    let big = sizes64(e, r);
    let far = e.zip64 || offset > ZIP64_LIMIT;
    let mut values = Vec::new();
    if big {
        values.extend([r.usize, r.csize]);
    }
    if far {
        values.push(offset);
    }
    let mut extra = if values.is_empty() { Vec::new() } else { zip64_extra(&values) };
    extra.extend_from_slice(&e.cd_extra);
    let (csize, usize) = if big { (0xFFFF_FFFF, 0xFFFF_FFFF) } else { (r.csize as u32, r.usize as u32) };
    let zip64 = big || far;
    let f = &e.cd;
    let name = f.name.as_ref().unwrap_or(&e.name);
    let mut h = Vec::with_capacity(46 + name.len() + extra.len() + e.comment.len());
    put32(&mut h, SIG_CDH);
    let made = if zip64 { e.version_made_by.max(45) } else { e.version_made_by };
    put16(&mut h, (u16::from(e.create_system) << 8) | u16::from(made));
    put16(&mut h, if zip64 { e.version_needed.max(45) } else { e.version_needed });
    put16(&mut h, f.flags.unwrap_or(flags_of(e)));
    put16(&mut h, f.method.unwrap_or(e.method.code()));
    put16(&mut h, e.mtime);
    put16(&mut h, e.mdate);
    put32(&mut h, f.crc.unwrap_or(r.crc));
    put32(&mut h, f.compressed_size.unwrap_or(csize));
    put32(&mut h, f.uncompressed_size.unwrap_or(usize));
    put16(&mut h, name.len() as u16);
    put16(&mut h, extra.len() as u16);
    put16(&mut h, e.comment.len() as u16);
    put16(&mut h, 0); // disk number start
    put16(&mut h, 0); // internal attributes
    put32(&mut h, e.external_attr);
    put32(&mut h, e.local_offset.unwrap_or(if far { 0xFFFF_FFFF } else { offset as u32 }));
    h.extend_from_slice(name);
    h.extend_from_slice(&extra);
    h.extend_from_slice(&e.comment);
    h
}
