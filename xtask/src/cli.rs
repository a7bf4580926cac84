//! The commands of `cargo xtask`, and their usage.

use crate::check::{self, Style};
use crate::labs::{Info, Lab, workspace_root};
use crate::lang::Lang;
use crate::model::{LabOutcome, LabState, lab_state};
use crate::runner::{RunOptions, run_lab_with};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// The instructor's commands: `cli/instructor.rs`, with the `instructor`
/// feature (the starter turns it off).
#[cfg(feature = "instructor")]
#[macro_use]
mod instructor;

/// What the instructor's commands add to the usage: nothing in a
/// student's copy.
#[cfg(not(feature = "instructor"))]
macro_rules! instructor_usage {
    () => {
        ""
    };
}

/// The instructor's commands, answered in a student's copy with one line
/// saying so.
const INSTRUCTOR_COMMANDS: &[&str] = &["starter", "check-solutions", "mutants", "grade"];

pub const USAGE: &str = concat!(
    "\
usage: cargo xtask COMMAND

commands for students:
  check-lab N        build lab N and run its scenarios (N: 1, 01, lab01 or its name)
  check-lab --all    check every lab in order
  check-lab N --seed S
                     the property scenarios draw the inputs of seed S again
                     (check-lab prints the seed it used; without --seed, a fresh one)
  check-lab N --scenario NAME  run one scenario of lab N
  watch              check the lab you work on at each save, then the next one
  list               the labs in order, with what the last check found
  hint N [--all]     the next hint of lab N, one at a time (--all: those given so far)
  reset N [--yes]    put lab N's src/ back as the starter has it (asks first)
  --lang zh|en       the language of messages (default: from LANG / LC_ALL)

",
    instructor_usage!(),
    "`cargo xtask COMMAND --help` tells more about a command.
"
);

/// `cargo xtask check-lab --help`.
const CHECK_LAB_HELP: &str = "\
usage: cargo xtask check-lab N [--seed S] [--scenario NAME]
       cargo xtask check-lab --all [--seed S]

Builds lab N and runs its scenarios; prints one line per scenario and, for
what fails, the difference from the expected transcript and the lab's hint.
N is 1, 01, lab01 or the lab's name (`cargo xtask list` shows them).

options:
  --all            check every lab in order
  --seed S         the property scenarios draw the inputs of seed S again
                   (check-lab prints the seed it used; without it, a fresh one)
  --scenario NAME  run only this scenario of lab N (GitHub Classroom's
                   autograding runs one step per scenario, worth its points)
  -h, --help       this help
";

const LIST_HELP: &str = "\
usage: cargo xtask list

The labs in order, with what the last `cargo xtask check-lab` found and the
points it gave. Next: `cargo xtask check-lab N`.
";

const HINT_HELP: &str = "\
usage: cargo xtask hint N [--all]

The next hint of lab N (1, 01, lab01 or its name): each call gives one more,
from the lab as a whole to each function, ending with documentation links.
--all shows every hint given so far. Then: `cargo xtask check-lab N`.
";

/// Runs the command line; exit status 0 on success, 1 when a check fails,
/// 2 for a usage error.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether the arguments after a command ask for its help.
fn wants_help(rest: &[&str]) -> bool {
    rest.iter().any(|a| matches!(*a, "--help" | "-h"))
}

fn help(text: &str) -> Result<bool> {
    print!("{text}");
    Ok(true)
}

