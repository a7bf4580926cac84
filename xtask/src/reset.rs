//! `cargo xtask reset N`: in a student's copy (a starter), puts lab N's
//! `src/` back as the starter's first git commit has it.

use crate::guard::CHECKSUMS_FILE;
use crate::labs::Lab;
use crate::lang::Lang;
use anyhow::{Context, Result, bail};
use std::io::BufRead;
use std::path::Path;
use std::process::Command;

/// `cargo xtask reset --help`.
pub const HELP: crate::lang::Text = (
    "\
usage: cargo xtask reset N [--yes]

In a student's copy (a starter): puts lab N's src/ back as the starter's first
git commit has it, after asking (y/N); --yes does not ask.
",
    "\
用法：cargo xtask reset N [--yes]

在学生的副本（starter）中：把实验 N 的 src/ 恢复为 starter 第一次 git 提交时
的样子，会先询问（y/N）；--yes 不询问。
",
);

/// `cargo xtask reset N`: puts lab `lab`'s `src/` back as the starter's
/// first commit has it, after asking on stdin (unless `yes`). Returns
/// whether it reset.
///
/// # Errors
///
/// `root` is not a starter, git is missing or fails, or stdin cannot be
/// read.
pub fn reset(
    root: &Path,
    lab: &Lab,
    yes: bool,
    lang: Lang,
    input: &mut dyn BufRead,
) -> Result<bool> {
    if !root.join(CHECKSUMS_FILE).is_file() {
        bail!(
            "{}",
            lang.pick(
                "reset works in a student's copy (a starter): this is the instructor's",
                "reset 只能在学生的副本（starter）中使用：这里是教师的原版"
            )
        );
    }
    if !root.join(".git").exists() {
        bail!(
            "{}",
            lang.pick(
                "reset needs the starter's git repository, and there is none here",
                "reset 需要 starter 的 git 仓库，这里没有"
            )
        );
    }
    let git = |args: &[&str]| -> Result<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .context(lang.pick("could not run git", "无法运行 git"))?;
        if !out.status.success() {
            let (args, why) = (args.join(" "), String::from_utf8_lossy(&out.stderr));
            let why = why.trim();
            bail!(
                "{}",
                match lang {
                    Lang::En => format!("`git {args}` failed: {why}"),
                    Lang::Zh => format!("`git {args}` 失败了：{why}"),
                }
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let first = git(&["rev-list", "--max-parents=0", "HEAD"])?;
    let first = first.lines().last().unwrap_or_default().to_owned();
    let src = format!("{}/src", lab.dir().to_string_lossy().replace('\\', "/"));
    let changed = git(&["diff", "--name-only", &first, "--", &src])?;
    if changed.is_empty() {
        println!(
            "{}",
            match lang {
                Lang::En => format!("{src} is already as the starter has it: nothing to reset"),
                Lang::Zh => format!("{src} 与 starter 中的一样：无需恢复"),
            }
        );
        return Ok(false);
    }
    if !yes {
        match lang {
            Lang::En => print!(
                "this puts back the starter's code of lab {} and loses your changes to:\n  {}\ncontinue? [y/N] ",
                lab.number,
                changed.replace('\n', "\n  ")
            ),
            Lang::Zh => print!(
                "这会恢复实验 {} 在 starter 中的代码，并丢掉你对以下文件的改动：\n  {}\n继续吗？[y/N] ",
                lab.number,
                changed.replace('\n', "\n  ")
            ),
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        input
            .read_line(&mut answer)
            .context(lang.pick("could not read the answer", "无法读取回答"))?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            println!("{}", lang.pick("nothing changed", "没有改动任何文件"));
            return Ok(false);
        }
    }
    // The starter's files come back; a file the student added is left.
    git(&["checkout", &first, "--", &src])?;
    println!(
        "{}",
        match lang {
            Lang::En => format!(
                "lab {} is back to the starter's code: `cargo xtask check-lab {}`",
                lab.number, lab.number
            ),
            Lang::Zh => format!(
                "实验 {} 已恢复为 starter 的代码：`cargo xtask check-lab {}`",
                lab.number, lab.number
            ),
        }
    );
    Ok(true)
}
