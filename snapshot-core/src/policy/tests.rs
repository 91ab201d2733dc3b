use super::*;
use crate::report::Verdict;
use crate::{Options, verify};

fn policy(directives: &[(PolicyLevel, &str)]) -> Policy {
    let mut p = Policy::new();
    for (level, text) in directives {
        p.push_str(*level, text).unwrap();
    }
    p
}

fn level_of(p: &Policy, code: &str) -> Option<PolicyLevel> {
    p.decide(Code::from_name(code).unwrap()).map(|d| d.level)
}

use PolicyLevel::{Allow, Deny, Warn};

#[test]
fn selector_names_are_unambiguous() {
    for family in Family::ALL {
        assert!(Code::from_name(family.as_str()).is_none(), "{family:?} is also a code");
    }
    for rule in known_rules() {
        assert!(Code::from_name(rule).is_none() && Family::ALL.iter().all(|f| f.as_str() != rule), "{rule}");
    }
    assert_eq!(Selector::parse("key-material"), Ok(Selector::Code(Code::KeyMaterial)));
    assert_eq!(Selector::parse(" security "), Ok(Selector::Family(Family::Security)));
    assert_eq!(Selector::parse("H12a"), Ok(Selector::Rule("H12a")));
    assert_eq!(Selector::parse("S1"), Ok(Selector::Rule("S1")));
    for bad in ["", "Key-Material", "keymaterial", "H99", "A1/H12", "s1", "*"] {
        let err = Selector::parse(bad).unwrap_err();
        assert_eq!(err, PolicyError::UnknownSelector(bad.to_owned()));
        assert!(err.to_string().contains("is not a finding code"), "{err}");
    }
}

/// Each level on each kind of selector gives the level's severity to exactly the codes the
/// selector names, and leaves every other code at its default.
#[test]
fn matrix_level_by_selector_kind() {
    for level in PolicyLevel::ALL {
        for (text, selected) in [
            ("key-material", vec!["key-material"]),
            ("S1", vec!["secrets-in-clear", "password-hashes"]),
            ("security", vec!["secrets-in-clear", "key-material", "password-hashes"]),
            ("H12", vec!["trailing-data", "archive-comment", "comment-length-mismatch", "signature-in-comment"]),
        ] {
            let p = policy(&[(level, text)]);
            for &code in Code::ALL {
                let (severity, by) = p.effective(code);
                if selected.contains(&code.as_str()) {
                    assert_eq!(severity, level.severity(), "{text} {level:?} {code:?}");
                    assert_eq!(by.unwrap().selector.as_str(), text.trim());
                } else if !Selector::parse(text).unwrap().matches(code) {
                    assert_eq!((severity, by), (code.default_severity(), None), "{text} {code:?}");
                }
            }
        }
    }
}

#[test]
fn code_beats_rule_beats_family_whatever_the_order() {
    let orders: [&[(PolicyLevel, &str)]; 2] = [
        &[(Deny, "key-material"), (Warn, "S2"), (Allow, "security")],
        &[(Allow, "security"), (Warn, "S2"), (Deny, "key-material")],
    ];
    for order in orders {
        let p = policy(order);
        assert_eq!(level_of(&p, "key-material"), Some(Deny), "{order:?}");
        assert_eq!(level_of(&p, "secrets-in-clear"), Some(Allow), "{order:?}");
        assert_eq!(level_of(&p, "trailing-data"), None);
    }
    // A rule beats a family.
    let p = policy(&[(Deny, "S1"), (Allow, "security")]);
    assert_eq!(level_of(&p, "secrets-in-clear"), Some(Deny));
    assert_eq!(level_of(&p, "key-material"), Some(Allow));
}

#[test]
fn later_directives_override_earlier_ones_of_the_same_specificity() {
    let p = policy(&[(Allow, "key-material"), (Deny, "key-material")]);
    assert_eq!(level_of(&p, "key-material"), Some(Deny));
    assert_eq!(p.directives().len(), 1, "a repeated selector keeps only its last directive");
    let p = policy(&[(Deny, "key-material"), (Allow, "key-material")]);
    assert_eq!(level_of(&p, "key-material"), Some(Allow));
    // Two rules of one code (trailing-data is A1/H12): the later wins.
    let p = policy(&[(Allow, "A1"), (Deny, "H12")]);
    assert_eq!(level_of(&p, "trailing-data"), Some(Deny));
    let p = policy(&[(Deny, "H12"), (Allow, "A1")]);
    assert_eq!(level_of(&p, "trailing-data"), Some(Allow));
}

#[test]
fn one_source_cannot_list_a_selector_twice() {
    let mut p = Policy::new();
    let err = p.extend_lists(&["key-material"], &[], &["key-material"]).unwrap_err();
    assert_eq!(err, PolicyError::Conflict { selector: "key-material".into(), first: Allow, second: Deny });
    let mut p = Policy::new();
    p.extend_lists(&["security"], &["S1"], &["key-material"]).unwrap();
    assert_eq!(level_of(&p, "password-hashes"), Some(Warn));
    let mut p = Policy::new();
    assert!(matches!(p.extend_lists::<&str>(&[], &["nope"], &[]), Err(PolicyError::UnknownSelector(_))));
}

