//! What the starter gives a student that the instructor's copy does not
//! have: its own README (in Chinese and English, no instructor sections),
//! a cargo configuration under which `cargo test` never offers to rewrite
//! a snapshot, an xtask without the instructor's commands (see
//! [`xtask_manifest`]) and a git repository of one commit, which
//! `cargo xtask reset N` ([`crate::reset`]) goes back to.

use crate::labs::Info;
use crate::lang::Lang;
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

/// The template of the student README; `{LABS_ZH}` and `{LABS_EN}` become
/// the table of labs.
const README: &str = include_str!("README.student.md");

/// What the starter appends to `.cargo/config.toml`. Cargo passes `[env]`
/// to the tests it runs, so a student's `cargo test` neither writes
/// `.snap.new` files nor suggests `INSTA_UPDATE=always` (an explicit
/// `INSTA_UPDATE` in the student's environment still wins).
pub const CARGO_ENV: &str = "
# The students' copy: the snapshots are the specification. `cargo test`
# compares against them and never writes or offers to update them; check a
# lab with `cargo xtask check-lab N`.
[env]
INSTA_UPDATE = \"no\"
";

/// The line of `xtask/Cargo.toml` that turns on the instructor's commands
/// in the instructor's copy, and what the starter has instead.
const INSTRUCTOR_DEFAULT: (&str, &str) = ("default = [\"instructor\"]\n", "default = []\n");

/// The starter's `xtask/Cargo.toml`: the instructor's, with the
/// `instructor` feature off by default, so that a student's first
/// `cargo xtask` compiles neither the grader's archive stack nor the
/// starter generator's parser (and their commands are not in its help).
///
/// # Errors
///
/// The manifest does not have the line `default = ["instructor"]` once.
pub fn xtask_manifest(manifest: &str) -> Result<String> {
    let (instructor, student) = INSTRUCTOR_DEFAULT;
    if manifest.matches(instructor).count() != 1 {
        bail!(
            "xtask/Cargo.toml must have the line `{}` once: the starter turns it into `{}`",
            instructor.trim_end(),
            student.trim_end()
        );
    }
    Ok(manifest.replace(instructor, student))
}

/// The table of labs, in `lang`.
fn labs_table(info: &Info, lang: Lang) -> String {
    let mut out = String::from(lang.pick(
        "| lab | folder | title |\n|-----|--------|-------|\n",
        "| 实验 | 文件夹 | 标题 |\n|-----|--------|-------|\n",
    ));
    for lab in &info.labs {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            lab.number,
            lab.dir().to_string_lossy().replace('\\', "/"),
            lab.title_in(lang)
        ));
    }
    out.trim_end().to_owned()
}

/// The student README.
pub fn readme(info: &Info) -> String {
    README
        .replace("{LABS_ZH}", &labs_table(info, Lang::Zh))
        .replace("{LABS_EN}", &labs_table(info, Lang::En))
}

/// Makes `dir` a git repository with the starter as its one commit, so
/// that a student can see what they changed (`git diff`) and `reset` can
/// put a lab back. Returns the line to print.
///
/// # Errors
///
/// git is there but failed.
pub fn git_init(dir: &Path) -> Result<String> {
    if Command::new("git").arg("--version").output().is_err() {
        return Ok(
            "git was not found: the starter is not a git repository (run `git init && git add -A && git commit -m starter` in it later)"
                .to_owned(),
        );
    }
    let run = |args: &[&str]| -> Result<()> {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=socket-labs",
                "-c",
                "user.email=socket-labs@localhost",
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .context("could not run git")?;
        if !out.status.success() {
            bail!(
                "`git {}` failed in {}: {}",
                args.join(" "),
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    };
    run(&["init", "-q"])?;
    run(&["add", "-A"])?;
    run(&["commit", "-q", "-m", "socket-labs starter"])?;
    Ok("the starter is a git repository with one commit".to_owned())
}
