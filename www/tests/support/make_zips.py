#!/usr/bin/env python3
"""Writes the archives the browser tests and the benchmark need, with the standard library only.

    make_zips.py broken OUTDIR              small broken and edge-case snapshots
    make_zips.py big OUT.zip SIZE [N]       a sparse ZIP64 snapshot of about SIZE bytes with N
                                            small entries (default 1000) and one huge stored
                                            member of zeros written as a hole (no disk used)
    make_zips.py deflated OUT.zip SIZE      a real, fully written snapshot whose payload is SIZE
                                            bytes of deflated pseudo-random-ish text

These are the fallback when the tests crate's `gen-fixtures` binary is not there yet.
"""

import io
import json
import os
import random
import struct
import sys
import zipfile
import zlib

METADATA_N1 = {"snapshot_version": "7.0.4", "execution_id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}


def envelope(kind, items):
    return json.dumps({"type": kind, "items": items})


def new_format_members(version="7.0.4"):
    """A small N1-style snapshot: metadata, a management dump and one tenant."""
    meta = dict(METADATA_N1, snapshot_version=version)
    return [
        ("metadata.json", json.dumps(meta)),
        ("mgmt/", None),
        ("mgmt/00000001.json", envelope("tenants", [{"name": "default_tenant", "rabbitmq_username": "u"}])),
        ("mgmt/00000002.json", envelope("users", [{"username": "admin", "role": "sys_admin", "tenant_roles": {}}])),
        ("tenants/", None),
        ("tenants/default_tenant/", None),
        ("tenants/default_tenant/00000001.json", envelope("blueprints", [])),
    ]


def write_zip(path, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members:
            if data is None:
                z.writestr(zipfile.ZipInfo(name), b"")
            else:
                z.writestr(name, data)


def broken(outdir):
    os.makedirs(outdir, exist_ok=True)
    good = os.path.join(outdir, "py-good-7.0.4.zip")
    write_zip(good, new_format_members())
    data = open(good, "rb").read()
    # Cut in the middle: no end record any more.
    open(os.path.join(outdir, "py-truncated.zip"), "wb").write(data[: len(data) // 2])
    # Not a ZIP at all.
    open(os.path.join(outdir, "py-not-a-zip.zip"), "wb").write(b"this is not a zip archive\n" * 40)
    # A ZIP without metadata.json.
    write_zip(os.path.join(outdir, "py-no-metadata.zip"), [("notes.txt", "hello")])
    # A path that escapes the extraction root.
    write_zip(os.path.join(outdir, "py-traversal.zip"), new_format_members() + [("../../etc/cron.d/evil", "x")])
    # One flipped byte inside a blueprint archive's data: only full verification sees it (the
    # quick check reads nested archives over 1 MiB only for their magic number).
    noise = random.Random(1).randbytes(1_300_000)
    blueprint = _tar_gz({"bp/blueprint.yaml": b"tosca_definitions_version: cloudify_dsl_1_4\n", "bp/data.bin": noise})
    members = new_format_members() + [("tenants/default_tenant/blueprints/bp.tar.gz", blueprint)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, payload in members:
            z.writestr(zipfile.ZipInfo(name) if payload is None else name, b"" if payload is None else payload)
    corrupt = bytearray(buf.getvalue())
    at = corrupt.index(blueprint) + len(blueprint) // 2
    corrupt[at] ^= 0x01
    open(os.path.join(outdir, "py-crc-mismatch.zip"), "wb").write(bytes(corrupt))
    # A snapshot written by a newer manager than the default target (7.0.4).
    write_zip(os.path.join(outdir, "py-newer-7.1.0.zip"), new_format_members("7.1.0"))


def _tar_gz(files):
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# ---- CRC-32 of N zero bytes without reading them (zlib's crc32_combine operator method) ----

def _gf2_times(mat, vec):
    s = 0
    i = 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def _gf2_square(mat):
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_zeros(length, crc=0):
    """CRC-32 of `crc`'s message followed by `length` zero bytes."""
    if length == 0:
        return crc
    # zlib.crc32 of zeros is not linear in the register by itself, so run the register
    # through the "append zeros" operator on the pre/post-inverted value.
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    reg = crc ^ 0xFFFFFFFF
    n = length
    while True:
        even = _gf2_square(odd)
        if n & 1:
            reg = _gf2_times(even, reg)
        n >>= 1
        if not n:
            break
        odd = _gf2_square(even)
        if n & 1:
            reg = _gf2_times(odd, reg)
        n >>= 1
        if not n:
            break
    return reg ^ 0xFFFFFFFF


def big(path, size, small_entries=1000, exact=False):
    """Sparse ZIP64 snapshot: small stored entries, then one stored member of zeros that brings
    the file to about `size` bytes (or, with `exact`, a member of exactly `size` bytes)."""
    entries = []  # (name, offset, crc, size, method, csize)
    with open(path, "wb") as f:
        f.truncate(0)
        members = [(n, d) for n, d in new_format_members() if d is not None]
        members += [
            (f"tenants/default_tenant/blueprints/bp{i:06d}/blueprint.yaml", f"tosca_definitions_version: cloudify_dsl_1_4\n# {i}\n")
            for i in range(small_entries)
        ]
        for name, text in members:
            data = text.encode()
            entries.append(_write_local(f, name, data, zlib.crc32(data), len(data)))
        huge = size if exact else max(0, size - f.tell() - 200 * (small_entries + 10))
        entry = _write_local(f, "tenants/default_tenant/deployments/big.bin", None, crc32_zeros(huge), huge)
        entries.append(entry)
        f.seek(huge, os.SEEK_CUR)  # the hole: zeros that take no disk space
        _write_central(f, entries)


def _write_local(f, name, data, crc, size):
    raw = name.encode()
    offset = f.tell()
    extra = struct.pack("<HHQQ", 1, 16, size, size)  # ZIP64: sizes in the local header
    f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0x800, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(raw), len(extra)))
    f.write(raw)
    f.write(extra)
    if data is not None:
        f.write(data)
    return (raw, offset, crc, size)


def _write_central(f, entries):
    cd_start = f.tell()
    for raw, offset, crc, size in entries:
        extra = struct.pack("<HHQQQ", 1, 24, size, size, offset)
        f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45, 0x800, 0, 0, 0x21, crc,
                            0xFFFFFFFF, 0xFFFFFFFF, len(raw), len(extra), 0, 0, 0, 0o100644 << 16, 0xFFFFFFFF))
        f.write(raw)
        f.write(extra)
    cd_end = f.tell()
    n = len(entries)
    f.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, n, n, cd_end - cd_start, cd_start))
    f.write(struct.pack("<IIQI", 0x07064B50, 0, cd_end, 1))
    f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))


def deflated(path, size):
    """A fully written snapshot with `size` bytes of compressible payload (for throughput)."""
    line = b"".join(b"%08d event: execution %d finished, status terminated\n" % (i, i * 7919 % 104729) for i in range(4096))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, data in new_format_members():
            z.writestr(zipfile.ZipInfo(name) if data is None else name, b"" if data is None else data)
        written = 0
        part = 0
        while written < size:
            with z.open(f"tenants/default_tenant/events/{part:04d}.log", "w", force_zip64=True) as w:
                chunk_total = 0
                while chunk_total < 256 << 20 and written < size:
                    w.write(line)
                    chunk_total += len(line)
                    written += len(line)
            part += 1


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "broken" and len(sys.argv) == 3:
        broken(sys.argv[2])
    elif cmd == "big" and len(sys.argv) in (4, 5):
        big(sys.argv[2], int(float(sys.argv[3])), int(sys.argv[4]) if len(sys.argv) == 5 else 1000)
    elif cmd == "exact" and len(sys.argv) in (4, 5):
        big(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) == 5 else 1000, exact=True)
    elif cmd == "deflated" and len(sys.argv) == 4:
        deflated(sys.argv[2], int(float(sys.argv[3])))
    else:
        sys.exit(__doc__)
