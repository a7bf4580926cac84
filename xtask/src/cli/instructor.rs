//! The instructor's commands (`starter`, `check-solutions`, `mutants`,
//! `grade`): here only with the `instructor` feature, so a student's copy
//! neither lists them nor compiles the crates only they use.

use super::help::{CHECK_SOLUTIONS_HELP, MUTANTS_HELP, STARTER_HELP};
use crate::labs::Info;
use crate::lang::{Lang, Text};
use anyhow::Result;
use std::path::Path;

/// The help text of an instructor's `command`.
pub(super) fn help(command: &str) -> Text {
    match command {
        "starter" => STARTER_HELP,
        "check-solutions" => CHECK_SOLUTIONS_HELP,
        "mutants" => MUTANTS_HELP,
        // The grader's options, for instructors: English only.
        _ => (crate::grade::HELP, crate::grade::HELP),
    }
}

/// Runs an instructor's `command`; `unknown` when its arguments fit none
/// of its forms.
pub(super) fn run(
    root: &Path,
    info: &Info,
    (command, rest): (&str, &[&str]),
    lang: Lang,
    unknown: impl Fn() -> anyhow::Error,
) -> Result<bool> {
    match command {
        "starter" => {
            let mut parser = lexopt::Parser::from_args(rest.iter().copied());
            let mut out = None;
            while let Some(arg) = parser.next().map_err(usage_error_of("starter", lang))? {
                match arg {
                    lexopt::Arg::Long("out") => {
                        out = Some(std::path::PathBuf::from(
                            parser.value().map_err(usage_error_of("starter", lang))?,
                        ));
                    }
                    other => return Err(usage_error_of("starter", lang)(other.unexpected())),
                }
            }
            let out = out.ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    lang.pick(
                        "starter needs --out DIR, the folder for the students' copy; see `cargo xtask starter --help`",
                        "starter 需要 --out 目录，即学生副本所在的文件夹；见 `cargo xtask starter --help`"
                    )
                )
            })?;
            crate::starter::run(root, info, &out)?;
            Ok(true)
        }
        "check-solutions" if rest.is_empty() => crate::solutions::check_solutions(root, info),
        "mutants" => crate::mutants::run(root, info, rest),
        "grade" if rest.first() == Some(&"merge") => crate::grade::shard::run(&rest[1..]),
        "grade" => {
            let options = crate::grade::parse_args(rest)?;
            crate::grade::grade(root, info, &options)?;
            Ok(true)
        }
        _ => Err(unknown()),
    }
}

/// A usage error of COMMAND, pointing at its help (the argument parser's
/// own words, `{e}`, name the argument).
fn usage_error_of(command: &'static str, lang: Lang) -> impl Fn(lexopt::Error) -> anyhow::Error {
    move |e| {
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::En => format!("{e}; see `cargo xtask {command} --help`"),
                Lang::Zh => format!("{e}；见 `cargo xtask {command} --help`"),
            }
        )
    }
}
