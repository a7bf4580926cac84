//! The commands of `cargo xtask`, and their usage.

use crate::check::{self, Style};
use crate::labs::{Info, Lab, workspace_root};
use crate::lang::Lang;
use crate::model::{LabOutcome, LabState, lab_state};
use crate::runner::{RunOptions, run_lab_with};
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// A text in both languages, `(English, Chinese)`; [`say`] picks one.
pub type Text = (&'static str, &'static str);

/// `text` in `lang`.
pub fn say(text: Text, lang: Lang) -> &'static str {
    lang.pick(text.0, text.1)
}

pub const USAGE: Text = (
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

`cargo xtask COMMAND --help` tells more about a command.
",
    "\
用法：cargo xtask 命令

学生用的命令：
  check-lab N        构建实验 N 并运行它的场景（N：1、01、lab01 或实验名）
  check-lab --all    按顺序检查所有实验
  check-lab N --seed S
                     性质场景再次用种子 S 抽取同样的输入
                     （check-lab 会打印它用的种子；不加 --seed 则用新的种子）
  check-lab N --scenario 场景名  只运行实验 N 的一个场景
  watch              每次保存时检查你正在做的实验，通过后转到下一个
  list               按顺序列出实验，以及上一次检查的结果
  hint N [--all]     实验 N 的下一条提示，一次一条（--all：已给出的全部提示）
  reset N [--yes]    把实验 N 的 src/ 恢复成起始代码（starter）中的样子（会先询问）
  --lang zh|en       消息的语言（默认取自 LANG / LC_ALL）

教师用的命令：
  starter --out 目录 写出学生的副本：每个解答区域都换成 todo!()
  check-solutions    证明每个实验的解答能通过，起始代码和变异体都不能通过
  mutants [N…] [--mutant 名字…] [--repeat K]
                     运行实验 N 的变异体（默认：全部）或指定的变异体，每个运行 K 次
  grade 提交目录 --out 报告目录 [--labs 1,2] [--format 格式] [--roster 文件]
        [--lab-timeout 秒数] [--seed S] [--shard K/N] [--unsafe-no-sandbox]
                     评分提交目录中的每份提交（文件夹、.zip 或 .tar.gz）；
                     写出 报告目录/grades.csv、grades.json 和 feedback/学生.md；
                     全班用同一个种子（S，或新的种子，记在 grades.json 中）
                     （格式：exercism、gradescope、canvas 或 moodle）；每份提交
                     在 bubblewrap 沙箱中运行；--shard K/N 只评 N 份中的第 K 份
  grade merge 报告目录… --out 目录
                     把各份的报告合并成一台机器评分时写出的那一份

`cargo xtask 命令 --help` 会详细说明一个命令。
",
);

/// `cargo xtask check-lab --help`.
const CHECK_LAB_HELP: Text = (
    "\
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
",
    "\
用法：cargo xtask check-lab N [--seed S] [--scenario 场景名]
      cargo xtask check-lab --all [--seed S]

构建实验 N 并运行它的场景；每个场景打印一行；没有通过的，打印它与期望的
场景记录的差异和这个实验的提示。N 是 1、01、lab01 或实验名
（`cargo xtask list` 会列出它们）。

选项：
  --all            按顺序检查所有实验
  --seed S         性质场景再次用种子 S 抽取同样的输入
                   （check-lab 会打印它用的种子；不加则用新的种子）
  --scenario 场景名  只运行实验 N 的这个场景（GitHub Classroom 的自动评分
                   每个场景一步，得该场景的分数）
  -h, --help       本帮助
",
);

const LIST_HELP: Text = (
    "\
usage: cargo xtask list

The labs in order, with what the last `cargo xtask check-lab` found and the
points it gave. Next: `cargo xtask check-lab N`.
",
    "\
用法：cargo xtask list

按顺序列出实验，以及上一次 `cargo xtask check-lab` 的结果和得分。
下一步：`cargo xtask check-lab N`。
",
);