fn run(args: &[String]) -> Result<bool> {
    let root = workspace_root()?;
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut lang = Lang::detect();
    if let Some(at) = args.iter().position(|a| *a == "--lang") {
        let value = args.get(at + 1).copied().unwrap_or_default();
        lang = Lang::parse(value)
            .ok_or_else(|| anyhow::anyhow!("--lang takes zh or en, not `{value}`\n\n{USAGE}"))?;
        args.drain(at..(at + 2).min(args.len()));
    }
    let unknown = || {
        anyhow::anyhow!(
            "unknown command or arguments `{}`\n\n{USAGE}",
            args.join(" ")
        )
    };
    let Some((&command, rest)) = args.split_first() else {
        return help(USAGE);
    };
    if matches!(command, "help" | "--help" | "-h") && rest.is_empty() {
        return help(USAGE);
    }
    let text = match command {
        "check-lab" => CHECK_LAB_HELP,
        "list" => LIST_HELP,
        "watch" => crate::watch::HELP,
        "hint" => HINT_HELP,
        "reset" => crate::reset::HELP,
        #[cfg(feature = "instructor")]
        _ if INSTRUCTOR_COMMANDS.contains(&command) => {
            return instructor::run(&root, command, rest)?.ok_or_else(unknown);
        }
        #[cfg(not(feature = "instructor"))]
        _ if INSTRUCTOR_COMMANDS.contains(&command) => {
            return Err(anyhow::anyhow!(
                "{}",
                match lang {
                    Lang::En => format!(
                        "`cargo xtask {command}` is an instructor's command: a student's copy does not have it (`cargo xtask help` lists yours)"
                    ),
                    Lang::Zh => format!(
                        "`cargo xtask {command}` 是教师用的命令，学生的副本中没有（`cargo xtask help` 列出你能用的命令）"
                    ),
                }
            ));
        }
        _ => return Err(unknown()),
    };
    if wants_help(rest) {
        return help(text);
    }
    let info = Info::load(&root)?;
    match command {
        "check-lab" if rest.is_empty() => Err(anyhow::anyhow!(
            "check-lab needs a lab: `cargo xtask check-lab 1`, or `--all`\n\n{USAGE}"
        )),
        "check-lab" => check_lab(&root, &info, rest, lang),
        "list" if rest.is_empty() => {
            crate::state::list(&root, &info, lang);
            Ok(true)
        }
        "watch" => crate::watch::main(&root, &info, rest, lang),
        "hint" => {
            let all = rest.contains(&"--all");
            let which: Vec<&&str> = rest.iter().filter(|a| **a != "--all").collect();
            let [which] = which.as_slice() else {
                return Err(unknown());
            };
            let lab = info.find(which)?;
            print!("{}", crate::hint::hint(&root, lab, all, lang));
            Ok(true)
        }
        "reset" => {
            let yes = rest.contains(&"--yes");
            let which: Vec<&&str> = rest.iter().filter(|a| **a != "--yes").collect();
            let [which] = which.as_slice() else {
                return Err(unknown());
            };
            let lab = info.find(which)?;
            crate::reset::reset(&root, lab, yes, lang, &mut std::io::stdin().lock()).map(|_| true)
        }
        _ => Err(unknown()),
    }
}

/// What `check-lab` was asked: the lab (or `--all`), an optional seed and
/// an optional single scenario.
#[derive(Debug, PartialEq, Eq)]
struct CheckLabArgs {
    which: String,
    seed: Option<u64>,
    scenario: Option<String>,
}

/// `check-lab`'s arguments, in any order: the lab (or `--all`), an
/// optional `--seed N` and an optional `--scenario NAME`.
fn check_lab_args(args: &[&str]) -> Result<CheckLabArgs> {
    let too_many = || {
        anyhow::anyhow!(
            "check-lab takes one lab (or --all) and an optional --seed N, not `{}`\n\n{USAGE}",
            args.join(" ")
        )
    };
    let mut parser = lexopt::Parser::from_args(args.iter().copied());
    let mut which: Option<String> = None;
    let mut seed = None;
    let mut scenario = None;
    while let Some(arg) = parser.next().map_err(|_| too_many())? {
        match arg {
            lexopt::Arg::Long("seed") => {
                let text = parser
                    .value()
                    .map_err(|_| anyhow::anyhow!("--seed needs a number: `--seed 1234`"))?;
                let text = text.to_string_lossy();
                seed = Some(harness::seed::parse_seed(&text).map_err(|_| {
                    anyhow::anyhow!("--seed takes a whole number such as 1234, not `{text}`")
                })?);
            }
            lexopt::Arg::Long("scenario") if scenario.is_none() => {
                let name = parser.value().map_err(|_| {
                    anyhow::anyhow!(
                        "--scenario needs a scenario's name: `cargo xtask check-lab 1 --scenario server_normal_exchange`"
                    )
                })?;
                scenario = Some(name.to_string_lossy().into_owned());
            }
            lexopt::Arg::Long("all") if which.is_none() => which = Some("--all".to_owned()),
            lexopt::Arg::Value(v) if which.is_none() => {
                which = Some(v.to_string_lossy().into_owned());
            }
            _ => return Err(too_many()),
        }
    }
    let which = which.ok_or_else(|| {
        anyhow::anyhow!("check-lab needs a lab: `cargo xtask check-lab 1`, or `--all`\n\n{USAGE}")
    })?;
    if which == "--all" && scenario.is_some() {
        return Err(too_many());
    }
    Ok(CheckLabArgs {
        which,
        seed,
        scenario,
    })
}

