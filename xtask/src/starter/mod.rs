//! `cargo xtask starter --out DIR`: the students' copy of the workspace.
//!
//! Every `// BEGIN SOLUTION` … `// END SOLUTION` region of a lab's `src/`
//! becomes `todo!("…")`, at the region's indentation. Everything else is
//! copied as it is, so the tests, snapshots, harness and xtask of the
//! starter are the instructor's.
//!
//! # The rules a region keeps
//!
//! A marker is alone on its line. A region sits in a function body and ends
//! it: after `// END SOLUTION` only comments come before the function's
//! closing `}`. Its braces balance, and regions do not nest. Then the stub
//! always type-checks (`todo!()` is the body's value, whatever the return
//! type) and no code follows it, so it never warns "unreachable". A broken
//! rule is an error naming FILE:LINE.
//!
//! # The `todo!()` message
//!
//! The first paragraph of the enclosing function's doc comment: lab
//! functions already open with one sentence mapping the step to the
//! tutorial's Python call ("Waits for one client: Python's `sock, addr =
//! server.accept()`."), written for the student, so the panic a student
//! meets repeats the task in the words of the lab and there is no second
//! text to keep in step. A stubbed function without a doc comment is an
//! error.
//!
//! # Warnings
//!
//! A stubbed body leaves its parameters unused, and constants that only the
//! solution used become dead code. Each file with a stub gets one inner
//! attribute after its `//!` header, with a comment telling the student to
//! delete it when the file has no `todo!()` left:
//! `#![allow(unused_imports, unused_variables, dead_code)]`. Imports sit
//! at the top of the file, outside the regions, so the student sees what
//! the solution uses. Any other warning in the starter is the lab author's
//! to fix; `check-solutions` reports it.
//!
//! # Explanations stay
//!
//! A region holds code only: a comment in it would be dropped with the
//! code, and the explanation lost to the student. Teaching comments go
//! above `// BEGIN SOLUTION` or into the function's doc comment, and a
//! region with more than [`MAX_REGION_COMMENTS`] comment lines is an
//! error.
//!
//! # What is copied
//!
//! The files git knows (tracked, or new and not ignored) when the root is a
//! git checkout, otherwise every file outside `target/` and `.git/`; less
//! [`EXCLUDED`] (the instructor's CI, and xtask's tests with the grader's
//! fixtures, which hold solutions). A GitHub Classroom workflow is added, the README is the
//! student's ([`student`]), `.cargo/config.toml` gets `INSTA_UPDATE=no`,
//! `xtask/Cargo.toml` turns the `instructor` feature off (the student's
//! xtask has only the student's commands and compiles their crates only),
//! and [`crate::guard::CHECKSUMS_FILE`] records the files the grader
//! replaces. The copy must not leak
//! solution code: three consecutive lines of a region found in any file
//! outside the labs' `src/` are an error.
//!
//! # Rooms
//!
//! [`regions`] finds the regions and checks their rules (with `syn`),
//! [`stub`] writes the `todo!()`, [`leak`] checks the copy gives nothing
//! away, [`classroom`] fills the workflow template; copying goes through
//! [`crate::files`], which the grader shares.

mod classroom;
mod leak;
mod regions;
mod stub;
pub mod student;

use crate::files;
use crate::labs::{Info, Lab};
use anyhow::{Context, Result, bail};
pub use classroom::{CLASSROOM_WORKFLOW, classroom_workflow};
pub use regions::{BEGIN, END, MAX_REGION_COMMENTS, Region, regions};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;
pub use stub::stub_file;
#[cfg(test)]
use stub::todo_call;

/// Paths (relative, `/`-separated prefixes) never copied into a starter:
/// the instructor's CI (it runs `check-solutions`), the grader's
/// benchmark, and xtask's own tests (of the instructor's commands, which
/// the starter's xtask does not have; the grader's fixtures contain
/// correct solutions).
pub const EXCLUDED: &[&str] = &[".ci/", ".github/", "scripts/bench-grade.sh", "xtask/tests/"];

/// One file of a starter, held in memory.
#[derive(Debug, Clone)]
pub struct File {
    /// Relative to the workspace root, with `/` separators.
    pub path: String,
    pub content: Vec<u8>,
    /// The instructor file's modification time (`None` for generated
    /// files). Kept on the copy so that cargo finds the shared crates
    /// already built when a grader lays this starter down again.
    pub mtime: Option<SystemTime>,
    /// A file a student edits: under a lab's `src/`.
    pub student: bool,
}

/// The students' copy of a workspace, in memory.
#[derive(Debug, Clone, Default)]
pub struct Starter {
    pub files: Vec<File>,
    /// How many regions were stubbed, per lab package.
    pub stubs: BTreeMap<String, usize>,
}

