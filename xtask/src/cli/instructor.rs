//! The instructor's commands of `cargo xtask` (`starter`,
//! `check-solutions`, `mutants`, `grade`): only with the `instructor`
//! feature, which the starter's `xtask/Cargo.toml` turns off.

use crate::labs::Info;
use anyhow::Result;
use std::path::Path;

/// What the instructor's commands add to `cargo xtask`'s usage.
macro_rules! instructor_usage {
    () => {
        "\
commands for instructors:
  starter --out DIR  write the students' copy: every solution region becomes todo!()
  check-solutions    prove each lab's solution passes, its starter and its mutants fail
  mutants [N…] [--mutant NAME…] [--repeat K]
                     run the mutants of labs N (default: all), or those named, K times each
  grade SUBMISSIONS --out REPORT [--labs 1,2] [--format FORMAT] [--roster FILE]
        [--lab-timeout SECS] [--seed S] [--shard K/N] [--unsafe-no-sandbox]
                     grade every submission (folder, .zip or .tar.gz) of SUBMISSIONS;
                     writes REPORT/grades.csv, grades.json and feedback/STUDENT.md;
                     one seed (S, or a fresh one, in grades.json) for the whole class
                     (FORMAT: exercism, gradescope, canvas or moodle); each submission
                     runs in a bubblewrap sandbox; --shard K/N grades the K-th of N slices
  grade merge REPORT… --out DIR
                     join the slices' reports into the one a single machine writes

"
    };
}

const STARTER_HELP: &str = "\
usage: cargo xtask starter --out DIR

Writes the students' copy of this workspace into DIR: every solution region
becomes todo!(), and .github/workflows/classroom.yml holds GitHub Classroom's
autograding (one step per scenario, worth its points). DIR must be new or
empty. Next: push DIR as the template repository of the assignment.
";

const CHECK_SOLUTIONS_HELP: &str = "\
usage: cargo xtask check-solutions

Proves that each lab's solution passes its scenarios, that the generated
starter fails them, and that each lab's mutants (labs/NN-NAME/mutants.toml)
fail. Run it after changing a lab, the harness or xtask.
";

const MUTANTS_HELP: &str = "\
usage: cargo xtask mutants [N…] [--mutant NAME…] [--repeat K]

Runs the mutants of labs N (every lab's by default), or only those named,
K times each (default 1): each typical mistake of labs/NN-NAME/mutants.toml
must fail a scenario.
";

/// Runs the instructor's command `command` (one of
/// [`super::INSTRUCTOR_COMMANDS`]) with its arguments `rest`, or prints
/// its help: whether it succeeded, or `None` when the arguments are not
/// the command's.
pub fn run(root: &Path, command: &str, rest: &[&str]) -> Result<Option<bool>> {
    let text = match command {
        "starter" => STARTER_HELP,
        "check-solutions" => CHECK_SOLUTIONS_HELP,
        "mutants" => MUTANTS_HELP,
        "grade" => crate::grade::HELP,
        _ => return Ok(None),
    };
    if super::wants_help(rest) {
        return super::help(text).map(Some);
    }
    let info = Info::load(root)?;
    let ok = match command {
        "starter" => {
            let mut parser = lexopt::Parser::from_args(rest.iter().copied());
            let mut out = None;
            while let Some(arg) = parser.next().map_err(usage("starter"))? {
                match arg {
                    lexopt::Arg::Long("out") => {
                        out = Some(std::path::PathBuf::from(
                            parser.value().map_err(usage("starter"))?,
                        ));
                    }
                    other => return Err(usage("starter")(other.unexpected())),
                }
            }
            let out = out.ok_or_else(|| {
                anyhow::anyhow!(
                    "starter needs --out DIR, the folder for the students' copy; see `cargo xtask starter --help`"
                )
            })?;
            crate::starter::run(root, &info, &out)?;
            true
        }
        "check-solutions" if rest.is_empty() => crate::solutions::check_solutions(root, &info)?,
        "mutants" => crate::mutants::run(root, &info, rest)?,
        "grade" if rest.first() == Some(&"merge") => crate::grade::shard::run(&rest[1..])?,
        "grade" => {
            let options = crate::grade::parse_args(rest)?;
            crate::grade::grade(root, &info, &options)?;
            true
        }
        _ => return Ok(None),
    };
    Ok(Some(ok))
}

/// A usage error of COMMAND, pointing at its help.
fn usage(command: &'static str) -> impl Fn(lexopt::Error) -> anyhow::Error {
    move |e| anyhow::anyhow!("{e}; see `cargo xtask {command} --help`")
}
