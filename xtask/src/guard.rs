//! The submission guard. The grader takes every file outside the labs'
//! `src/` from the instructor (Cargo files, tests, snapshots, `info.toml`,
//! the harness), so a change to one of them makes check-lab say something
//! the grader will not: a dependency added with `cargo add` compiles here
//! and not there; a rewritten snapshot passes here and not there. The
//! starter records a checksum of each such file in [`CHECKSUMS_FILE`];
//! check-lab compares them before anything else and warns, one line per
//! kind of change. The instructor's copy has no such file: nothing to
//! compare.
//!
//! A checksum is CRC-32 of the content with CRLF read as LF (git may
//! convert line ends on checkout, on Windows); enough to notice a change,
//! and the grader never trusts these files anyway.

use crate::labs::{Info, Lab};
use crate::lang::Lang;
use std::collections::BTreeMap;
use std::path::Path;

/// Where the starter writes the checksums, relative to the root.
pub const CHECKSUMS_FILE: &str = "labs/checksums.txt";

/// What a change to a file can cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A lab's own `Cargo.toml`: that lab may not compile for the grader.
    LabCargo(u32),
    /// A file the build reads (a `Cargo.toml`, `Cargo.lock`, `.cargo/`,
    /// the lab's shared crate `labkit`): any lab may not compile.
    Build,
    /// What the results are judged by: `info.toml`, a lab's tests and
    /// snapshots, the harness.
    Spec,
}

/// The kind of a file of the workspace and the lab it concerns (`None`:
/// every lab), or `None` for a file whose change costs nothing (a lab's
/// `src/`, the docs, xtask).
fn kind(info: &Info, path: &str) -> Option<(Kind, Option<u32>)> {
    let lab_dir = |lab: &Lab| lab.dir().to_string_lossy().replace('\\', "/");
    if let Some(lab) = info
        .labs
        .iter()
        .find(|lab| path == format!("{}/Cargo.toml", lab_dir(lab)))
    {
        return Some((Kind::LabCargo(lab.number), Some(lab.number)));
    }
    if path == "Cargo.toml"
        || path == "Cargo.lock"
        || path.ends_with("/Cargo.toml")
        || path.starts_with(".cargo/")
        || path.starts_with("crates/labkit/")
        || path.starts_with("rust-toolchain")
    {
        return Some((Kind::Build, None));
    }
    if let Some(lab) = info
        .labs
        .iter()
        .find(|lab| path.starts_with(&format!("{}/tests/", lab_dir(lab))))
    {
        return Some((Kind::Spec, Some(lab.number)));
    }
    if path == crate::labs::INFO_FILE || path.starts_with("crates/harness/") {
        return Some((Kind::Spec, None));
    }
    None
}

/// The checksum of a file's content.
fn checksum(content: &[u8]) -> String {
    let mut hasher = crc32fast::Hasher::new();
    let mut len = 0usize;
    let mut rest = content;
    // CRLF counts as LF: hash the content with every "\r\n" read as "\n".
    while let Some(at) = rest.windows(2).position(|w| w == b"\r\n") {
        hasher.update(&rest[..at]);
        len += at;
        rest = &rest[at + 1..];
    }
    hasher.update(rest);
    len += rest.len();
    format!("{:08x}-{len}", hasher.finalize())
}

/// The text of [`CHECKSUMS_FILE`] for a starter made of `files` (path,
/// content): one `CHECKSUM  PATH` line per guarded file, sorted.
pub fn record<'a>(info: &Info, files: impl Iterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut out = String::from(
        "# Written by `cargo xtask starter`: the checksums of the files the grader\n\
         # takes from the instructor. `cargo xtask check-lab` warns when one differs.\n\
         # 由 `cargo xtask starter` 生成：评分时取自教师原版的文件的校验和。\n",
    );
    let mut lines: Vec<String> = files
        .filter(|(path, _)| kind(info, path).is_some())
        .map(|(path, content)| format!("{}  {path}\n", checksum(content)))
        .collect();
    lines.sort();
    for line in lines {
        out.push_str(&line);
    }
    out
}

