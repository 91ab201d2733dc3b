//! `completions SHELL` and `man` are generated from the command-line definition and name every
//! command.

use crate::util::run;
use clap::CommandFactory;
use snapshot_verify::cli::Cli;

/// Every command name, `manifest`'s subcommands included.
fn commands() -> Vec<String> {
    let cli = Cli::command();
    let mut names = Vec::new();
    for c in cli.get_subcommands() {
        names.push(c.get_name().to_owned());
        names.extend(c.get_subcommands().map(|s| s.get_name().to_owned()));
    }
    assert!(names.len() >= 10, "{names:?}");
    names
}

#[test]
fn completions_for_every_shell_name_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(dir.path(), &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("snapshot-verify"), "{shell}");
        for c in commands() {
            assert!(r.stdout.contains(&c), "{shell} completions do not mention `{c}`");
        }
        // Flags too, including the ones of `diff`.
        assert!(r.stdout.contains("fail-on-drop"), "{shell}");
    }
    assert_eq!(run(dir.path(), &["completions", "tcsh"]).code, 2);
}

#[test]
fn bash_accepts_the_completion_script() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["completions", "bash"]);
    let script = dir.path().join("sv.bash");
    std::fs::write(&script, r.stdout).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p snapshot-verify", script.display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("snapshot-verify"));
}

#[test]
fn the_man_page_is_roff_and_names_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(".TH snapshot-verify 1"), "{}", &r.stdout[..200.min(r.stdout.len())]);
    assert!(r.stdout.contains(".SH SUBCOMMANDS") || r.stdout.contains(".SH COMMANDS"));
    for c in Cli::command().get_subcommands() {
        assert!(
            r.stdout.contains(&format!("snapshot\\-verify\\-{}", c.get_name().replace('-', "\\-"))),
            "{}",
            c.get_name()
        );
    }
    // One page per command in a directory.
    let pages = dir.path().join("man1");
    let r = run(dir.path(), &["man", "--dir", "man1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for c in commands() {
        let found = std::fs::read_dir(&pages)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(&format!("-{c}.1")));
        assert!(found, "no page for {c}");
    }
    let diff = std::fs::read_to_string(pages.join("snapshot-verify-diff.1")).unwrap();
    assert!(diff.contains("fail\\-on\\-drop") && diff.contains("diff(1)"), "{diff}");
}
