//! Cloudify's `ManagerVersion` (spec §4.1) and the known schema-revision chain (§4.2).

use std::fmt;

/// A manager version as Cloudify compares it: `(major, minor, service)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Version(pub u32, pub u32, pub u32);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Version {
    /// The lenient parser of CC 4.4+ / CPC 4.1+: the part before the first `-`, split on `.`,
    /// non-numeric components dropped, a missing service number is 0, a fourth component is
    /// ignored. `None` where Cloudify's parser crashes (fewer than two numeric components).
    pub(crate) fn parse(s: &str) -> Option<Version> {
        let head = s.split('-').next().unwrap_or("");
        let nums: Vec<u32> = head.split('.').filter_map(|p| p.parse().ok()).collect();
        match nums.as_slice() {
            [a, b] => Some(Version(*a, *b, 0)),
            [a, b, c, ..] => Some(Version(*a, *b, *c)),
            _ => None,
        }
    }

    /// Whether the strict parser of CPC 3.4 – 4.0.1 accepts it: every dot component an int.
    pub(crate) fn strict_ok(s: &str) -> bool {
        !s.is_empty() && s.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    }

    pub(crate) const fn new(a: u32, b: u32, c: u32) -> Version {
        Version(a, b, c)
    }
}

/// The alembic revision chain, oldest first (spec §4.2).
pub(crate) const REVISIONS: &[&str] = &[
    "333998bc1627",
    "9aa6f74c9653",
    "730403566523",
    "3496c876cd1a",
    "4dfd8797fdfa",
    "406821843b55",
    "7aae863786af",
    "f1dab814a4a0",
    "784a82cec07a",
    "3483e421713d",
    "c7652b2a97a4",
    "a6d00b128933",
    "1fbd6bf39e84",
    "9516df019579",
    "423a1643f365",
    "62a8d746d13b",
    "387fcd049efb",
    "5ce2b0cbb6f3",
    "9d261e90b1f3",
    "396303c07e35",
    "b92770a7b6ca",
    "a31cb9e704d3",
    "03ad040e6f78",
    "8e8314b1d848",
    "272e61bf5f4a",
    "edd6d829a209",
];

/// The head revision at each release (spec §4.2), by the first version that has it.
const HEADS: &[(Version, &str)] = &[
    (Version(4, 0, 0), "333998bc1627"),
    (Version(4, 0, 1), "9aa6f74c9653"),
    (Version(4, 1, 0), "3496c876cd1a"),
    (Version(4, 2, 0), "f1dab814a4a0"),
    (Version(4, 3, 0), "3483e421713d"),
    (Version(4, 4, 0), "c7652b2a97a4"),
    (Version(4, 5, 0), "a6d00b128933"),
    (Version(4, 5, 5), "1fbd6bf39e84"),
    (Version(4, 6, 0), "9516df019579"),
    (Version(5, 0, 0), "423a1643f365"),
    (Version(5, 0, 5), "62a8d746d13b"),
    (Version(5, 1, 0), "387fcd049efb"),
    (Version(5, 1, 4), "5ce2b0cbb6f3"),
    (Version(5, 2, 0), "9d261e90b1f3"),
    (Version(5, 3, 0), "396303c07e35"),
    (Version(6, 0, 0), "b92770a7b6ca"),
    (Version(6, 1, 0), "a31cb9e704d3"),
    (Version(6, 2, 0), "03ad040e6f78"),
    (Version(6, 3, 0), "8e8314b1d848"),
    (Version(6, 4, 0), "272e61bf5f4a"),
    (Version(7, 0, 0), "edd6d829a209"),
];

/// Position of a revision in the chain.
pub(crate) fn revision_position(rev: &str) -> Option<usize> {
    REVISIONS.iter().position(|r| *r == rev)
}

/// The head revision a manager of this version has (the newest release at or below it).
pub(crate) fn head_for(v: Version) -> Option<&'static str> {
    HEADS.iter().rev().find(|(h, _)| *h <= v).map(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parse_matches_cloudify() {
        assert_eq!(Version::parse("5.1.0"), Some(Version(5, 1, 0)));
        assert_eq!(Version::parse("3.3"), Some(Version(3, 3, 0)));
        assert_eq!(Version::parse("5.0.5.1"), Some(Version(5, 0, 5)));
        assert_eq!(Version::parse("4.0.1-ga"), Some(Version(4, 0, 1)));
        assert_eq!(Version::parse("4.m1.2"), Some(Version(4, 2, 0)));
        assert_eq!(Version::parse("7"), None);
        assert_eq!(Version::parse("abc"), None);
        assert!(Version::strict_ok("4.0.1"));
        assert!(!Version::strict_ok("4.0.1-ga"));
    }

    #[test]
    fn heads_follow_the_chain() {
        assert_eq!(head_for(Version(5, 1, 0)), Some("387fcd049efb"));
        assert_eq!(head_for(Version(5, 0, 7)), Some("62a8d746d13b"));
        assert_eq!(head_for(Version(3, 4, 0)), None);
        let mut last = 0;
        for (_, r) in HEADS {
            let p = revision_position(r).unwrap();
            assert!(p >= last);
            last = p;
        }
    }
}