/// The files of the workspace at `root`, relative, `/`-separated, sorted.
///
/// # Errors
///
/// git failed in a git checkout, or a folder could not be read.
pub fn workspace_files(root: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    if root.join(".git").exists() {
        let out = std::process::Command::new("git")
            .args([
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ])
            .current_dir(root)
            .output()
            .context("could not run `git ls-files`")?;
        if !out.status.success() {
            bail!(
                "`git ls-files` failed in {}: {}",
                root.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        for name in out.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let name = String::from_utf8_lossy(name).into_owned();
            if root.join(&name).is_file() {
                files.push(name);
            }
        }
    } else {
        for file in files::walk(root, |rel| {
            rel == "target" || files::file_name(rel) == ".git"
        }) {
            files.push(file?);
        }
    }
    files.retain(|f| !EXCLUDED.iter().any(|e| f.starts_with(e)) && !f.ends_with("/mutants.toml"));
    files.sort();
    files.dedup();
    Ok(files)
}

/// The lab whose `src/` holds `path`, if any.
pub fn student_lab<'a>(info: &'a Info, path: &str) -> Option<&'a Lab> {
    info.labs.iter().find(|lab| {
        let prefix = format!("{}/src/", lab.dir().to_string_lossy().replace('\\', "/"));
        path.starts_with(&prefix)
    })
}

impl Starter {
    /// Builds the starter of the workspace at `root` in memory.
    ///
    /// # Errors
    ///
    /// A file could not be read, a region breaks a rule (FILE:LINE), or the
    /// starter would leak solution code.
    pub fn build(root: &Path, info: &Info) -> Result<Starter> {
        let mut starter = Starter::default();
        let mut solutions = leak::Solutions::default();
        for path in workspace_files(root)? {
            let full = root.join(&path);
            let content = std::fs::read(&full)
                .with_context(|| format!("could not read {}", full.display()))?;
            let mtime = std::fs::metadata(&full).and_then(|m| m.modified()).ok();
            let lab = student_lab(info, &path);
            // A student's file always gets a fresh time when written: an old
            // time could make cargo keep another submission's binary.
            let mut file = File {
                path: path.clone(),
                content,
                mtime: if lab.is_some() { None } else { mtime },
                student: lab.is_some(),
            };
            match path.as_str() {
                "README.md" => file.content = student::readme(info).into_bytes(),
                ".cargo/config.toml" => file
                    .content
                    .extend_from_slice(student::CARGO_ENV.as_bytes()),
                "xtask/Cargo.toml" => {
                    let text = String::from_utf8(file.content.clone())
                        .with_context(|| format!("{path} is not UTF-8"))?;
                    file.content = student::xtask_manifest(&text)?.into_bytes();
                }
                _ => {}
            }
            if matches!(
                path.as_str(),
                "README.md" | ".cargo/config.toml" | "xtask/Cargo.toml"
            ) {
                file.mtime = None;
            }
            if let Some(lab) = lab {
                if path.ends_with(".rs") {
                    let text = String::from_utf8(file.content.clone())
                        .with_context(|| format!("{path} is not UTF-8"))?;
                    if let Some((stubbed, found)) = stub_file(&path, &text)? {
                        let lines: Vec<&str> = text.lines().collect();
                        for region in &found {
                            solutions.add(&path, &lines, region);
                        }
                        *starter.stubs.entry(lab.package()).or_default() += found.len();
                        file.content = stubbed.into_bytes();
                        file.mtime = None;
                    }
                }
            }
            starter.files.push(file);
        }
        starter.files.push(File {
            path: CLASSROOM_WORKFLOW.to_owned(),
            content: classroom_workflow(info).into_bytes(),
            mtime: None,
            student: false,
        });
        let checksums = crate::guard::record(
            info,
            starter
                .files
                .iter()
                .map(|f| (f.path.as_str(), &f.content[..])),
        );
        starter.files.push(File {
            path: crate::guard::CHECKSUMS_FILE.to_owned(),
            content: checksums.into_bytes(),
            mtime: None,
            student: false,
        });
        solutions.check(&starter.files)?;
        Ok(starter)
    }

    /// Writes the starter under `dir`, which must not exist or be empty.
    ///
    /// # Errors
    ///
    /// `dir` holds files already, or a file could not be written.
    pub fn write_new(&self, dir: &Path) -> Result<()> {
        if dir.exists()
            && std::fs::read_dir(dir)
                .with_context(|| format!("could not read {}", dir.display()))?
                .next()
                .is_some()
        {
            bail!(
                "{} is not empty: choose a new folder for the starter",
                dir.display()
            );
        }
        self.sync_to(dir)
    }

    /// Makes `dir` hold exactly this starter. An instructor's file whose
    /// content is already right is left untouched (so cargo finds the
    /// shared crates built); the labs' `src/` files are always written
    /// with the current time (so a lab is always rebuilt from what is in
    /// `dir`); other files are removed, except `target/`.
    ///
    /// # Errors
    ///
    /// A file could not be read, written or removed.
    pub fn sync_to(&self, dir: &Path) -> Result<()> {
        files::sync(
            dir,
            self.files
                .iter()
                .map(|f| (f.path.as_str(), &f.content[..], f.mtime)),
        )
    }
}

