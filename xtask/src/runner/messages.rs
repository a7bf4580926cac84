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
    /// The diagnostic's own words (`unreachable expression`).
    #[serde(default)]
    pub message: String,
    /// Where in the code; the primary span is the place it is about.
    #[serde(default)]
    pub spans: Vec<Span>,
}

/// A place in the code a diagnostic points at.
#[derive(Debug, Deserialize)]
pub struct Span {
    /// Relative to the workspace root for the workspace's own files.
    pub file_name: String,
    pub line_start: u32,
    pub is_primary: bool,
}

/// One of rustc's warnings, where it points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `labs/02-tcp-loop/src/bin/lab02-server.rs`.
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// rustc's warnings about files under `dir` (a lab's `src/`, as
/// `labs/NN-NAME/src/`), each once, in order: the student's own code,
/// not the harness's or another lab's.
pub fn warnings_in(stdout: &str, dir: &str) -> Vec<Warning> {
    let mut out: Vec<Warning> = Vec::new();
    for d in diagnostics(stdout) {
        if d.level != Level::Warning {
            continue;
        }
        let Some(span) = d.spans.iter().find(|s| s.is_primary) else {
            continue;
        };
        let file = span.file_name.replace('\\', "/");
        if !file.starts_with(dir) {
            continue;
        }
        let warning = Warning {
            file,
            line: span.line_start,
            message: d.message.clone(),
        };
        if !out.contains(&warning) {
            out.push(warning);
        }
    }
    out
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
    fn only_the_warnings_about_the_labs_own_files_are_kept_each_once() {
        let warning = |file: &str, line: u32, message: &str| {
            format!(
                r#"{{"reason":"compiler-message","message":{{"level":"warning","message":"{message}","rendered":"warning: {message}","spans":[{{"file_name":"{file}","line_start":{line},"is_primary":true}}]}}}}"#
            )
        };
        let stdout = [
            warning("labs/02-tcp-loop/src/bin/lab02-server.rs", 40, "unreachable expression"),
            warning("labs/02-tcp-loop/src/bin/lab02-server.rs", 40, "unreachable expression"),
            warning("crates/harness/src/lib.rs", 1, "unused import"),
            warning("labs/02-tcp-loop/tests/scenarios.rs", 3, "unused variable"),
            r#"{"reason":"compiler-message","message":{"level":"warning","message":"2 warnings emitted","rendered":"","spans":[]}}"#.to_owned(),
        ]
        .join("\n");
        assert_eq!(
            warnings_in(&stdout, "labs/02-tcp-loop/src/"),
            [Warning {
                file: "labs/02-tcp-loop/src/bin/lab02-server.rs".into(),
                line: 40,
                message: "unreachable expression".into()
            }]
        );
    }

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