/// `check-lab N|--all [--seed S] [--scenario NAME]`.
fn check_lab(root: &Path, info: &Info, rest: &[&str], lang: Lang) -> Result<bool> {
    let args = check_lab_args(rest)?;
    let style = Style::detect().in_lang(lang);
    // Before anything else: a change the grader will not see.
    crate::guard::print_warnings(root, info, lang, |w| style.red(w));
    crate::runner::print_own_target_note(root, lang, |note| style.dim(note));
    let labs: Vec<&Lab> = match args.which.as_str() {
        "--all" => info.labs.iter().collect(),
        one => vec![info.find(one)?],
    };
    match &args.scenario {
        Some(name) => check_scenario(root, labs[0], name, style, args.seed),
        None => check::check(root, info, &labs, style, args.seed),
    }
}

/// `check-lab N --scenario NAME`: builds the lab and runs that one
/// scenario (GitHub Classroom's autograding runs one step per scenario,
/// worth its points). The lab's saved state for `list` is left as it is:
/// one scenario does not say how the lab stands.
///
/// # Errors
///
/// The lab has no such scenario, or cargo could not be run.
fn check_scenario(
    root: &Path,
    lab: &Lab,
    scenario: &str,
    style: Style,
    seed: Option<u64>,
) -> Result<bool> {
    let Some(info) = lab.scenarios.iter().find(|s| s.name == scenario) else {
        let names: Vec<&str> = lab.scenarios.iter().map(|s| s.name.as_str()).collect();
        anyhow::bail!(
            "{} has no scenario `{scenario}`; its scenarios are: {}; or run them all: `cargo xtask check-lab {}`",
            lab.label(),
            names.join(", "),
            lab.number
        );
    };
    let one = Lab {
        scenarios: vec![info.clone()],
        ..lab.clone()
    };
    eprintln!(
        "{}",
        style.dim(&match style.lang {
            Lang::En => format!("building {} and running {scenario} …", lab.package()),
            Lang::Zh => format!("正在构建 {} 并运行 {scenario} …", lab.package()),
        })
    );
    let seed = seed.unwrap_or_else(harness::seed::fresh_seed);
    let options = RunOptions {
        scenario: Some(scenario.to_owned()),
        seed: Some(seed),
        ..RunOptions::default()
    };
    let outcome = run_lab_with(root, &one, &options)?;
    print!("{}", check::render_lab(&one, &outcome, style));
    if one.has_properties() && !matches!(outcome, LabOutcome::DoesNotCompile(_)) {
        print!("{}", check::seed_line(&one, seed, style));
    }
    Ok(lab_state(&outcome) == LabState::Passed)
}

#[cfg(test)]
mod tests {
    use super::{CheckLabArgs, USAGE, check_lab_args};

    #[test]
    fn the_usage_lists_the_instructors_commands_only_in_the_instructors_copy() {
        assert!(USAGE.contains("\n  check-lab N "), "{USAGE}");
        for command in ["\n  starter ", "\n  check-solutions ", "\n  grade "] {
            assert_eq!(
                USAGE.contains(command),
                cfg!(feature = "instructor"),
                "{command:?} in {USAGE}"
            );
        }
    }

    fn args(which: &str, seed: Option<u64>, scenario: Option<&str>) -> CheckLabArgs {
        CheckLabArgs {
            which: which.to_owned(),
            seed,
            scenario: scenario.map(str::to_owned),
        }
    }

    #[test]
    fn check_lab_takes_a_lab_a_seed_and_a_scenario_in_any_order() {
        assert_eq!(check_lab_args(&["5"]).unwrap(), args("5", None, None));
        assert_eq!(
            check_lab_args(&["5", "--seed", "42"]).unwrap(),
            args("5", Some(42), None)
        );
        assert_eq!(
            check_lab_args(&["--seed", "7", "--all"]).unwrap(),
            args("--all", Some(7), None)
        );
        assert_eq!(
            check_lab_args(&["--scenario", "a_b", "1"]).unwrap(),
            args("1", None, Some("a_b"))
        );
        let bad = check_lab_args(&["5", "--seed", "x"])
            .unwrap_err()
            .to_string();
        assert!(bad.contains("--seed takes a whole number"), "{bad}");
        assert!(check_lab_args(&["5", "--seed"]).is_err());
        assert!(check_lab_args(&["--seed", "3"]).is_err());
        assert!(check_lab_args(&["1", "2"]).is_err());
        assert!(check_lab_args(&["--all", "--scenario", "a"]).is_err());
        assert!(check_lab_args(&["1", "--scenario"]).is_err());
    }
}
