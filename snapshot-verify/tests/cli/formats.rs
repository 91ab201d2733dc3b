//! Every output format on one directory of mixed fixtures (issue 6): insta snapshots of each,
//! JSON and JSON Lines parsed and their reports validated against `schema/report.schema.json`,
//! JUnit checked against the Jenkins `junit-10.xsd` structure.

use crate::util::{mixed_dir, run, settings};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::Value;
use std::collections::HashMap;

/// The files of [`mixed_dir`] in the order the program reports them (sorted paths), with
/// whether each fails and the number of JUnit testcases of each that have a failure.
const FILES: [&str; 5] =
    ["mixed/crc.zip", "mixed/good.zip", "mixed/new/n1.zip", "mixed/text.zip", "mixed/truncated.zip"];

fn check(format: &str) -> crate::util::Run {
    let dir = mixed_dir();
    let r = run(dir.path(), &["check", "--jobs", "1", "--format", format, "mixed"]);
    assert_eq!(r.code, 1, "{format}: {}", r.stderr);
    assert!(r.stderr.is_empty(), "{format}: {}", r.stderr);
    r
}

#[test]
fn human() {
    let r = check("human");
    for f in FILES {
        assert!(r.stdout.contains(&format!("{f}  ")), "{f} missing");
    }
    assert!(r.stdout.contains("5 files: 2 passed, 3 failed"), "{}", r.stdout);
    settings().bind(|| insta::assert_snapshot!("format_human", r.stdout));
}

