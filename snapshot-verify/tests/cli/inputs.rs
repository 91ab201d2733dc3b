//! Bad input at the command line: special files, symbolic link loops, dangling links and bad
//! option values end in a clear error (exit 2) within a bound, never a hang.

use snapshot_tests::cloudify::sample;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a bounded run printed and how it exited.
struct Bounded {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `snapshot-verify args…` in `cwd`, killing it (and failing the test) after 60 s.
fn run_bounded(cwd: &Path, args: &[&str]) -> Bounded {
    let mut child = Command::new(env!("CARGO_BIN_EXE_snapshot-verify"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("snapshot-verify {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Bounded {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn a_named_pipe_is_not_a_regular_file_by_name_or_glob_and_is_skipped_inside_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mkfifo(&d.join("pipe.zip"));
    for args in [&["check", "pipe.zip"][..], &["check", "pipe.*"], &["inspect", "pipe.zip"], &["hash", "pipe.zip"]] {
        let r = run_bounded(d, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("pipe.zip is not a regular file: it is a named pipe (FIFO)"),
            "{args:?}: {}",
            r.stderr
        );
    }
    // Inside a directory argument it is skipped, as ripgrep skips special files when it walks.
    let r = run_bounded(d, &["check", "."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no *.zip files in directory ."), "{}", r.stderr);
    std::fs::write(d.join("good.zip"), sample().bytes()).unwrap();
    let r = run_bounded(d, &["check", "--format", "json", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reports: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["file"]["name"], "good.zip");
}

#[test]
fn devices_are_not_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    for (path, what) in [("/dev/zero", "a character device"), ("/dev/null", "a character device")] {
        let r = run_bounded(dir.path(), &["check", path]);
        assert_eq!(r.code, 2, "{path}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("{path} is not a regular file: it is {what}")), "{}", r.stderr);
    }
}

#[test]
fn dangling_links_and_link_loops_are_errors_and_directory_loops_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    symlink("missing.zip", d.join("dangling.zip")).unwrap();
    symlink("loop-b.zip", d.join("loop-a.zip")).unwrap();
    symlink("loop-a.zip", d.join("loop-b.zip")).unwrap();
    for name in ["dangling.zip", "loop-a.zip"] {
        let r = run_bounded(d, &["check", name]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("error: {name}: could not open the file")), "{}", r.stderr);
    }
    // A directory that links back to its parent: the walk does not follow directory links,
    // and link loops named *.zip are not regular files, so they are passed over.
    let tree = d.join("tree");
    std::fs::create_dir(&tree).unwrap();
    symlink("..", tree.join("up")).unwrap();
    symlink(".", tree.join("self")).unwrap();
    std::fs::write(tree.join("good.zip"), sample().bytes()).unwrap();
    let r = run_bounded(d, &["check", "--format", "json", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reports: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(reports.len(), 1, "{}", r.stdout);
}

#[test]
fn invalid_option_values_are_usage_errors_naming_the_value() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.zip"), sample().bytes()).unwrap();
    for (args, value) in [
        (&["check", "--target-version", "banana", "a.zip"][..], "banana"),
        (&["inspect", "--target-version", "7", "a.zip"], "7"),
        (&["check", "--jobs", "0", "a.zip"], "0"),
        (&["check", "--max-duration", "-1", "a.zip"], "-1"),
        (&["check", "--max-duration", "0", "a.zip"], "0"),
        (&["check", "--edition", "gold", "a.zip"], "gold"),
    ] {
        let r = run_bounded(dir.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains(&format!("'{value}'")) || r.stderr.contains(&format!("`{value}`")),
            "{args:?}: {}",
            r.stderr
        );
    }
    // What the core's lenient parser takes is still taken, and echoed as written.
    let r = run_bounded(dir.path(), &["inspect", "--format", "json", "--target-version", "7.0", "a.zip"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["settings"]["target_version"], "7.0");
}
