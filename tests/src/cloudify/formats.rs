//! Version arithmetic (spec §4) and the encodings every era shares: Python's `json.dumps`,
//! base64, tar.gz, UUIDs, wagons, new-format envelopes.

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use std::io::Write;

use crate::zipw;

/// `(major, minor, service)` by Cloudify's lenient parser (spec §4.1): the part before `-`,
/// numeric dot components only, missing ones 0.
pub fn parse_version(v: &str) -> (u32, u32, u32) {
    let nums: Vec<u32> = v.split('-').next().unwrap_or("").split('.').filter_map(|p| p.parse().ok()).collect();
    (nums.first().copied().unwrap_or(0), nums.get(1).copied().unwrap_or(0), nums.get(2).copied().unwrap_or(0))
}

/// The head `schema_revision` of a version (spec §4.2), `None` before 4.0.1.
pub fn head_revision(v: (u32, u32, u32)) -> Option<&'static str> {
    const HEADS: [((u32, u32, u32), &str); 21] = [
        ((4, 0, 1), "9aa6f74c9653"),
        ((4, 1, 0), "3496c876cd1a"),
        ((4, 2, 0), "f1dab814a4a0"),
        ((4, 3, 0), "3483e421713d"),
        ((4, 4, 0), "c7652b2a97a4"),
        ((4, 5, 0), "a6d00b128933"),
        ((4, 5, 5), "1fbd6bf39e84"),
        ((4, 6, 0), "9516df019579"),
        ((5, 0, 0), "423a1643f365"),
        ((5, 0, 5), "62a8d746d13b"),
        ((5, 1, 0), "387fcd049efb"),
        ((5, 1, 1), "5ce2b0cbb6f3"),
        ((5, 2, 0), "9d261e90b1f3"),
        ((5, 3, 0), "396303c07e35"),
        ((6, 0, 0), "b92770a7b6ca"),
        ((6, 1, 0), "a31cb9e704d3"),
        ((6, 2, 0), "03ad040e6f78"),
        ((6, 3, 0), "8e8314b1d848"),
        ((6, 4, 0), "272e61bf5f4a"),
        ((7, 0, 0), "edd6d829a209"),
        ((99, 0, 0), "edd6d829a209"),
    ];
    HEADS.iter().rev().find(|(from, _)| v >= *from).map(|(_, rev)| *rev)
}

/// A plausible last Stage migration of a version (`YYYYMMDDHHMMSS-<ver>-<Name>.js`).
pub(super) fn stage_revision(v: (u32, u32, u32)) -> &'static str {
    match v {
        _ if v < (4, 1, 0) => "20170425133017-4_0-init.js",
        _ if v < (4, 2, 0) => "20170712092130-4_1-UserAppsManagerIp.js",
        _ if v < (5, 0, 0) => "20171011082922-4_2-UserAppsRoleColumnRemoval.js",
        _ if v < (5, 1, 0) => "20190423064931-5_0-CreateWidgetBackendTable.js",
        _ if v < (6, 0, 0) => "20200123095213-5_1-CreateBlueprintUserData.js",
        _ => "20210519093609-6_0-UserAppsTenantColumnAdd.js",
    }
}

/// The Composer revision every fixture holds (a known Cloudify bug, spec §4).
pub const COMPOSER_REVISION: &str = "20170601133017-4_1-init.js";

/// Serialises JSON the way Python's `json.dumps` does by default: `", "` and `": "` separators,
/// keys sorted (Python 2 wrote them in arbitrary order).
pub fn py_json(v: &Value) -> String {
    let mut out = String::new();
    write_py(&mut out, v);
    out
}

pub(super) fn write_py(out: &mut String, v: &Value) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py(out, x);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_py(out, &map[k]);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Base64 (standard or URL-safe alphabet, with padding).
pub fn base64(data: &[u8], url_safe: bool) -> String {
    let alphabet: &[u8; 64] = if url_safe {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A gzip-compressed ustar archive of `files` (fixed mtime, so deterministic).
pub fn tar_gz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, data) in files {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let octal = |h: &mut [u8; 512], at: usize, width: usize, v: u64| {
            h[at..at + width].copy_from_slice(format!("{v:0w$o}\0", w = width - 1).as_bytes());
        };
        octal(&mut h, 100, 8, 0o644);
        octal(&mut h, 108, 8, 0);
        octal(&mut h, 116, 8, 0);
        octal(&mut h, 124, 12, data.len() as u64);
        octal(&mut h, 136, 12, 1_715_947_200);
        h[148..156].fill(b' ');
        h[156] = b'0';
        h[257..265].copy_from_slice(b"ustar\x0000");
        h[265..269].copy_from_slice(b"root");
        h[297..301].copy_from_slice(b"root");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        tar.extend_from_slice(&h);
        tar.extend_from_slice(data);
        tar.resize(tar.len().next_multiple_of(512), 0);
    }
    tar.resize(tar.len() + 1024, 0);
    tar.resize(tar.len().next_multiple_of(10240), 0);
    let mut gz = GzEncoder::new(Vec::new(), Compression::new(6));
    gz.write_all(&tar).expect("writing to a Vec cannot fail");
    gz.finish().expect("writing to a Vec cannot fail")
}

/// A deterministic UUID-shaped string derived from `label`.
pub fn uuid(label: &str) -> String {
    let a = zipw::crc32(label.as_bytes());
    let b = zipw::crc32(format!("{label}#").as_bytes());
    let c = zipw::crc32(format!("{label}##").as_bytes());
    format!("{a:08x}-{:04x}-4{:03x}-a{:03x}-{:04x}{c:08x}", b >> 16, b & 0xFFF, (c >> 20) & 0xFFF, a & 0xFFFF)
}

/// A plugin wagon: a `.wgn` is a tar.gz holding `<package>/package.json`.
pub fn wagon(package: &str, version: &str) -> Vec<u8> {
    let meta = py_json(&json!({"package_name": package, "package_version": version,
        "supported_platform": "linux_x86_64", "build_server_os_properties":
        {"distribution": "centos", "distribution_release": "core", "distribution_version": "7.6.1810"},
        "wheels": [format!("{package}-{version}-py3-none-any.whl")], "wagon_version": "0.10.0"}));
    tar_gz(&[(&format!("{package}/package.json"), meta.as_bytes())])
}

/// Lines of base64 filler, 64 characters each, derived from `seed`.
pub(super) fn filler_lines(seed: &str, lines: usize) -> String {
    let text = base64(format!("snapshot-tests filler for {seed} ").repeat(lines * 3).as_bytes(), false);
    text.as_bytes().chunks(64).take(lines).map(|l| format!("{}\n", String::from_utf8_lossy(l))).collect()
}

/// A (fake) PEM certificate: public material, not a secret.
pub(super) fn cert_pem(seed: &str) -> String {
    format!("-----BEGIN CERTIFICATE-----\n{}-----END CERTIFICATE-----\n", filler_lines(seed, 6))
}

/// Builds a new-format envelope `{"type": ty, "items": items}` as the 7.x writer does.
pub fn envelope(ty: &str, items: &Value) -> String {
    format!("{{\"type\": {}, \"items\": {}}}", json!(ty), py_json(items))
}