#[test]
fn json() {
    let r = check("json");
    let reports: Vec<Value> = serde_json::from_str(&r.stdout).expect("a JSON array");
    let names: Vec<&str> = reports.iter().map(|r| r["file"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["crc.zip", "good.zip", "n1.zip", "text.zip", "truncated.zip"]);
    for report in &reports {
        assert_schema(report);
    }
    let verdicts: Vec<&str> = reports.iter().map(|r| r["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts[0], "fail");
    assert_ne!(verdicts[1], "fail");
    assert_ne!(verdicts[2], "fail");
    assert_eq!(&verdicts[3..], ["fail", "fail"]);
    settings().bind(|| insta::assert_snapshot!("format_json", r.stdout));
}

#[test]
fn jsonl() {
    let r = check("jsonl");
    let events: Vec<Value> =
        r.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON object a line")).collect();
    let kinds = |kind: &str| events.iter().filter(|e| e["event"] == kind).count();
    assert_eq!(kinds("file-start"), 5);
    assert_eq!(kinds("file-done"), 5);
    assert_eq!(events.last().unwrap()["event"], "summary");
    assert_eq!(events.last().unwrap()["exit_code"], 1);
    // Full runs report the data pass starting (done 0) and ending (done == total).
    let progress: Vec<&Value> = events.iter().filter(|e| e["event"] == "progress").collect();
    assert!(progress.iter().any(|p| p["done"] == 0));
    assert!(progress.iter().any(|p| p["done"] == p["total"] && p["total"].as_u64().unwrap() > 0));
    let findings = events.iter().filter(|e| e["event"] == "finding").count();
    let reported: usize = events
        .iter()
        .filter(|e| e["event"] == "file-done")
        .map(|e| e["report"]["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(findings, reported);
    for done in events.iter().filter(|e| e["event"] == "file-done") {
        assert_schema(&done["report"]);
    }
    // Running progress is throttled by time, so it is left out of the snapshot.
    let stable: Vec<&str> = r.stdout.lines().filter(|l| !l.contains(r#""event":"progress""#)).collect();
    settings().bind(|| insta::assert_snapshot!("format_jsonl", stable.join("\n")));
}

#[test]
fn junit() {
    let r = check("junit");
    let suites = validate_junit(&r.stdout);
    assert_eq!(suites.len(), 5);
    let by_name: HashMap<&str, &Suite> = suites.iter().map(|s| (s.name.as_str(), s)).collect();
    assert_eq!(by_name["mixed/good.zip"].failed_cases, Vec::<String>::new());
    assert_eq!(by_name["mixed/crc.zip"].failed_cases, ["data"]);
    assert_eq!(by_name["mixed/text.zip"].failed_cases, ["container"]);
    assert!(by_name["mixed/truncated.zip"].failed_cases.contains(&"container".to_owned()));
    for s in &suites {
        assert_eq!(s.cases, ["container", "data", "names", "metadata", "payload", "target", "security"]);
    }
    settings().bind(|| insta::assert_snapshot!("format_junit", r.stdout));
}

#[test]
fn github() {
    let r = check("github");
    for line in r.stdout.lines() {
        if let Some(rest) = line.strip_prefix("::") {
            let (command, message) = rest.split_once("::").expect("::cmd props::message");
            let (level, props) = command.split_once(' ').expect("a level and properties");
            assert!(["error", "warning"].contains(&level), "{line}");
            assert!(props.starts_with("file=mixed/") && props.contains(",title="), "{line}");
            assert!(!message.contains('\n') && !message.is_empty());
        } else {
            assert!(line.starts_with("snapshot-verify: "), "{line}");
        }
    }
    assert!(r.stdout.contains("::error file=mixed/crc.zip,title=crc-mismatch::"));
    assert!(r.stdout.contains("::error file=mixed/text.zip,title=not-a-zip::"));
    settings().bind(|| insta::assert_snapshot!("format_github", r.stdout));
}

#[test]
fn markdown() {
    let r = check("markdown");
    assert!(r.stdout.starts_with("## snapshot-verify: 5 files, 3 failed\n"));
    let rows = r.stdout.lines().filter(|l| l.starts_with("| `mixed/")).count();
    assert_eq!(rows, 5);
    settings().bind(|| insta::assert_snapshot!("format_markdown", r.stdout));
}

/// Validates a report against the repository's `schema/report.schema.json`.
fn assert_schema(report: &Value) {
    let schema: Value =
        serde_json::from_str(include_str!("../../../schema/report.schema.json")).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", report["file"]["name"]);
}

/// One `<testsuite>` as read back.
#[derive(Debug)]
struct Suite {
    name: String,
    cases: Vec<String>,
    failed_cases: Vec<String>,
}

/// Parses a JUnit document and checks it against the structure of Jenkins' `junit-10.xsd`:
/// which element may hold which (and in what order), required attributes, integer counts,
/// decimal times, and that the counts agree with the testcases. Returns the suites.
fn validate_junit(xml: &str) -> Vec<Suite> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<String> = Vec::new();
    // The last child element seen under each open element, to check sequence order.
    let mut last_child: Vec<usize> = Vec::new();
    let mut suites: Vec<Suite> = Vec::new();
    let mut suite_attrs: Vec<HashMap<String, String>> = Vec::new();
    let mut root: HashMap<String, String> = HashMap::new();
    let mut case_failed = false;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.name().as_ref().to_owned();
            let attrs = attributes(&e);
            let parent = stack.last().map(String::as_str).unwrap_or("");
            // Allowed children, in sequence order.
            let order: &[&str] = match parent {
                "" => &["testsuites"],
                "testsuites" => &["testsuite"],
                "testsuite" => &["properties", "testcase", "system-out", "system-err"],
                "properties" => &["property"],
                "testcase" => &["skipped", "error", "failure", "system-out", "system-err"],
                other => panic!("<{other}> may not contain <{name}>"),
            };
            let pos = order.iter().position(|n| *n == name).unwrap_or_else(|| panic!("<{name}> inside <{parent}>"));
            if let Some(last) = last_child.last_mut() {
                assert!(pos >= *last, "<{name}> out of order inside <{parent}>");
                *last = pos;
            }
            let required: &[&str] = match name.as_str() {
                "testsuite" => &["name", "tests"],
                "testcase" => &["name"],
                "property" => &["name", "value"],
                _ => &[],
            };
            for r in required {
                assert!(attrs.contains_key(*r), "<{name}> lacks {r}");
            }
            for (k, v) in &attrs {
                if ["tests", "failures", "errors", "skipped", "disabled"].contains(&k.as_str()) {
                    v.parse::<u64>().unwrap_or_else(|_| panic!("{k}={v} is not an integer"));
                }
                if k == "time" {
                    v.parse::<f64>().unwrap_or_else(|_| panic!("time={v} is not a decimal"));
                }
            }
            match name.as_str() {
                "testsuites" => root = attrs.clone(),
                "testsuite" => {
                    suites.push(Suite { name: attrs["name"].clone(), cases: vec![], failed_cases: vec![] });
                    suite_attrs.push(attrs.clone());
                }
                "testcase" => {
                    suites.last_mut().unwrap().cases.push(attrs["name"].clone());
                    case_failed = false;
                }
                "failure" if !case_failed => {
                    case_failed = true;
                    let suite = suites.last_mut().unwrap();
                    let case = suite.cases.last().unwrap().clone();
                    suite.failed_cases.push(case);
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
                last_child.push(0);
            }
        }
        match event {
            Event::End(_) => {
                stack.pop();
                last_child.pop();
            }
            Event::Text(t) => {
                let parent = stack.last().map(String::as_str).unwrap_or("");
                let text = t.xml10_content();
                if !["failure", "error", "system-out", "system-err", "skipped"].contains(&parent) {
                    assert!(text.trim().is_empty(), "text inside <{parent}>");
                }
            }
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                assert!(
                    ["amp", "lt", "gt", "quot", "apos"].contains(&name.as_ref()) || name.starts_with('#'),
                    "unknown entity &{name};"
                );
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty());
    let mut totals = (0u64, 0u64);
    for (suite, attrs) in suites.iter().zip(&suite_attrs) {
        assert_eq!(attrs["tests"].parse::<usize>().unwrap(), suite.cases.len(), "{}", suite.name);
        assert_eq!(attrs["failures"].parse::<usize>().unwrap(), suite.failed_cases.len(), "{}", suite.name);
        totals.0 += suite.cases.len() as u64;
        totals.1 += suite.failed_cases.len() as u64;
    }
    assert_eq!(root["tests"].parse::<u64>().unwrap(), totals.0);
    assert_eq!(root["failures"].parse::<u64>().unwrap(), totals.1);
    suites
}

fn attributes(e: &BytesStart) -> HashMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.expect("a well-formed attribute");
            let key = a.key.as_ref().to_owned();
            let value = a.normalized_value(XmlVersion::Implicit1_0).expect("a well-formed value").into_owned();
            (key, value)
        })
        .collect()
}
