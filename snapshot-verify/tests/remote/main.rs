//! Remote sources (issue 11): archives read through URLs from servers this test starts on
//! 127.0.0.1 — a small HTTP server with fault injection ([`http`]) and an S3-compatible one
//! (`s3s-fs`, [`s3`]). Nothing leaves the machine; every server stops when its test ends.

#![allow(clippy::disallowed_methods, reason = "tests run servers, threads and the binary")]
#![allow(clippy::print_stderr, reason = "the measured cost of a quick check is shown with --nocapture")]

mod clouds;
mod http;
mod s3;

use http::{Fault, Server};
use s3::S3;
use serde_json::Value;
use snapshot_tests::cloudify::{self, sample};
use snapshot_tests::zipw::Entry;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// What a run printed and how it exited.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Runs the binary with only `env` (plus PATH and HOME): nothing of the caller's AWS_*,
/// GOOGLE_* or AZURE_* variables reaches it.
fn run(args: &[&str], env: &[(&str, String)]) -> Run {
    let start = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_snapshot-verify"));
    cmd.args(args).env_clear().env("NO_COLOR", "1");
    for var in ["PATH", "HOME"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        took: start.elapsed(),
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// A report without what depends on where it was read from.
fn comparable(mut report: Value) -> Value {
    report.as_object_mut().unwrap().remove("source");
    report
}

fn local(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// An archive with a large incompressible member between small ones: what a quick check must
/// not download.
fn big_archive(mib: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let big: Vec<u8> = (0..mib << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let mut zip = sample().zip();
    zip = zip.push(Entry::file("resources/blobs/big.bin", big).stored());
    for i in 0..200 {
        zip = zip
            .push(Entry::file(format!("resources/blueprints/b{i}/blueprint.yaml"), format!("tosca: {i}\n").repeat(40)));
    }
    zip.build()
}

#[test]
fn http_reports_equal_local_reports_and_record_what_they_cost() {
    let bytes = sample().bytes();
    let dir = tempfile::tempdir().unwrap();
    let path = local(dir.path(), "sample.zip", &bytes);
    let server = Server::start(bytes.clone(), Fault::None);
    let url = server.url("backups/sample.zip");
    for level in ["quick", "full"] {
        let args = |src: &str| {
            vec!["check", src, "--level", level, "--sha256", "--format", "json"]
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let l = run(&args(&path).iter().map(String::as_str).collect::<Vec<_>>(), &[]);
        let r = run(&args(&url).iter().map(String::as_str).collect::<Vec<_>>(), &[]);
        assert_eq!(l.code, r.code, "{}", r.stderr);
        let (lj, rj) = (json(&l.stdout), json(&r.stdout));
        assert!(lj.get("source").is_none(), "local reports have no source");
        let source = &rj["source"];
        assert_eq!(source["url"], url.as_str());
        let fetched = source["bytes_fetched"].as_u64().unwrap();
        assert!(fetched >= bytes.len() as u64 / 2 && fetched <= bytes.len() as u64 * 2, "{source}");
        // Over HTTP the first request is a GET of the last 256 KiB, which holds all of it.
        assert_eq!(source["requests"].as_u64(), Some(1), "{source}");
        let schema = json(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/report.schema.json")).unwrap(),
        );
        let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
        let errors: Vec<String> = validator.iter_errors(&rj).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "the remote report follows the schema: {errors:#?}");
        assert_eq!(comparable(rj), comparable(lj), "{level}");
    }
    // The jsonl progress events carry what the transfer cost so far.
    let r = run(&["check", &url, "--format", "jsonl"], &[]);
    let progress: Vec<Value> = r.stdout.lines().map(json).filter(|l| l["event"] == "progress").collect();
    assert!(
        !progress.is_empty()
            && progress.iter().all(|p| p["bytes_fetched"].as_u64() > Some(0) && p["requests"].as_u64() > Some(0)),
        "{}",
        r.stdout
    );
    // inspect, hash and manifest take URLs too.
    let r = run(&["inspect", &url, "--format", "json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["hash", &url], &[]);
    assert_eq!(r.stdout, format!("{}  {url}\n", snapshot_core::sha256::sha256_hex(&bytes)));
    let made = run(&["manifest", "create", &url], &[]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let manifest = dir.path().join("m.json");
    std::fs::write(&manifest, &made.stdout).unwrap();
    let r = run(&["manifest", "verify", &url, manifest.to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run(&["manifest", "verify", &path, manifest.to_str().unwrap()], &[]);
    assert_eq!(r.code, 0, "the remote manifest matches the local file: {}", r.stdout);
}

/// Runs `check --level full` of an archive larger than the first read on `fault` and returns
/// the run and the server.
fn faulty(fault: Fault, extra: &[&str]) -> (Run, Server) {
    let server = Server::start(big_archive(2), fault);
    let url = server.url("s.zip");
    let mut args = vec!["check", url.as_str(), "--level", "full", "--sha256", "--timeout", "1"];
    args.extend_from_slice(extra);
    (run(&args, &[]), server)
}

#[test]
fn transient_failures_are_retried_and_the_check_completes() {
    for fault in [Fault::Fail500(2), Fault::Drop(1)] {
        let (r, _) = faulty(fault.clone(), &[]);
        assert_eq!(r.code, 0, "{fault:?}: {}", r.stderr);
    }
}

#[test]
fn each_fault_is_a_could_not_run_error_that_names_its_cause() {
    let cases: [(Fault, &str); 6] = [
        (Fault::Status(403), "access denied (HTTP 403)"),
        (Fault::Status(404), "no such bucket or key (HTTP 404)"),
        (Fault::Fail500(1000), "kept failing (HTTP 500)"),
        (Fault::IgnoreRange, "ignored the Range header"),
        (Fault::ReplaceAfter(1), "the object changed during the check"),
        (Fault::Slow(Duration::from_secs(30)), "no answer within the timeout"),
    ];
    for (fault, want) in cases {
        let (r, server) = faulty(fault.clone(), &[]);
        assert_eq!(r.code, 2, "{fault:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(want), "{fault:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        // Bounded: four attempts of at most 1 s each, plus backoff.
        assert!(r.took < Duration::from_secs(20), "{fault:?} took {:?}", r.took);
        if let Fault::IgnoreRange = fault {
            // The whole body was offered, and the client stopped reading it.
            assert!(server.sent() < 4 * big_archive(2).len() as u64, "{}", server.sent());
        }
    }
}

#[test]
fn an_empty_object_over_http_is_a_finding_not_a_failure() {
    // The first request, a GET of the last 256 KiB, is unsatisfiable (416): a HEAD follows.
    let server = Server::start(Vec::new(), Fault::None);
    let r = run(&["check", &server.url("e/empty.zip"), "--format", "json"], &[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let report = json(&r.stdout);
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["code"] == "empty-file"), "{report}");
    assert_eq!(report["source"]["requests"].as_u64(), Some(2), "{}", report["source"]);
}

#[test]
fn a_presigned_query_string_is_sent_with_every_request_and_never_shown() {
    let canary = "X-Amz-Credential=AKIACANARY&X-Amz-Signature=deadbeefCANARY0123";
    let server = Server::start(sample().bytes(), Fault::RequireQuery(canary.into()));
    let url = format!("{}?{canary}", server.url("presigned/s.zip"));
    let mut outputs = String::new();
    for format in ["human", "json", "jsonl", "junit", "github", "markdown"] {
        let r = run(&["check", &url, "--sha256", "--format", format], &[]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        outputs += &r.stdout;
        outputs += &r.stderr;
    }
    let r = run(&["check", &url, "--format", "json"], &[]);
    assert_eq!(json(&r.stdout)["source"]["url"], server.url("presigned/s.zip"));
    // The same URL against a server that refuses it: the error names no secret either.
    let refusing = Server::start(sample().bytes(), Fault::Status(403));
    let bad = format!("{}?{canary}", refusing.url("p/s.zip"));
    for args in [
        vec!["check", bad.as_str()],
        vec!["inspect", bad.as_str()],
        vec!["hash", bad.as_str()],
        vec!["manifest", "create", bad.as_str()],
    ] {
        let r = run(&args, &[]);
        assert_eq!(r.code, 2, "{args:?}");
        outputs += &r.stdout;
        outputs += &r.stderr;
    }
    assert!(server.requests() > 0);
    assert!(!outputs.contains("CANARY") && !outputs.contains("deadbeef"), "{outputs}");
}

#[test]
fn s3_parity_over_every_generated_fixture() {
    let server = S3::start();
    let dir = tempfile::tempdir().unwrap();
    let mut objects = Vec::new();
    for s in cloudify::era_samples() {
        objects.push((s.file_name(), s.bytes()));
    }
    for c in snapshot_tests::hostile::cases() {
        objects.push((c.file_name(), c.bytes.clone()));
    }
    for c in cloudify::rules::rule_cases() {
        objects.push((c.file_name(), c.bytes.clone()));
    }
    objects.sort();
    objects.dedup_by(|a, b| a.0 == b.0);
    for (name, bytes) in &objects {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    server.put(&objects.iter().map(|(n, b)| (format!("fixtures/{n}"), b.clone())).collect::<Vec<_>>());
    let env = server.env();
    let base = format!("s3://{}/fixtures/", s3::BUCKET);
    for level in ["quick", "full"] {
        let l = run(&["check", dir.path().to_str().unwrap(), "--level", level, "--format", "json"], &[]);
        let r = run(&["check", &base, "--level", level, "--format", "json"], &env);
        assert_eq!(l.code, r.code, "{}", r.stderr);
        let (lj, rj) = (json(&l.stdout), json(&r.stdout));
        let (la, ra) = (lj.as_array().unwrap(), rj.as_array().unwrap());
        assert_eq!(la.len(), objects.len());
        assert_eq!(ra.len(), la.len());
        for (a, b) in la.iter().zip(ra) {
            let name = a["file"]["name"].as_str().unwrap();
            assert_eq!(b["source"]["url"], format!("s3://{}/fixtures/{name}", s3::BUCKET));
            assert_eq!(comparable(b.clone()), comparable(a.clone()), "{name} at {level}");
        }
    }
}

#[test]
fn s3_listing_shards_and_costs() {
    let server = S3::start();
    let env = server.env();
    let big = big_archive(48);
    let mut objects = vec![("nightly/big.zip".to_owned(), big.clone())];
    for i in 0..12 {
        objects.push((format!("nightly/s{i:02}/s{i:02}.zip"), sample().bytes()));
    }
    objects.push(("nightly/notes.txt".into(), b"not an archive".to_vec()));
    server.put(&objects);
    // A quick check of the big archive reads its end, its directory and its headers only.
    let url = format!("s3://{}/nightly/big.zip", s3::BUCKET);
    let r = run(&["check", &url, "--level", "quick", "--format", "json"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let source = &json(&r.stdout)["source"];
    let (fetched, requests) = (source["bytes_fetched"].as_u64().unwrap(), source["requests"].as_u64().unwrap());
    eprintln!("quick check of a {} byte archive: {fetched} bytes in {requests} requests", big.len());
    assert!(fetched * 50 < big.len() as u64, "at most 2%: {fetched} of {}", big.len());
    assert!(requests <= 12, "{requests} requests");
    // Full with SHA-256: the file crosses the network about once.
    let r = run(&["check", &url, "--sha256", "--format", "json"], &env);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = json(&r.stdout);
    assert_eq!(report["file"]["sha256"], snapshot_core::sha256::sha256_hex(&big));
    let fetched = report["source"]["bytes_fetched"].as_u64().unwrap();
    eprintln!("full check + sha256: {fetched} bytes in {} requests", report["source"]["requests"]);
    assert!(fetched <= big.len() as u64 * 5 / 4, "{fetched} of {}", big.len());
    // A prefix lists every *.zip under it; shards partition the listing.
    let prefix = format!("s3://{}/nightly/", s3::BUCKET);
    let all = run(&["hash", &prefix], &env);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert_eq!(all.stdout.lines().count(), 13, "{}", all.stdout);
    assert!(!all.stdout.contains("notes.txt"));
    let mut union: Vec<String> = Vec::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        let r = run(&["hash", &prefix, "--shard", &shard], &env);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout, run(&["hash", &prefix, "--shard", &shard], &env).stdout, "stable");
        union.extend(r.stdout.lines().map(str::to_owned));
    }
    union.sort();
    let mut every: Vec<String> = all.stdout.lines().map(str::to_owned).collect();
    every.sort();
    assert_eq!(union, every, "the shards partition the listing");
    // Globs work on the key.
    let r = run(&["hash", &format!("s3://{}/nightly/s0*/*.zip", s3::BUCKET)], &env);
    assert_eq!(r.stdout.lines().count(), 10, "{}", r.stdout);
    // A listing with no archive, a missing key, and no credentials.
    let r = run(&["check", &format!("s3://{}/empty/", s3::BUCKET)], &env);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no *.zip under s3://snapshots/empty/"), "{}", r.stderr);
    let r = run(&["check", &format!("s3://{}/nightly/missing.zip", s3::BUCKET)], &env);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no such bucket or key"), "{}", r.stderr);
    let no_creds: Vec<(&str, String)> = env.iter().filter(|(k, _)| !k.contains("KEY")).cloned().collect();
    let r = run(&["check", &url], &no_creds);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no credentials found: set AWS_ACCESS_KEY_ID"), "{}", r.stderr);
}

#[test]
fn s3_credentials_are_never_printed() {
    let server = S3::start();
    server.put(&[("a/s.zip".to_owned(), sample().bytes())]);
    let url = format!("s3://{}/a/s.zip", s3::BUCKET);
    let mut outputs = String::new();
    // Right credentials: every format; wrong secret (403 SignatureDoesNotMatch): the error.
    let good = server.env();
    let mut bad = server.env();
    for (k, v) in bad.iter_mut() {
        if *k == "AWS_SECRET_ACCESS_KEY" {
            *v = "wrong-secret-CANARY-b0c4".into();
        }
    }
    bad.push(("AWS_SESSION_TOKEN", "token-CANARY-e71d".into()));
    for format in ["human", "json", "jsonl", "junit", "github", "markdown"] {
        let r = run(&["check", &url, "--sha256", "--format", format], &good);
        assert_eq!(r.code, 0, "{}", r.stderr);
        outputs += &r.stdout;
        outputs += &r.stderr;
        let r = run(&["check", &url, "--format", format], &bad);
        assert_eq!(r.code, 2, "{}", r.stdout);
        outputs += &r.stdout;
        outputs += &r.stderr;
    }
    let r = run(&["check", &url, "--storage-option", "aws_secret_access_key=opt-CANARY-91aa"], &good);
    assert_eq!(r.code, 2);
    outputs += &r.stderr;
    let r = run(&["check", &url, "--storage-option", "nonsense=CANARY-value"], &good);
    assert_eq!(r.code, 2);
    outputs += &r.stderr;
    assert!(!outputs.contains("CANARY"), "{outputs}");
    assert!(outputs.contains("could not read") || outputs.contains("HTTP 403"), "{outputs}");
}