const HINT_HELP: Text = (
    "\
usage: cargo xtask hint N [--all]

The next hint of lab N (1, 01, lab01 or its name): each call gives one more,
from the lab as a whole to each function, ending with documentation links.
--all shows every hint given so far. Then: `cargo xtask check-lab N`.
",
    "\
用法：cargo xtask hint N [--all]

实验 N（1、01、lab01 或实验名）的下一条提示：每运行一次多给一条，从整个
实验到每个函数，最后是文档链接。--all 显示到目前为止给出的全部提示。
然后：`cargo xtask check-lab N`。
",
);

const STARTER_HELP: Text = (
    "\
usage: cargo xtask starter --out DIR

Writes the students' copy of this workspace into DIR: every solution region
becomes todo!(), and .github/workflows/classroom.yml holds GitHub Classroom's
autograding (one step per scenario, worth its points). DIR must be new or
empty. Next: push DIR as the template repository of the assignment.
",
    "\
用法：cargo xtask starter --out 目录

把这个工作区的学生副本写到目录中：每个解答区域都换成 todo!()，
.github/workflows/classroom.yml 中是 GitHub Classroom 的自动评分（每个场景
一步，得该场景的分数）。目录必须是新的或空的。下一步：把目录推送为作业的
模板仓库。
",
);

const CHECK_SOLUTIONS_HELP: Text = (
    "\
usage: cargo xtask check-solutions

Proves that each lab's solution passes its scenarios, that the generated
starter fails them, and that each lab's mutants (labs/NN-NAME/mutants.toml)
fail. Run it after changing a lab, the harness or xtask.
",
    "\
用法：cargo xtask check-solutions

证明每个实验的解答能通过它的场景，生成的起始代码不能通过，每个实验的变异体
（labs/NN-NAME/mutants.toml）也不能通过。改动实验、测试框架或 xtask 后运行它。
",
);

