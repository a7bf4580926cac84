//! The commands of `cargo xtask`, and their usage errors, in the
//! learner's language; the help texts are in [`help`].

mod args;
mod help;
/// The instructor's commands, with the `instructor` feature (the starter's
/// `xtask/Cargo.toml` turns it off).
#[cfg(feature = "instructor")]
mod instructor;

use crate::check::{self, Style};
use crate::labs::{Info, Lab, workspace_root};
use crate::lang::{Lang, say};
use crate::model::{LabOutcome, LabState, lab_state};
use crate::runner::{RunOptions, run_lab_with};
use anyhow::Result;
use args::{check_lab_args, needs_a_lab};
pub use help::usage;
use help::{CHECK_LAB_HELP, HINT_HELP, LIST_HELP};
use std::path::Path;
use std::process::ExitCode;

/// The instructor's commands: a student's copy answers them with one line
/// saying so.
const INSTRUCTOR_COMMANDS: &[&str] = &["starter", "check-solutions", "mutants", "grade"];

/// Runs the command line; exit status 0 on success, 1 when a check fails,
/// 2 for a usage error.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let lang = match take_lang(&mut args) {
        Ok(lang) => lang,
        Err(err) => return usage_error(&err, Lang::detect()),
    };
    match run(&args, lang) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => usage_error(&err, lang),
    }
}

/// Prints `err` as one `error:` line (its causes after it), in `lang`;
/// status 2.
fn usage_error(err: &anyhow::Error, lang: Lang) -> ExitCode {
    eprintln!("{}{err:#}", lang.pick("error: ", "错误："));
    ExitCode::from(2)
}

/// The language: `--lang zh|en` (taken out of `args`), else the locale's.
///
/// # Errors
///
/// `--lang` has no value or another one; said in the locale's language.
fn take_lang(args: &mut Vec<&str>) -> Result<Lang> {
    let detected = Lang::detect();
    let Some(at) = args.iter().position(|a| *a == "--lang") else {
        return Ok(detected);
    };
    let value = args.get(at + 1).copied().unwrap_or_default();
    let lang = Lang::parse(value).ok_or_else(|| {
        let usage = usage(detected);
        anyhow::anyhow!(
            "{}",
            match detected {
                Lang::En => format!("--lang takes zh or en, not `{value}`\n\n{usage}"),
                Lang::Zh => format!("--lang 只接受 zh 或 en，不接受 `{value}`\n\n{usage}"),
            }
        )
    })?;
    args.drain(at..(at + 2).min(args.len()));
    Ok(lang)
}

/// Whether the arguments after a command ask for its help.
fn wants_help(rest: &[&str]) -> bool {
    rest.iter().any(|a| matches!(*a, "--help" | "-h"))
}

fn help(text: &str) -> Result<bool> {
    print!("{text}");
    Ok(true)
}

/// The lab a student named (1, 01, lab01 or its name).
///
/// # Errors
///
/// No lab is called so; the error lists the labs, in `lang`.
fn find_lab<'a>(info: &'a Info, which: &str, lang: Lang) -> Result<&'a Lab> {
    info.find(which).map_err(|_| {
        let names: Vec<String> = info
            .labs
            .iter()
            .map(|l| format!("{} ({})", l.number, l.name))
            .collect();
        let names = names.join(", ");
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::En => format!("there is no lab `{which}`; the labs are: {names}"),
                Lang::Zh => format!("没有实验 `{which}`；实验有：{names}"),
            }
        )
    })
}

