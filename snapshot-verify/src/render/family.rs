//! Check families: the JUnit test cases a file's findings are grouped into.
//!
//! A code's family follows from the first rule it implements: the ZIP container rules split
//! into `container` (end records, directory, headers, coverage: A1, A2, H4, H6, H7, H10–H14,
//! H24), `data` (methods, encryption, CRC and sizes: A3–A5, H3, H15–H18, H21, H22, and F, the
//! "not inspected" note) and `names` (A6–A9, H1, H2, H8, H9, H19, H20, H23); B rules and the
//! era check are `metadata`; C and D rules, nested archives (H5) and the disk estimate (A10)
//! are `payload`; codes named `target-*` and the restore advisories (ADV) are `target`; S
//! rules are `security`.

use snapshot_core::Code;

/// Every family, in report order.
pub const FAMILIES: [&str; 7] = ["container", "data", "names", "metadata", "payload", "target", "security"];

/// The family of `code`.
pub fn family(code: Code) -> &'static str {
    if code.as_str().starts_with("target-") {
        return "target";
    }
    let rule = code.rule().split('/').next().unwrap_or_default();
    let (letter, number) = rule.split_at(rule.find(|c: char| c.is_ascii_digit()).unwrap_or(rule.len()));
    let number: u32 = number.parse().unwrap_or(0);
    match (letter, number) {
        ("A", 1 | 2) => "container",
        ("A", 3..=5) => "data",
        ("A", 6..=9) => "names",
        ("A", _) => "payload",
        ("H", 4 | 6 | 7 | 10..=14 | 24) => "container",
        ("H", 3 | 15..=18 | 21 | 22) => "data",
        ("H", 5) => "payload",
        ("H", _) => "names",
        ("B" | "§", _) => "metadata",
        ("C" | "D", _) => "payload",
        ("S", _) => "security",
        ("ADV", _) => "target",
        _ => "data",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_family_and_the_examples_land_where_expected() {
        for &code in Code::ALL {
            assert!(FAMILIES.contains(&family(code)), "{}", code.as_str());
        }
        let cases = [
            ("truncated", "container"),
            ("hidden-local-header", "container"),
            ("crc-mismatch", "data"),
            ("ratio-impossible", "data"),
            ("quick-limit", "data"),
            ("path-traversal", "names"),
            ("symlink-entry", "names"),
            ("windows-unsafe-name", "names"),
            ("not-a-snapshot", "metadata"),
            ("era-mismatch", "metadata"),
            ("routing-hazard", "metadata"),
            ("payload-missing", "payload"),
            ("nested-archive-invalid", "payload"),
            ("advice-restore-disk", "payload"),
            ("tenant-empty", "payload"),
            ("target-file-required", "target"),
            ("target-routes-new-path", "target"),
            ("advice-install-new-agents", "target"),
            ("secrets-in-clear", "security"),
        ];
        for (name, want) in cases {
            assert_eq!(family(Code::from_name(name).unwrap()), want, "{name}");
        }
    }
}
