//! Shared test data: deterministic generators, flate2 compression, and a bit writer for hand-made streams.
#![allow(dead_code)]

use std::io::Write;

/// xorshift64* PRNG: deterministic test data without dependencies.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const WORDS: &[&str] = &[
    "deployment",
    "blueprint",
    "node_instance",
    "execution",
    "started",
    "terminated",
    "install",
    "uninstall",
    "tenant",
    "default_tenant",
    "admin",
    "visibility",
    "private",
    "global",
    "plugin",
    "agent",
    "workflow",
    "cloudify.nodes.Compute",
    "cloudify.nodes.WebServer",
    "scaling_group",
    "operation",
    "succeeded",
    "failed",
];

/// SQL-dump-like text, ~`size` bytes: COPY sections whose rows hold a UUID, a timestamp, names from a
/// vocabulary of ~4000 words (Zipf-like), numbers and JSON-ish payloads; fixed words repeat a lot.
pub fn sql_like(size: usize, seed: u64) -> Vec<u8> {
    text(size, seed, 4000)
}

/// Like [`sql_like`] but from a tiny vocabulary and without UUIDs: almost everything is a repeat.
pub fn repetitive_text(size: usize, seed: u64) -> Vec<u8> {
    text(size, seed, 0)
}

fn text(size: usize, seed: u64, vocab: usize) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let letters = b"etaoinshrdlucmfwypvbgkjqxz_";
    let mut words: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
    for _ in 0..vocab {
        let n = 3 + r.below(9) as usize;
        words.push((0..n).map(|_| char::from(letters[(r.below(27) * r.below(27) / 26) as usize])).collect());
    }
    let word = |r: &mut Rng| {
        // Zipf-like: small indices far more often.
        let i = (r.below(words.len() as u64) * r.below(words.len() as u64) / words.len() as u64) as usize;
        words[i].clone()
    };
    let mut out = Vec::with_capacity(size + 512);
    let mut id = 1000u64;
    while out.len() < size {
        if r.below(200) == 0 {
            let t = word(&mut r);
            writeln!(out, "\n--\n-- Data for Name: {t}; Type: TABLE DATA; Schema: public\n--\n").ok();
            writeln!(out, "COPY public.{t} (id, created_at, name, state, payload) FROM stdin;").ok();
        }
        id += 1 + r.below(3);
        let (w1, w2, w3) = (word(&mut r), word(&mut r), word(&mut r));
        write!(out, "{id}\t").ok();
        if vocab > 0 {
            let (a, b) = (r.next(), r.next());
            write!(
                out,
                "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}\t",
                a >> 32,
                a & 0xffff,
                b >> 48,
                b & 0xffff,
                (a ^ b) >> 16
            )
            .ok();
        }
        writeln!(
            out,
            "2024-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00\t{w1}_{:x}\t{w2}\t{{\"key\": \"{w1}\", \"value\": {}, \"tags\": [\"{w3}\"]}}",
            1 + r.below(12),
            1 + r.below(28),
            r.below(24),
            r.below(60),
            r.below(60),
            r.below(1_000_000),
            r.below(1 << 20),
            r.below(100_000),
        )
        .ok();
    }
    out.truncate(size);
    out
}