/// `cargo xtask starter --out DIR`.
///
/// # Errors
///
/// See [`Starter::build`] and [`Starter::write_new`].
pub fn run(root: &Path, info: &Info, out: &Path) -> Result<()> {
    let starter = Starter::build(root, info)?;
    starter.write_new(out)?;
    let stubs: Vec<String> = starter
        .stubs
        .iter()
        .map(|(lab, n)| format!("{lab}: {n} todo!()"))
        .collect();
    println!(
        "wrote the starter to {} ({} files; {})",
        out.display(),
        starter.files.len(),
        stubs.join(", ")
    );
    println!("{}", student::git_init(out)?);
    println!(
        "check it: cd {} && cargo build --workspace && cargo xtask check-lab --all",
        out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "//! A lab.\n\nuse std::io;\n\n/// Does it: Python's `x()`.\n/// Second [`line`].\n///\n/// More.\nfn f(a: u32) -> io::Result<u32> {\n    // ANCHOR: f\n    // BEGIN SOLUTION\n    let s = \"}\";\n    Ok(a + s.len() as u32)\n    // END SOLUTION\n    // ANCHOR_END: f\n}\n";

    #[test]
    fn a_region_becomes_todo_with_the_doc_paragraph() {
        let (text, found) = stub_file("f.rs", GOOD).unwrap().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].function, "f");
        assert!(
            text.contains("    // ANCHOR: f\n    todo!(\"Does it: Python's `x()`. Second `line`.\")\n    // ANCHOR_END: f\n}"),
            "{text}"
        );
        assert!(text.starts_with("//! A lab.\n\n// Starter code"), "{text}");
        assert!(
            text.contains("#![allow(unused_imports, unused_variables, dead_code)]\n\nuse std::io;"),
            "{text}"
        );
    }

    fn error_of(text: &str) -> String {
        format!("{:#}", regions("f.rs", text).unwrap_err())
    }

    #[test]
    fn broken_markers_are_named_by_file_and_line() {
        let nested = GOOD.replace("    let s", "    // BEGIN SOLUTION\n    let s");
        assert!(
            error_of(&nested)
                .starts_with("f.rs:12: `// BEGIN SOLUTION` inside the region opened at line 11")
        );
        let unclosed = GOOD.replace("    // END SOLUTION\n", "");
        assert!(error_of(&unclosed).starts_with("f.rs:11: `// BEGIN SOLUTION` is never closed"));
        let stray_end = GOOD.replace("    // BEGIN SOLUTION\n", "");
        assert!(error_of(&stray_end).starts_with("f.rs:13: `// END SOLUTION` without"));
        let inline = GOOD.replace(
            "    // BEGIN SOLUTION\n",
            "    let x = 1; // BEGIN SOLUTION\n",
        );
        assert!(error_of(&inline).starts_with("f.rs:11: a solution marker must be alone"));
        let outside = "// BEGIN SOLUTION\nfn g() {}\n// END SOLUTION\n";
        assert!(
            error_of(outside)
                .starts_with("f.rs:1: `// BEGIN SOLUTION` must be inside a function body")
        );
        let not_last = GOOD.replace("    // ANCHOR_END: f\n", "    // ANCHOR_END: f\n    ;\n");
        assert!(error_of(&not_last).starts_with("f.rs:14: a region must end its function body"));
        let no_doc = GOOD.replace("/// ", "// ");
        assert!(error_of(&no_doc).contains("`fn f` has a solution region but no doc comment"));
        let unbalanced = GOOD.replace("    Ok(a + s.len() as u32)\n", "    if a > 0 {\n");
        assert!(error_of(&unbalanced).contains("do not balance"));
        let comment = GOOD.replace("    Ok(a", "    // Why: because.\n    Ok(a");
        assert!(
            error_of(&comment).starts_with("f.rs:13: a solution region holds 1 comment line(s)"),
            "{}",
            error_of(&comment)
        );
        let trailing = GOOD.replace(
            "    Ok(a + s.len() as u32)",
            "    Ok(a + s.len() as u32) // why",
        );
        assert!(error_of(&trailing).contains("holds 1 comment line(s)"));
    }

    #[test]
    fn braces_in_strings_chars_and_comments_are_not_code() {
        let text = "fn f() -> char {\n    // {\n    /* } */\n    let _s = r#\"{\"#;\n    // BEGIN SOLUTION\n    '{'\n    // END SOLUTION\n}\n";
        let text = format!("/// Returns a brace.\n{text}");
        assert_eq!(regions("f.rs", &text).unwrap().len(), 1);
    }

    #[test]
    fn a_long_hint_is_laid_out_as_rustfmt_does() {
        let hint = "x".repeat(120);
        assert_eq!(
            todo_call("    ", &hint),
            format!("    todo!(\n        \"{hint}\"\n    )")
        );
        assert_eq!(todo_call("", "a {b} \"c\""), "todo!(\"a {{b}} \\\"c\\\"\")");
    }
}
