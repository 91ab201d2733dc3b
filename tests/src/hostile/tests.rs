//! Unit tests of the case table.

use super::*;
use std::collections::HashSet;

#[test]
fn cases_build_with_unique_names() {
    let cases = cases();
    assert!(cases.len() > 100, "{} cases", cases.len());
    let mut names = HashSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "duplicate case name {}", c.name);
        assert!(!c.expect.is_empty() && !c.about.is_empty(), "{}", c.name);
        assert!(!c.bytes.is_empty() || c.name == "empty-file", "{}", c.name);
    }
}

#[test]
fn cases_are_deterministic() {
    let (a, b) = (cases(), cases());
    for (x, y) in a.iter().zip(&b) {
        assert!(x.bytes == y.bytes, "{} differs between runs", x.name);
    }
}

/// The expected codes must exist in `snapshot-core`'s catalogue (read as text: this crate
/// does not depend on the core).
#[test]
fn expected_codes_exist_in_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshot-core/src/code.rs");
    let src = std::fs::read_to_string(path).expect("snapshot-core/src/code.rs is readable");
    let codes: HashSet<&str> = src.split("= \"").skip(1).filter_map(|s| s.split('"').next()).collect();
    for c in cases() {
        for code in c.expect {
            assert!(codes.contains(code), "{}: unknown code {code}", c.name);
        }
    }
    for code in FULL_CODES {
        assert!(codes.contains(code), "FULL_CODES: unknown code {code}");
    }
}
