//! The commands of `cargo xtask`, and their usage.

use crate::check::{self, Style};
use crate::labs::{Info, Lab, workspace_root};
use crate::lang::Lang;
use crate::model::LabState;
use crate::state::State;
use anyhow::{Result, bail};
use std::process::ExitCode;

pub const USAGE: &str = "\
usage: cargo xtask COMMAND

commands for students:
  check-lab N        build lab N and run its scenarios (N: 1, 01, lab01 or its name)
  check-lab --all    check every lab in order
  check-lab N --seed S
                     the property scenarios draw the inputs of seed S again
                     (check-lab prints the seed it used; without --seed, a fresh one)
  list               the labs in order, with what the last check found
  hint N             the hint of lab N
  reset N [--yes]    put lab N's src/ back as the starter has it (asks first)
  --lang zh|en       the language of messages (default: from LANG / LC_ALL)

commands for instructors:
  starter --out DIR  write the students' copy: every solution region becomes todo!()
  check-solutions    prove each lab's solution passes, its starter and its mutants fail
  mutants [N…] [--mutant NAME…] [--repeat K]
                     run the mutants of labs N (default: all), or those named, K times each
  grade SUBMISSIONS --out REPORT [--labs 1,2] [--format exercism|gradescope] [--lab-timeout SECS]
        [--seed S]   grade every submission (folder, .zip or .tar.gz) of SUBMISSIONS;
                     writes REPORT/grades.csv, grades.json and feedback/STUDENT.md;
                     one seed (S, or a fresh one, in grades.json) for the whole class
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

fn run(args: &[String]) -> Result<bool> {
    let root = workspace_root()?;
    let info = Info::load(&root)?;
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut lang = Lang::detect();
    if let Some(at) = args.iter().position(|a| *a == "--lang") {
        let value = args.get(at + 1).copied().unwrap_or_default();
        lang = Lang::parse(value)
            .ok_or_else(|| anyhow::anyhow!("--lang takes zh or en, not `{value}`\n\n{USAGE}"))?;
        args.drain(at..(at + 2).min(args.len()));
    }
    match args.as_slice() {
        ["check-lab", rest @ ..] if !rest.is_empty() => {
            let (which, seed) = check_lab_args(rest)?;
            let labs: Vec<&Lab> = match which {
                "--all" => info.labs.iter().collect(),
                one => vec![info.find(one)?],
            };
            // Before anything else: a change the grader will not see.
            let warnings = crate::guard::warnings(&root, &info, lang);
            for warning in &warnings {
                println!("{}", Style::detect().red(warning));
            }
            if !warnings.is_empty() {
                println!();
            }
            check::check(&root, &info, &labs, Style::detect(), seed)
        }
        ["list"] => {
            list(&root, &info, lang);
            Ok(true)
        }
        ["hint", which] => {
            let lab = info.find(which)?;
            println!(
                "{} {} · {}\n\n{}\n",
                lang.pick("lab", "实验"),
                lab.number,
                lab.title_in(lang),
                lab.hint_in(lang).trim()
            );
            println!(
                "{} `cargo xtask check-lab {}`",
                lang.pick("when you have tried it:", "试过之后："),
                lab.number
            );
            Ok(true)
        }
        ["reset", which] | ["reset", which, "--yes"] | ["reset", "--yes", which] => {
            let lab = info.find(which)?;
            let yes = args.contains(&"--yes");
            crate::starter::student::reset(&root, lab, yes, lang, &mut std::io::stdin().lock())?;
            Ok(true)
        }
        ["starter", "--out", dir] => {
            crate::starter::run(&root, &info, std::path::Path::new(dir))?;
            Ok(true)
        }
        ["check-solutions"] => crate::solutions::check_solutions(&root, &info),
        ["mutants", rest @ ..] => crate::mutants::run(&root, &info, rest),
        ["grade", rest @ ..] => {
            let options =
                crate::grade::parse_args(rest).map_err(|e| anyhow::anyhow!("{e:#}\n\n{USAGE}"))?;
            crate::grade::grade(&root, &info, &options)?;
            Ok(true)
        }
        [] | ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            Ok(true)
        }
        ["check-lab"] => {
            bail!("check-lab needs a lab: `cargo xtask check-lab 1`, or `--all`\n\n{USAGE}")
        }
        _ => bail!(
            "unknown command or arguments `{}`\n\n{USAGE}",
            args.join(" ")
        ),
    }
}

