//! Base64, the one home of its rules. Three callers read base64 from a snapshot, each with the
//! rules of the code it stands for, so the differences are explicit [`Mode`]s:
//!
//! - the quick phase decodes a new-format deployment archive (`*.b64zip`) as 7.x restore does,
//!   with Python's `b64decode` ([`Mode::Strict`]);
//! - the data pass decodes the same members to verify the zip inside, forgiving about
//!   alphabet and padding because the quick phase already judged the text ([`Mode::Lenient`]);
//! - the legacy checks only need the decoded length of `rest-security.conf`'s `encryption_key`,
//!   which Cloudify decodes with `urlsafe_b64decode` ([`decoded_len`]); the key's bytes are never
//!   materialised.

#![deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

/// Which decoding rules a caller follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Python's `base64.b64decode`: the standard alphabet (`+`, `/`), ASCII whitespace skipped,
    /// `=` padding required and nothing after it.
    Strict,
    /// The standard or URL-safe alphabet (`-`, `_`), with `=`, space, tab, CR and LF skipped
    /// wherever they appear and no padding rule: a trailing partial group yields what its
    /// bits hold.
    Lenient,
}

/// The value of a base64 digit; `url` also admits the URL-safe `-` and `_`.
#[allow(clippy::arithmetic_side_effects, reason = "each arm's `c` is inside its range, so the result is 0..=63")]
fn sextet(c: u8, url: bool) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        b'-' if url => 62,
        b'_' if url => 63,
        _ => return None,
    })
}

impl Mode {
    /// Whether `c` is skipped as whitespace.
    fn skips(self, c: u8) -> bool {
        match self {
            Mode::Strict => c.is_ascii_whitespace(),
            Mode::Lenient => matches!(c, b'\n' | b'\r' | b' ' | b'\t'),
        }
    }
}

/// Decodes `text`. With `whole` false the text is a prefix of the member: a trailing partial
/// group is dropped and padding is not checked. The error says why, as a clause of a finding.
pub(crate) fn decode(text: &[u8], mode: Mode, whole: bool) -> Result<Vec<u8>, &'static str> {
    let strict = mode == Mode::Strict;
    let mut out = Vec::with_capacity((text.len() / 4).saturating_mul(3));
    let (mut acc, mut n, mut pad) = (0u32, 0u8, 0usize);
    for &c in text {
        let Some(v) = sextet(c, !strict) else {
            match c {
                b'=' if strict => pad = pad.saturating_add(1),
                b'=' => {}
                c if mode.skips(c) => {}
                _ => return Err("it is not ASCII base64 (characters outside the alphabet)"),
            }
            continue;
        };
        if pad > 0 {
            return Err("it is not valid base64 (data after the '=' padding)");
        }
        // At most four sextets (24 bits) accumulate before the group is flushed.
        acc = acc << 6 | u32::from(v);
        n = n.saturating_add(1);
        if n == 4 {
            out.extend_from_slice(&acc.to_be_bytes()[1..]);
            (acc, n) = (0, 0);
        }
    }
    match (n, pad) {
        _ if !whole => {}
        (0, 0) => {}
        // Two sextets hold one byte (plus 4 spare bits), three hold two bytes (plus 2).
        (2, p) if p >= 2 || !strict => out.push((acc >> 4).to_be_bytes()[3]),
        (3, p) if p >= 1 || !strict => out.extend_from_slice(&(acc >> 2).to_be_bytes()[2..]),
        (0 | 1, _) if !strict => {}
        _ => return Err("it is not valid base64 (incorrect padding)"),
    }
    Ok(out)
}

/// The decoded length of base64 text (URL-safe or standard alphabet, padding as Python's
/// decoder requires it, no whitespace), without decoding it.
pub(crate) fn decoded_len(s: &str) -> Option<usize> {
    let body = s.trim_end_matches('=');
    let pad = s.len().saturating_sub(body.len());
    let alphabet = body.bytes().all(|b| sextet(b, true).is_some());
    // Each full group of 4 digits is 3 bytes; a final group of 2 or 3 digits is 1 or 2 bytes.
    let len = (body.len() / 4).saturating_mul(3).saturating_add((body.len() % 4).saturating_sub(1));
    (alphabet && pad <= 2 && (body.len() % 4).saturating_add(pad).is_multiple_of(4) && body.len() % 4 != 1)
        .then_some(len)
}

#[cfg(test)]
mod tests {
    use super::{Mode, decode, decoded_len};

    #[test]
    fn strict_decodes_like_python() {
        let d = |t: &[u8], whole| decode(t, Mode::Strict, whole);
        assert_eq!(d(b"Zm9vYmFy", true), Ok(b"foobar".to_vec()));
        assert_eq!(d(b"Zm9vYg==\n", true), Ok(b"foob".to_vec()));
        assert_eq!(d(b"Zm9vYmE=", true), Ok(b"fooba".to_vec()));
        assert_eq!(d(b"Zm9v\nYmE", false), Ok(b"foo".to_vec()));
        assert_eq!(d(b"Zm9v\x0cYmE=", true), Ok(b"fooba".to_vec()), "form feed is ASCII whitespace");
        assert!(d(b"Zm9vYmE", true).is_err());
        assert!(d(b"Zg==Zg==", true).is_err());
        assert!(d(b"Zm9v-_", true).is_err());
    }

    #[test]
    fn lenient_forgives_alphabet_and_padding() {
        let d = |t: &[u8]| decode(t, Mode::Lenient, true).ok();
        assert_eq!(d(b"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==").unwrap()[..4], *b"PK\x05\x06");
        assert_eq!(d(b"!!"), None);
        assert_eq!(d(b"Zm9vYmE"), Some(b"fooba".to_vec()), "no padding needed");
        assert_eq!(d(b"Zg==Zg=="), Some(b"f\x06\x60".to_vec()), "'=' is skipped anywhere");
        assert_eq!(d(b"-_-_"), d(b"+/+/"), "URL-safe digits");
        assert_eq!(d(b"Zm9vY"), Some(b"foo".to_vec()), "a lone trailing digit is dropped");
        assert_eq!(d(b"Zm9v\x0cYmE="), None, "form feed is not skipped");
    }

    #[test]
    fn decoded_lengths_follow_python() {
        let k32 = "A".repeat(43) + "=";
        assert_eq!(decoded_len(&k32), Some(32));
        assert_eq!(decoded_len(&("_-".repeat(43) + "==")), Some(64));
        assert_eq!(decoded_len(&"A".repeat(43)), None, "Python requires the padding");
        assert_eq!(decoded_len("AAAA*AAA"), None);
        assert_eq!(decoded_len("AAAAAAAA"), Some(6));
        assert_eq!(decoded_len("Zg==="), None, "at most two '='");
    }
}
