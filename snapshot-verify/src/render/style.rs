//! Colour for the human format: on only when stdout is a terminal and `NO_COLOR` is unset or
//! empty (<https://no-color.org>). Callers pad text before painting it, so escape codes never
//! break column alignment.

use snapshot_core::Severity;
use std::io::IsTerminal;

/// Whether and how to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set to a non-empty value.
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: !no_color && std::io::stdout().is_terminal() }
    }

    fn paint(self, sgr: &str, text: &str) -> String {
        if self.color { format!("\x1b[{sgr}m{text}\x1b[0m") } else { text.to_owned() }
    }

    /// Bold.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Bold red.
    pub fn red(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// Bold yellow.
    pub fn yellow(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    /// Bold green.
    pub fn green(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// Cyan.
    pub fn cyan(self, text: &str) -> String {
        self.paint("36", text)
    }

    /// `text` in the colour of `severity`.
    pub fn severity(self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.red(text),
            Severity::Warning => self.yellow(text),
            Severity::Info => self.cyan(text),
        }
    }
}