/// `check-lab`'s arguments: the lab (or `--all`) and an optional
/// `--seed N`, in any order.
fn check_lab_args<'a>(args: &[&'a str]) -> Result<(&'a str, Option<u64>)> {
    let mut which = None;
    let mut seed = None;
    let mut rest = args.iter();
    while let Some(&arg) = rest.next() {
        if arg == "--seed" {
            let text = rest
                .next()
                .ok_or_else(|| anyhow::anyhow!("--seed needs a number: `--seed 1234`"))?;
            seed = Some(harness::seed::parse_seed(text).map_err(|_| {
                anyhow::anyhow!("--seed takes a whole number such as 1234, not `{text}`")
            })?);
        } else if which.is_none() {
            which = Some(arg);
        } else {
            bail!(
                "check-lab takes one lab (or --all) and an optional --seed N, not `{}`\n\n{USAGE}",
                args.join(" ")
            );
        }
    }
    let which = which.ok_or_else(|| {
        anyhow::anyhow!("check-lab needs a lab: `cargo xtask check-lab 1`, or `--all`\n\n{USAGE}")
    })?;
    Ok((which, seed))
}

fn list(root: &std::path::Path, info: &Info, lang: Lang) {
    let state = State::load(root);
    println!(
        "{:<4} {:<16} {:<18} {:>7}  {}",
        lang.pick("lab", "实验"),
        lang.pick("name", "名称"),
        lang.pick("last check", "上次检查"),
        lang.pick("points", "分数"),
        lang.pick("title", "标题")
    );
    for lab in &info.labs {
        let (text, pts) = match state.get(lab) {
            Some(s) => (
                state_text(s, lang).to_owned(),
                format!("{}/{}", state.points(lab).unwrap_or(0), lab.max_points()),
            ),
            None => (
                lang.pick("not checked yet", "尚未检查").to_owned(),
                format!("-/{}", lab.max_points()),
            ),
        };
        println!(
            "{:<4} {:<16} {:<18} {:>7}  {}",
            lab.number,
            lab.name,
            text,
            pts,
            lab.title_in(lang)
        );
    }
    println!(
        "\n{}",
        lang.pick(
            "run `cargo xtask check-lab N` to check a lab, `cargo xtask hint N` for its hint",
            "运行 `cargo xtask check-lab N` 检查一个实验，`cargo xtask hint N` 查看它的提示"
        )
    );
}

/// A lab's state as a student reads it.
pub fn state_text(state: LabState, lang: Lang) -> &'static str {
    match (state, lang) {
        (_, Lang::En) => state.as_str(),
        (LabState::Passed, Lang::Zh) => "已通过",
        (LabState::NotDone, Lang::Zh) => "尚未完成",
        (LabState::Failing, Lang::Zh) => "未通过",
        (LabState::DoesNotCompile, Lang::Zh) => "无法编译",
        (LabState::NotSubmitted, Lang::Zh) => "未提交",
        (LabState::Tampered, Lang::Zh) => "被改动",
        (LabState::NotGraded, Lang::Zh) => "未评分",
    }
}

#[cfg(test)]
mod tests {
    use super::check_lab_args;

    #[test]
    fn check_lab_takes_a_lab_and_a_seed_in_any_order() {
        assert_eq!(check_lab_args(&["5"]).unwrap(), ("5", None));
        assert_eq!(
            check_lab_args(&["5", "--seed", "42"]).unwrap(),
            ("5", Some(42))
        );
        assert_eq!(
            check_lab_args(&["--seed", "7", "--all"]).unwrap(),
            ("--all", Some(7))
        );
        let bad = check_lab_args(&["5", "--seed", "x"])
            .unwrap_err()
            .to_string();
        assert!(bad.contains("--seed takes a whole number"), "{bad}");
        assert!(check_lab_args(&["5", "--seed"]).is_err());
        assert!(check_lab_args(&["--seed", "3"]).is_err());
        assert!(check_lab_args(&["1", "2"]).is_err());
    }
}