fn run(args: &[&str], lang: Lang) -> Result<bool> {
    let root = workspace_root().map_err(|_| {
        let info = crate::labs::INFO_FILE;
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::En => format!(
                    "no {info} in the current folder or any folder above it: run cargo xtask inside the course's folder"
                ),
                Lang::Zh => format!(
                    "当前文件夹及其上层都没有 {info}：请在课程的文件夹中运行 cargo xtask"
                ),
            }
        )
    })?;
    let usage = usage(lang);
    let unknown = || {
        let args = args.join(" ");
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::En => format!("unknown command or arguments `{args}`\n\n{usage}"),
                Lang::Zh => format!("未知的命令或参数 `{args}`\n\n{usage}"),
            }
        )
    };
    let Some((&command, rest)) = args.split_first() else {
        return help(&usage);
    };
    if matches!(command, "help" | "--help" | "-h") && rest.is_empty() {
        return help(&usage);
    }
    let text = match command {
        "check-lab" => CHECK_LAB_HELP,
        "list" => LIST_HELP,
        "watch" => crate::watch::HELP,
        "hint" => HINT_HELP,
        "reset" => crate::reset::HELP,
        #[cfg(feature = "instructor")]
        _ if INSTRUCTOR_COMMANDS.contains(&command) => instructor::help(command),
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
        return help(say(text, lang));
    }
    let info = Info::load(&root)?;
    match command {
        "check-lab" if rest.is_empty() => Err(needs_a_lab(lang)),
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
            let lab = find_lab(&info, which, lang)?;
            print!("{}", crate::hint::hint(&root, lab, all, lang));
            Ok(true)
        }
        "reset" => {
            let yes = rest.contains(&"--yes");
            let which: Vec<&&str> = rest.iter().filter(|a| **a != "--yes").collect();
            let [which] = which.as_slice() else {
                return Err(unknown());
            };
            let lab = find_lab(&info, which, lang)?;
            crate::reset::reset(&root, lab, yes, lang, &mut std::io::stdin().lock()).map(|_| true)
        }
        #[cfg(feature = "instructor")]
        _ if INSTRUCTOR_COMMANDS.contains(&command) => {
            instructor::run(&root, &info, (command, rest), lang, unknown)
        }
        _ => Err(unknown()),
    }
}

/// `check-lab N|--all [--seed S] [--scenario NAME]`.
fn check_lab(root: &Path, info: &Info, rest: &[&str], lang: Lang) -> Result<bool> {
    let args = check_lab_args(rest, lang)?;
    let style = Style::detect().in_lang(lang);
    let labs: Vec<&Lab> = match args.which.as_str() {
        "--all" => info.labs.iter().collect(),
        one => vec![find_lab(info, one, lang)?],
    };
    crate::runner::print_own_target_note(root, lang, |note| style.dim(note));
    crate::interrupt::catch(
        lang,
        lang.pick(
            "check-lab stopped (Ctrl-C): this check does not count; the last one's results stay",
            "check-lab 已停止（Ctrl-C）：这次检查不算数；上一次检查的结果保持不变",
        )
        .to_owned(),
    )?;
    match &args.scenario {
        Some(name) => check_scenario(root, info, labs[0], name, style, args.seed),
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
    info_all: &Info,
    lab: &Lab,
    scenario: &str,
    style: Style,
    seed: Option<u64>,
) -> Result<bool> {
    let Some(info) = lab.scenarios.iter().find(|s| s.name == scenario) else {
        let names: Vec<&str> = lab.scenarios.iter().map(|s| s.name.as_str()).collect();
        let (names, n, label) = (names.join(", "), lab.number, lab.label_in(style.lang));
        anyhow::bail!(
            "{}",
            match style.lang {
                Lang::En => format!(
                    "{label} has no scenario `{scenario}`; its scenarios are: {names}; or run them all: `cargo xtask check-lab {n}`"
                ),
                Lang::Zh => format!(
                    "{label} 没有场景 `{scenario}`；它的场景有：{names}；或者全部运行：`cargo xtask check-lab {n}`"
                ),
            }
        );
    };
    let one = Lab {
        scenarios: vec![info.clone()],
        ..lab.clone()
    };
    // Before anything else: a change the grader will not see.
    crate::guard::print_warnings(root, info_all, &[lab], style.lang, |w| style.red(w));
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
    crate::interrupt::hold_if_stopping();
    let void = crate::guard::void_reason(root, info_all, lab, style.lang);
    print!(
        "{}",
        check::render_lab_void(&one, &outcome, style, void.as_deref())
    );
    if one.has_properties() && !matches!(outcome, LabOutcome::DoesNotCompile(_)) {
        print!("{}", check::seed_line(&one, seed, style));
    }
    Ok(lab_state(&outcome) == LabState::Passed && void.is_none())
}
