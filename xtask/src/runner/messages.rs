//! Cargo's messages as data: with `--message-format json-diagnostic-short`
//! or `json`, cargo prints one JSON object per line on stdout; the
//! compiler's diagnostics are those with `"reason": "compiler-message"`,
//! each carrying rustc's own rendering. Only the few fields used here are
//! read (serde structs of our own rather than the `cargo_metadata` crate,
//! so a student's first build compiles less).

use serde::Deserialize;

/// One line of cargo's JSON output.
#[derive(Debug, Deserialize)]
struct Message {
    reason: String,
    message: Option<Diagnostic>,
}

/// A compiler diagnostic.
#[derive(Debug, Deserialize)]
pub struct Diagnostic {
    pub level: Level,
    /// rustc's text: the whole diagnostic (`json`), or one line
    /// (`json-diagnostic-short`).
    pub rendered: Option<String>,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    #[serde(other)]
    Other,
}

/// The compiler's diagnostics in cargo's JSON output `stdout`, in order.
/// Lines that are not JSON (none, from cargo) are skipped.
pub fn diagnostics(stdout: &str) -> Vec<Diagnostic> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Message>(line).ok())
        .filter(|m| m.reason == "compiler-message")
        .filter_map(|m| m.message)
        .collect()
}

/// The first compiler error of a build, as rustc renders it; or, when the
/// compiler reported none (a broken `Cargo.toml`, say), cargo's own
/// complaint from `stderr`, without its progress lines.
pub fn first_compiler_error(stdout: &str, stderr: &str) -> String {
    let first = diagnostics(stdout)
        .into_iter()
        .find(|d| d.level == Level::Error)
        .and_then(|d| d.rendered);
    match first {
        Some(text) => text.trim_end().to_owned(),
        None => stderr
            .lines()
            .filter(|l| !l.trim_start().starts_with("Compiling"))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_compiler_error_keeps_only_the_first_error() {
        let stdout = [
            r#"{"reason":"compiler-artifact","package_id":"x"}"#,
            r#"{"reason":"compiler-message","message":{"level":"warning","rendered":"warning: unused\n\n"}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error[E0425]: cannot find value `x`\n --> src/main.rs:1:1\n  |\n\n"}}"#,
            r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error: aborting\n"}}"#,
            r#"{"reason":"build-finished","success":false}"#,
        ]
        .join("\n");
        assert_eq!(
            first_compiler_error(
                &stdout,
                "   Compiling lab01 v0.1.0\nerror: could not compile\n"
            ),
            "error[E0425]: cannot find value `x`\n --> src/main.rs:1:1\n  |"
        );
        assert_eq!(
            first_compiler_error("", "   Compiling lab01\nerror: failed to parse manifest\n"),
            "error: failed to parse manifest"
        );
    }
}
