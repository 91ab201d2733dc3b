use super::*;

fn cd<'a>(name: &'a [u8]) -> Ctx<'a> {
    Ctx { local: false, name, comment: &[], flags: 0, sentinels: Sentinels::default() }
}

fn field(id: u16, body: &[u8]) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend((body.len() as u16).to_le_bytes());
    v.extend(body);
    v
}

fn up(version: u8, crc_of: &[u8], name: &[u8]) -> Vec<u8> {
    let mut b = vec![version];
    b.extend(crc32fast::hash(crc_of).to_le_bytes());
    b.extend(name);
    field(0x7075, &b)
}

fn problems(extra: &[u8], ctx: &Ctx) -> Vec<(Code, Severity)> {
    walk(extra, ctx).problems.iter().map(|p| (p.code, p.severity)).collect()
}

const WARN: (Code, Severity) = (Code::ExtraFieldMalformed, Severity::Warning);

#[test]
fn walk_overruns_are_errors_stray_bytes_warnings() {
    let bad = [0x55, 0x54, 9, 0, 1, b'a', b'b', b'c', b'd'];
    assert_eq!(problems(&bad, &cd(b"a")), vec![(Code::ExtraFieldMalformed, Severity::Error)]);
    let local = Ctx { local: true, ..cd(b"a") };
    let p = walk(&bad, &local).problems;
    assert_eq!(p[0].severity, Severity::Error);
    assert!(p[0].message.contains("bsdtar"));
    assert_eq!(problems(&[1, 2, 3], &cd(b"a")), vec![WARN]);
}

#[test]
fn zip64_duplicates_same_warn_different_error() {
    let s = Sentinels { usize: true, ..Sentinels::default() };
    let ctx = Ctx { sentinels: s, ..cd(b"a") };
    let one = field(1, &7u64.to_le_bytes());
    assert!(problems(&one, &ctx).is_empty());
    assert_eq!(problems(&[one.clone(), one.clone()].concat(), &ctx), vec![WARN]);
    let other = field(1, &8u64.to_le_bytes());
    assert_eq!(problems(&[one.clone(), other].concat(), &ctx), vec![(Code::Zip64ExtraInvalid, Severity::Error)]);
    assert_eq!(walk(&[one.clone(), one.clone()].concat(), &ctx).zip64, Some(&7u64.to_le_bytes()[..]));
    // Surplus or no sentinel at all: a warning.
    assert_eq!(problems(&one, &cd(b"a")), vec![WARN]);
    // The local copy must hold both sizes.
    let local = Ctx { local: true, ..ctx };
    assert_eq!(problems(&one, &local), vec![WARN]);
    assert!(problems(&field(1, &[0; 16]), &local).is_empty());
}