/// The files of the workspace at `root` that differ from the starter's
/// checksums (a missing file differs too) and concern one of `labs`
/// (a lab's own files, or a file every lab depends on), by kind.
fn changed(root: &Path, info: &Info, labs: &[&Lab]) -> BTreeMap<Kind, Vec<String>> {
    let mut found: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(root.join(CHECKSUMS_FILE)) else {
        return found;
    };
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((sum, path)) = line.split_once("  ") else {
            continue;
        };
        let Some((kind, lab)) = kind(info, path) else {
            continue;
        };
        if lab.is_some_and(|n| !labs.iter().any(|l| l.number == n)) {
            continue;
        }
        let now = std::fs::read(root.join(path)).map(|c| checksum(&c));
        if now.as_deref().ok() != Some(sum) {
            found.entry(kind).or_default().push(path.to_owned());
        }
    }
    found
}

/// The warnings for checking `labs` in `root`, one line each, in `lang`:
/// a changed file of one of those labs, or one every lab depends on (a
/// changed file of another lab is that lab's business); none when nothing
/// the grader replaces was changed (or `root` is not a starter).
pub fn warnings(root: &Path, info: &Info, labs: &[&Lab], lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let warning = lang.pick("warning: ", "警告：");
    let changed = changed(root, info, labs);
    for (kind, paths) in &changed {
        let list = paths.join(", ");
        let text = match kind {
            Kind::LabCargo(n) => match lang {
                Lang::En => format!(
                    "{list} changed: the grader uses the original; your lab {n} will not compile there if it needs this change"
                ),
                Lang::Zh => format!(
                    "{list} 被改动了：评分时用的是原始文件；如果实验 {n} 需要这处改动，它在评分时将无法编译"
                ),
            },
            Kind::Build => match lang {
                Lang::En => format!(
                    "{list} changed: the grader uses the original; your labs may not compile there"
                ),
                Lang::Zh => {
                    format!("{list} 被改动了：评分时用的是原始文件；你的实验在评分时可能无法编译")
                }
            },
            Kind::Spec => match lang {
                Lang::En => format!(
                    "the expected transcripts were changed ({list}): these results do not count; the grader uses the originals"
                ),
                Lang::Zh => format!(
                    "预期的场景记录被改动了（{list}）：这次的结果不算数；评分时用的是原始文件"
                ),
            },
        };
        out.push(format!("{warning}{text}"));
    }
    if !changed.is_empty() && root.join(".git").exists() {
        let all: Vec<&str> = changed.values().flatten().map(String::as_str).collect();
        out.push(format!(
            "{warning}{} `git checkout -- {}`",
            lang.pick("to put them back:", "恢复原样："),
            all.join(" ")
        ));
    }
    out
}

/// Why `lab`'s results here do not count, in `lang`: the files of the lab
/// or of every lab that differ from the starter, or `None` when none does.
/// check-lab puts it on the lab's verdict line, so a lab checked with a
/// changed build or specification never looks passed.
pub fn void_reason(root: &Path, info: &Info, lab: &Lab, lang: Lang) -> Option<String> {
    let changed = changed(root, info, &[lab]);
    if changed.is_empty() {
        return None;
    }
    let list = changed
        .values()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let spec = changed.contains_key(&Kind::Spec);
    Some(match (spec, lang) {
        (true, Lang::En) => format!(
            "these results do not count: {list} differ from the starter, and the grader judges with the originals"
        ),
        (true, Lang::Zh) => {
            format!("这次的结果不算数：{list} 与起始代码（starter）中的不同，评分时用原始文件评判")
        }
        (false, Lang::En) => format!(
            "these results do not count: {list} differ from the starter, and the grader builds with the originals"
        ),
        (false, Lang::Zh) => {
            format!("这次的结果不算数：{list} 与起始代码（starter）中的不同，评分时用原始文件构建")
        }
    })
}

/// Prints the [`warnings`] for checking `labs`, each painted by `paint`,
/// then a blank line if there were any.
pub fn print_warnings(
    root: &Path,
    info: &Info,
    labs: &[&Lab],
    lang: Lang,
    paint: impl Fn(&str) -> String,
) {
    let found = warnings(root, info, labs, lang);
    for warning in &found {
        println!("{}", paint(warning));
    }
    if !found.is_empty() {
        println!();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_do_not_count_and_content_does() {
        assert_eq!(checksum(b"a\r\nb\r\n"), checksum(b"a\nb\n"));
        assert_ne!(checksum(b"a\nb\n"), checksum(b"a\nc\n"));
        assert_ne!(checksum(b"a\n"), checksum(b"a\n\n"));
    }
}
