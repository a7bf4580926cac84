//! The commands of `cargo xtask`, and their usage.

use crate::check::{self, Style};
use crate::labs::{Info, Lab, workspace_root};
use crate::state::State;
use anyhow::{Result, bail};
use std::process::ExitCode;

pub const USAGE: &str = "\
usage: cargo xtask COMMAND

commands for students:
  check-lab N        build lab N and run its scenarios (N: 1, 01, lab01 or its name)
  check-lab --all    check every lab in order
  list               the labs in order, with what the last check found
  hint N             the hint of lab N

commands for instructors:
  starter --out DIR  write the students' copy: every solution region becomes todo!()
  check-solutions    prove each lab's solution passes, its starter and its mutants fail
  mutants [N] [--repeat K]  run lab N's mutants (all labs' by default) K times each
  grade SUBMISSIONS --out REPORT [--labs 1,2] [--format exercism|gradescope] [--lab-timeout SECS]
        [--shard K/N] [--unsafe-no-sandbox]
                     grade every submission (folder, .zip or .tar.gz) of SUBMISSIONS, each in a
                     bubblewrap sandbox; writes REPORT/grades.csv, grades.json, feedback/STUDENT.md;
                     --shard K/N grades the K-th of N slices (one machine each)
  grade merge REPORT... --out DIR
                     join the reports of the slices into one, as one machine would have written it
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
    let root = workspace_root();
    let info = Info::load(&root)?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["check-lab", "--all"] => {
            let labs: Vec<&Lab> = info.labs.iter().collect();
            check::check(&root, &info, &labs, Style::detect())
        }
        ["check-lab", which] => {
            let lab = info.find(which)?;
            check::check(&root, &info, &[lab], Style::detect())
        }
        ["list"] => {
            list(&root, &info);
            Ok(true)
        }
        ["hint", which] => {
            let lab = info.find(which)?;
            println!(
                "lab {} · {}\n\n{}\n",
                lab.number,
                lab.title,
                lab.hint.trim()
            );
            println!(
                "when you have tried it: `cargo xtask check-lab {}`",
                lab.number
            );
            Ok(true)
        }
        ["starter", "--out", dir] => {
            crate::starter::run(&root, &info, std::path::Path::new(dir))?;
            Ok(true)
        }
        ["check-solutions"] => crate::solutions::check_solutions(&root, &info),
        ["grade", "merge", rest @ ..] => {
            let (reports, out) = crate::grade::shard::parse_merge_args(rest)
                .map_err(|e| anyhow::anyhow!("{e:#}\n\n{USAGE}"))?;
            crate::grade::shard::merge(&reports, &out)?;
            Ok(true)
        }
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

fn list(root: &std::path::Path, info: &Info) {
    let state = State::load(root);
    println!(
        "{:<4} {:<16} {:<18} {:>7}  title",
        "lab", "name", "last check", "points"
    );
    for lab in &info.labs {
        let (text, pts) = match state.get(lab) {
            Some(s) => (
                s.as_str(),
                format!("{}/{}", state.points(lab).unwrap_or(0), lab.max_points()),
            ),
            None => ("not checked yet", format!("-/{}", lab.max_points())),
        };
        println!(
            "{:<4} {:<16} {:<18} {:>7}  {}",
            lab.number, lab.name, text, pts, lab.title
        );
    }
    println!("\nrun `cargo xtask check-lab N` to check a lab, `cargo xtask hint N` for its hint");
}