#[test]
fn per_id_length_rules() {
    let local = Ctx { local: true, ..cd(b"a") };
    let central = cd(b"a");
    // (field, context, well-formed?)
    let rows: Vec<(Vec<u8>, &Ctx, bool)> = vec![
        (field(0x5455, &[3, 1, 2, 3, 4, 5, 6, 7, 8]), &local, true),
        (field(0x5455, &[3, 1, 2, 3, 4]), &local, false), // atime truncated
        (field(0x5455, &[1, 1, 2, 3, 4]), &central, true),
        (field(0x5455, &[7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), &central, false), // full in CD
        (field(0x5455, &[1]), &central, false),                                        // mtime flagged, missing
        (field(0x7875, &[1, 4, 0, 0, 0, 0, 4, 0, 0, 0, 0]), &local, true),
        (field(0x7875, &[]), &central, true),
        (field(0x7875, &[1, 4, 0, 0, 0, 0, 9, 0, 0]), &local, false), // GID size
        (field(0x7875, &[1, 9, 0]), &local, false),                   // UID size
        (field(0x7875, &[2, 0, 0]), &local, false),                   // version
        (field(0x7875, &[1]), &local, false),                         // no UID size
        (field(0x10c5, &[0x30, 0x82, 1]), &central, false),           // cut DER length
        (field(0x7855, &[1, 0, 2, 0]), &local, true),
        (field(0x7855, &[1, 0, 2, 0]), &central, false),
        (field(0x5855, &[0; 12]), &local, true),
        (field(0x5855, &[0; 12]), &central, false),
        (field(0x000a, &[[0u8; 4].as_slice(), &[1, 0, 24, 0], &[0; 24]].concat()), &local, true),
        (field(0x000a, &[[0u8; 4].as_slice(), &[1, 0, 16, 0], &[0; 16]].concat()), &local, false),
        (field(0x000a, &[0, 0]), &local, false),
        (field(0x554e, &[b"NUCX".as_slice(), &[1, 0], b"a\0"].concat()), &local, true),
        (field(0x554e, &[b"NUCX".as_slice(), &[2, 0], b"a\0"].concat()), &local, false),
        (field(0x554e, &[b"NUCX".as_slice(), &[1, 0, 0, 0], b"a\0"].concat()), &central, true),
        (field(0xa220, &[0x28, 0xa0, 0, 0, 0, 0]), &local, true),
        (field(0xa220, &[0xab, 0x12, 0, 0]), &local, false),
        (field(0x1a51, &[[10u8, 0, 16, 0].as_slice(), &[0; 16]].concat()), &central, true),
        (field(0x1a51, &[[10u8, 0, 0, 0].as_slice()].concat()), &central, false),
        (field(0x1a51, &[[20u8, 0, 20, 0].as_slice(), &[0; 4]].concat()), &central, false), // overflow
        (field(0x10c5, &[]), &central, false),
        (field(0x10c5, &[0x30, 2, 5, 0]), &central, true),
        (field(0x10c5, &[0x30, 9, 5, 0]), &central, false),
        (field(0x9901, &[2, 0, b'A', b'E', 3, 8, 0]), &central, true),
        (field(0x9901, &[2, 0, b'A', b'E', 3]), &central, false),
        (field(0x6375, &[1, 0, 0, 0, 0]), &central, false), // no comment
        (field(0x1234, &[9, 9, 9]), &central, true),        // unknown: TLV only
    ];
    for (i, (bytes, ctx, ok)) in rows.iter().enumerate() {
        let got = problems(bytes, ctx);
        assert_eq!(got.is_empty(), *ok, "row {i}: {got:?}");
        assert!(got.iter().all(|p| *p == WARN), "row {i}: {got:?}");
    }
    let ctx = Ctx { comment: b"hi", ..central };
    let mut body = vec![1];
    body.extend(crc32fast::hash(b"hi").to_le_bytes());
    body.extend(b"hi");
    assert!(problems(&field(0x6375, &body), &ctx).is_empty());
    assert_eq!(problems(&[field(0x5455, &[0]), field(0x5455, &[0])].concat(), &central), vec![WARN]);
}

fn verdict(extra: &[u8], name: &[u8], flags: u16) -> Option<Severity> {
    let ctx = Ctx { flags, ..cd(name) };
    let ex = walk(extra, &ctx);
    unicode_path_central(&ex.unicode_paths, &ctx).0.map(|p| p.severity)
}

#[test]
fn unicode_path_views() {
    let n = b"blueprint.yaml".as_slice();
    let e = Some(Severity::Error);
    assert_eq!(verdict(&up(1, n, n), n, 0), None); // names itself
    assert_eq!(verdict(&up(1, n, b"../../evil"), n, 0), e); // applicable and different
    assert_eq!(verdict(&up(0, n, b"other"), n, 0), e); // 7-Zip and bsdtar accept version 0
    assert_eq!(verdict(&[up(1, n, b"a"), up(1, n, b"b")].concat(), n, 0), e); // first vs last
    assert_eq!(verdict(&up(1, n, b"other"), n, 0x800), e); // with the UTF-8 flag
    assert_eq!(verdict(&field(0x7075, &[1, 0]), n, 0), e); // short: Python 3.12+ refuses
    assert_eq!(verdict(&up(1, n, b"bad\xff"), n, 0), e); // invalid UTF-8 it would use
    assert_eq!(verdict(&up(1, b"x", b"other"), n, 0), Some(Severity::Warning)); // CRC wrong
    assert_eq!(verdict(&up(2, n, b"other"), n, 0), Some(Severity::Warning)); // version 2
    // A CP437 name with its Unicode Path spelled in UTF-8: the intended use, no finding.
    assert_eq!(verdict(&up(1, b"caf\x82", "café".as_bytes()), b"caf\x82", 0), None);
    // The effective name is kept for the local comparison.
    let ctx = cd(n);
    let x = up(1, n, b"../../evil");
    let ex = walk(&x, &ctx);
    assert_eq!(unicode_path_central(&ex.unicode_paths, &ctx).1.as_deref(), Some(b"../../evil".as_slice()));
}

#[test]
fn bsdtar_reads_the_local_copy() {
    let n = b"a.yaml".as_slice();
    let x = up(2, n, b"other");
    let ex = walk(&x, &Ctx { local: true, ..cd(n) });
    assert_eq!(unicode_path_local(&ex.unicode_paths, n), Some(b"other".to_vec()));
    assert_eq!(unicode_path_local(&[], n), None);
    let x = up(1, b"zzz", b"other");
    let ex = walk(&x, &Ctx { local: true, ..cd(n) });
    assert_eq!(unicode_path_local(&ex.unicode_paths, n), Some(n.to_vec()));
}

/// Hostile bytes never panic: every ID in the table with every body length up to 40, in both
/// headers, and a pseudo-random walk.
#[test]
fn arbitrary_bodies_never_panic() {
    let ids: Vec<u16> = RULES.iter().map(|r| r.0).chain([0x7075, 0x0001, 0xffff]).collect();
    let mut x: u32 = 0x1234_5678;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x as u8
    };
    for &id in &ids {
        for len in 0..40 {
            let body: Vec<u8> = (0..len).map(|_| next()).collect();
            let bytes = field(id, &body);
            for local in [false, true] {
                let ctx = Ctx { local, comment: b"c", ..cd(b"n") };
                let ex = walk(&bytes, &ctx);
                let _ = unicode_path_central(&ex.unicode_paths, &ctx);
                let _ = unicode_path_local(&ex.unicode_paths, b"n");
            }
        }
    }
    for len in 0..200 {
        let bytes: Vec<u8> = (0..len).map(|_| next()).collect();
        let _ = walk(&bytes, &cd(b"n"));
    }
}