#[test]
fn applying_is_idempotent_and_keeps_the_checks_severity() {
    let p = policy(&[(Allow, "key-material")]);
    let mut f = Finding::new(Code::KeyMaterial, "1 private key");
    p.apply(&mut f);
    p.apply(&mut f);
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(
        f.policy,
        Some(PolicyMark { level: Allow, selector: "key-material", original_severity: Severity::Warning })
    );
    // A target-dependent severity is what the mark keeps, not the catalogue default.
    let mut f = Finding::new(Code::KeyMaterial, "x").severity(Severity::Error);
    policy(&[(Warn, "security")]).apply(&mut f);
    assert_eq!((f.severity, f.policy.unwrap().original_severity), (Severity::Warning, Severity::Error));
}

fn sample_report(policy: Policy) -> crate::Report {
    let bytes = snapshot_tests::cloudify::sample().bytes();
    verify(&bytes, &Options { policy, level: crate::Level::Full, file_name: "s.zip".into(), ..Options::default() })
        .unwrap()
}

#[test]
fn the_report_counts_effective_severities_and_records_the_policy() {
    let plain = sample_report(Policy::new());
    let codes: Vec<&str> = plain.findings().iter().map(|f| f.code.as_str()).collect();
    // The sample holds an agent key (a warning) and password hashes (an info).
    assert!(codes.contains(&"key-material") && codes.contains(&"password-hashes"), "{codes:?}");
    assert!(plain.summary().warnings >= 1);
    let json = plain.to_json().unwrap();
    for absent in ["\"policy\"", "\"allowed\"", "\"baseline\"", "original_severity"] {
        assert!(!json.contains(absent), "{absent} without a policy");
    }

    let mut p = Policy::new();
    p.extend_lists(&["key-material", "secrets-in-clear", "password-hashes"], &[], &[]).unwrap();
    let allowed = sample_report(p);
    assert_eq!(allowed.findings().len(), plain.findings().len(), "allowed findings stay");
    assert_eq!(allowed.summary().warnings, plain.summary().warnings - 1);
    assert_eq!(allowed.summary().infos, plain.summary().infos + 1);
    assert_eq!(allowed.summary().allowed, Some(2));
    let key = allowed.findings().iter().find(|f| f.code == Code::KeyMaterial).unwrap();
    assert_eq!(key.severity, Severity::Info);
    let v: serde_json::Value = serde_json::from_str(&allowed.to_json().unwrap()).unwrap();
    assert_eq!(v["settings"]["policy"][0], serde_json::json!({"level": "allow", "selector": "key-material"}));
    assert_eq!(v["settings"]["policy"].as_array().unwrap().len(), 3);
    let marked: Vec<_> = v["findings"].as_array().unwrap().iter().filter(|f| f.get("policy").is_some()).collect();
    assert_eq!(marked.len(), 2);
    assert!(marked.iter().all(|f| f["severity"] == "info" && f["policy"]["level"] == "allow"));
    let originals: Vec<_> = marked.iter().map(|f| f["policy"]["original_severity"].as_str().unwrap()).collect();
    assert!(originals.contains(&"warning") && originals.contains(&"info"), "{originals:?}");

    let denied = sample_report(policy(&[(Deny, "security")]));
    assert_eq!(denied.verdict(), Verdict::Fail);
    assert!(denied.summary().errors >= 2 && denied.summary().allowed == Some(0));
    assert_eq!(denied.summary().warnings, plain.summary().warnings - 1);
}

#[test]
fn a_pushed_finding_gets_the_policy_too() {
    let mut r = sample_report(policy(&[(Deny, "verification-incomplete")]));
    let before = r.summary().errors;
    r.push_finding(Finding::new(Code::VerificationIncomplete, "stopped"));
    assert_eq!(r.summary().errors, before + 1);
}

#[test]
fn baseline_matches_by_code_path_and_rule_only() {
    let mut r = sample_report(Policy::new());
    let known: Vec<BaselineKey> =
        r.findings().iter().filter(|f| f.code == Code::KeyMaterial).map(BaselineKey::of).collect();
    assert!(!known.is_empty());
    r.apply_baseline(&Baseline::new(known));
    let s = r.summary().baseline.unwrap();
    assert_eq!(s.known, 1);
    assert_eq!(s.new_warnings, r.summary().warnings - 1);
    // Same code, path and rule, different message and offset: still known.
    let mut f = Finding::new(Code::TrailingData, "12 bytes follow").at_offset(100).at_path("x");
    let b = Baseline::new([BaselineKey::of(&Finding::new(Code::TrailingData, "9 bytes").at_offset(7).at_path("x"))]);
    assert!(b.contains(&f));
    f.path = Some("y".into());
    assert!(!b.contains(&f), "another path is a new finding");
    assert!(!b.contains(&Finding::new(Code::TrailingData, "")), "no path is not path x");
}