/// Prose-like text whose vocabulary drifts: near byte `p` words come from a 3000-word range starting at word
/// `p / 64` of an endless list, so strings stop recurring after a few hundred KB (as when a dump moves on to other
/// content) and marker chains die out.
pub fn drifting_words(size: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let mut out = Vec::with_capacity(size + 64);
    let mut n = 0;
    while out.len() < size {
        let k = (out.len() / 64) as u64 + r.below(3000) * r.below(3000) / 3000;
        let mut w = Rng((k + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed);
        let len = 2 + w.below(9);
        out.extend((0..len).map(|_| b'a' + w.below(26) as u8));
        n += 1;
        out.extend_from_slice(if n % 13 == 0 { b".\n" } else { b" " });
    }
    out.truncate(size);
    out
}

/// Alternating runs of text, random bytes and zeros.
pub fn mixed(size: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let mut out = Vec::with_capacity(size);
    while out.len() < size {
        let n = 1000 + r.below(60_000) as usize;
        match r.below(3) {
            0 => out.extend(sql_like(n, r.next())),
            1 => out.extend(r.bytes(n)),
            _ => out.extend(std::iter::repeat_n(0u8, n)),
        }
    }
    out.truncate(size);
    out
}

/// Raw deflate of `data` at `level` by flate2.
pub fn deflate(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(data).expect("compress");
    e.finish().expect("compress")
}

/// flate2's raw inflate of a whole stream.
pub fn inflate_flate2(comp: &[u8]) -> Vec<u8> {
    let mut d = flate2::write::DeflateDecoder::new(Vec::new());
    d.write_all(comp).expect("decompress");
    d.finish().expect("decompress")
}

/// LSB-first bit writer for hand-made streams.
#[derive(Default)]
pub struct BitWriter {
    pub out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    /// Writes the low `n` bits of `v`, LSB first.
    pub fn put(&mut self, v: u32, n: u32) -> &mut Self {
        for i in 0..n {
            self.acc |= u64::from((v >> i) & 1) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.n = 0;
            }
        }
        self
    }
    /// Writes a Huffman code (MSB of the code first).
    pub fn code(&mut self, (code, len): (u32, u32)) -> &mut Self {
        for i in (0..len).rev() {
            self.put((code >> i) & 1, 1);
        }
        self
    }
    /// Pads to a byte boundary with zeros.
    pub fn align(&mut self) -> &mut Self {
        while self.n != 0 {
            self.put(0, 1);
        }
        self
    }
    pub fn bit_len(&self) -> u64 {
        self.out.len() as u64 * 8 + u64::from(self.n)
    }
    pub fn finish(mut self) -> Vec<u8> {
        self.align();
        self.out
    }
}

/// A Huffman code as (code, length); length 0 means no code.
pub type Code = (u32, u32);

/// Canonical Huffman codes for `lens`.
pub fn canonical(lens: &[u32]) -> Vec<Code> {
    let mut count = [0u32; 16];
    for &l in lens {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    let mut code = 0;
    for l in 1..16 {
        code = (code + count[l - 1]) << 1;
        next[l] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                (0, 0)
            } else {
                let c = next[l as usize];
                next[l as usize] += 1;
                (c, l)
            }
        })
        .collect()
}

/// Fixed literal/length code of `sym`.
pub fn fixed_lit(sym: u32) -> (u32, u32) {
    match sym {
        0..=143 => (0x30 + sym, 8),
        144..=255 => (0x190 + sym - 144, 9),
        256..=279 => (sym - 256, 7),
        _ => (0xc0 + sym - 280, 8),
    }
}

/// The code-length code used by [`dynamic_header`]: length 4 for symbols 0..=12 and 16, 17, 18 (complete).
pub const CL_LENS: [u32; 19] = [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 4, 4, 4];
const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Writes BFINAL, BTYPE=2 and a dynamic header with raw HLIT/HDIST fields and the given code-length symbols
/// (`(sym, extra_value)`; extra bits are written for 16/17/18).
pub fn dynamic_header(w: &mut BitWriter, last: bool, hlit: u32, hdist: u32, cl_syms: &[(u32, u32)]) {
    dynamic_header_cl(w, last, hlit, hdist, &CL_LENS, cl_syms);
}

/// Like [`dynamic_header`] with an explicit code-length code.
pub fn dynamic_header_cl(
    w: &mut BitWriter,
    last: bool,
    hlit: u32,
    hdist: u32,
    cl_lens: &[u32; 19],
    cl_syms: &[(u32, u32)],
) {
    w.put(u32::from(last), 1).put(2, 2).put(hlit, 5).put(hdist, 5).put(15, 4);
    for &i in &CL_ORDER {
        w.put(cl_lens[i], 3);
    }
    let codes = canonical(cl_lens);
    for &(s, extra) in cl_syms {
        w.code(codes[s as usize]);
        match s {
            16 => w.put(extra, 2),
            17 => w.put(extra, 3),
            18 => w.put(extra, 7),
            _ => w,
        };
    }
}

/// Code-length symbols spelling `lens` literally (each length <= 12).
pub fn plain_lens(lens: &[u32]) -> Vec<(u32, u32)> {
    lens.iter().map(|&l| (l, 0)).collect()
}