const MUTANTS_HELP: Text = (
    "\
usage: cargo xtask mutants [N…] [--mutant NAME…] [--repeat K]

Runs the mutants of labs N (every lab's by default), or only those named,
K times each (default 1): each typical mistake of labs/NN-NAME/mutants.toml
must fail a scenario.
",
    "\
用法：cargo xtask mutants [N…] [--mutant 名字…] [--repeat K]

运行实验 N 的变异体（默认：所有实验的），或只运行指定的变异体，每个运行 K 次
（默认 1 次）：labs/NN-NAME/mutants.toml 中的每个典型错误都必须让某个场景失败。
",
);

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
        let usage = say(USAGE, detected);
        anyhow::anyhow!(
            "{}",
            match detected {
                Lang::En => format!("--lang takes zh or en, not `{value}`\n\n{usage}"),
                Lang::Zh => format!("--lang 的值是 zh 或 en，而不是 `{value}`\n\n{usage}"),
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
    let usage = say(USAGE, lang);
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
        return help(usage);
    };
    if matches!(command, "help" | "--help" | "-h") && rest.is_empty() {
        return help(usage);
    }
    let text = match command {
        "check-lab" => CHECK_LAB_HELP,
        "list" => LIST_HELP,
        "watch" => crate::watch::HELP,
        "hint" => HINT_HELP,
        "reset" => crate::starter::student::HELP,
        "starter" => STARTER_HELP,
        "check-solutions" => CHECK_SOLUTIONS_HELP,
        "mutants" => MUTANTS_HELP,
        // The grader's options, for instructors: English only.
        "grade" => (crate::grade::HELP, crate::grade::HELP),
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
            crate::starter::student::reset(&root, lab, yes, lang, &mut std::io::stdin().lock())
                .map(|_| true)
        }
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
            crate::starter::run(&root, &info, &out)?;
            Ok(true)
        }
        "check-solutions" if rest.is_empty() => crate::solutions::check_solutions(&root, &info),
        "mutants" => crate::mutants::run(&root, &info, rest),
        "grade" if rest.first() == Some(&"merge") => crate::grade::shard::run(&rest[1..]),
        "grade" => {
            let options = crate::grade::parse_args(rest)?;
            crate::grade::grade(&root, &info, &options)?;
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

/// `check-lab` without a lab.
fn needs_a_lab(lang: Lang) -> anyhow::Error {
    let usage = say(USAGE, lang);
    anyhow::anyhow!(
        "{}",
        match lang {
            Lang::En =>
                format!("check-lab needs a lab: `cargo xtask check-lab 1`, or `--all`\n\n{usage}"),
            Lang::Zh =>
                format!("check-lab 需要一个实验：`cargo xtask check-lab 1`，或 `--all`\n\n{usage}"),
        }
    )
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
/// optional `--seed N` and an optional `--scenario NAME`; errors in
/// `lang`.
fn check_lab_args(args: &[&str], lang: Lang) -> Result<CheckLabArgs> {
    let too_many = || {
        let (args, usage) = (args.join(" "), say(USAGE, lang));
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::En => format!(
                    "check-lab takes one lab (or --all), an optional --seed N and an optional --scenario NAME, not `{args}`\n\n{usage}"
                ),
                Lang::Zh => format!(
                    "check-lab 接受一个实验（或 --all）、可选的 --seed N 和可选的 --scenario 场景名，而不是 `{args}`\n\n{usage}"
                ),
            }
        )
    };
    let mut parser = lexopt::Parser::from_args(args.iter().copied());
    let mut which: Option<String> = None;
    let mut seed = None;
    let mut scenario = None;
    while let Some(arg) = parser.next().map_err(|_| too_many())? {
        match arg {
            lexopt::Arg::Long("seed") => {
                let text = parser.value().map_err(|_| {
                    anyhow::anyhow!(
                        "{}",
                        lang.pick(
                            "--seed needs a number: `--seed 1234`",
                            "--seed 需要一个数：`--seed 1234`"
                        )
                    )
                })?;
                let text = text.to_string_lossy();
                seed = Some(harness::seed::parse_seed(&text).map_err(|_| {
                    anyhow::anyhow!(
                        "{}",
                        match lang {
                            Lang::En =>
                                format!("--seed takes a whole number such as 1234, not `{text}`"),
                            Lang::Zh => format!("--seed 的值是整数，例如 1234，而不是 `{text}`"),
                        }
                    )
                })?);
            }
            lexopt::Arg::Long("scenario") if scenario.is_none() => {
                let name = parser.value().map_err(|_| {
                    anyhow::anyhow!(
                        "{}",
                        lang.pick(
                            "--scenario needs a scenario's name: `cargo xtask check-lab 1 --scenario server_normal_exchange`",
                            "--scenario 需要一个场景名：`cargo xtask check-lab 1 --scenario server_normal_exchange`"
                        )
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
    let which = which.ok_or_else(|| needs_a_lab(lang))?;
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

#[cfg(test)]
mod tests {
    use super::{CheckLabArgs, check_lab_args};
    use crate::lang::Lang;

    fn check_lab_args_en(args: &[&str]) -> anyhow::Result<CheckLabArgs> {
        check_lab_args(args, Lang::En)
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
        assert_eq!(check_lab_args_en(&["5"]).unwrap(), args("5", None, None));
        assert_eq!(
            check_lab_args_en(&["5", "--seed", "42"]).unwrap(),
            args("5", Some(42), None)
        );
        assert_eq!(
            check_lab_args_en(&["--seed", "7", "--all"]).unwrap(),
            args("--all", Some(7), None)
        );
        assert_eq!(
            check_lab_args_en(&["--scenario", "a_b", "1"]).unwrap(),
            args("1", None, Some("a_b"))
        );
        let bad = check_lab_args_en(&["5", "--seed", "x"])
            .unwrap_err()
            .to_string();
        assert!(bad.contains("--seed takes a whole number"), "{bad}");
        assert!(check_lab_args_en(&["5", "--seed"]).is_err());
        assert!(check_lab_args_en(&["--seed", "3"]).is_err());
        assert!(check_lab_args_en(&["1", "2"]).is_err());
        assert!(check_lab_args_en(&["--all", "--scenario", "a"]).is_err());
        assert!(check_lab_args_en(&["1", "--scenario"]).is_err());
    }
}
