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
//! `#![allow(unused_variables, dead_code)]`. Any other warning in the
//! starter (an import only the solution uses, say) is the lab author's to
//! fix by moving the `use` into the region; `check-solutions` reports it.
//!
//! # What is copied
//!
//! The files git knows (tracked, or new and not ignored) when the root is a
//! git checkout, otherwise every file outside `target/` and `.git/`; less
//! [`EXCLUDED`] (the instructor's CI and the grader's fixtures, which hold
//! solutions). A GitHub Classroom workflow is added. The copy must not leak
//! solution code: three consecutive lines of a region found in any file
//! outside the labs' `src/` are an error.

use crate::labs::{Info, Lab};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The opening marker, alone on its line.
pub const BEGIN: &str = "// BEGIN SOLUTION";
/// The closing marker, alone on its line.
pub const END: &str = "// END SOLUTION";

/// Paths (relative, `/`-separated prefixes) never copied into a starter:
/// the instructor's CI (it runs `check-solutions`), the grader's
/// benchmark, and the grader's test and fixtures, which contain correct
/// solutions.
pub const EXCLUDED: &[&str] = &[
    ".ci/",
    ".github/",
    "scripts/bench-grade.sh",
    "xtask/tests/fixtures/",
    "xtask/tests/grade.rs",
];

/// The GitHub Classroom workflow, relative to the starter's root.
pub const CLASSROOM_WORKFLOW: &str = ".github/workflows/classroom.yml";

/// The inner attribute added to each file with a stub.
const ALLOW: &str = "// Starter code: until every todo!() of this file is written, some\n\
// parameters and constants are unused. When none is left, delete this\n\
// comment and the next line to get the compiler's warnings back.\n\
#![allow(unused_variables, dead_code)]\n";

/// How many consecutive lines of a solution, found elsewhere, make a leak.
const SHINGLE: usize = 3;

/// A line as the leak check compares it: trimmed, or `None` for blank
/// lines, comments and short lines (`}`, `Ok(())`) that any code has.
fn significant(line: &str) -> Option<&str> {
    let line = line.trim();
    (line.len() >= 12 && !line.starts_with("//") && !line.starts_with("use ")).then_some(line)
}

/// One solution region of a source file.
#[derive(Debug, Clone)]
pub struct Region {
    /// 0-based line of `// BEGIN SOLUTION`.
    pub begin: usize,
    /// 0-based line of `// END SOLUTION`.
    pub end: usize,
    /// The function the region is the body of.
    pub function: String,
    /// The `todo!()` message: the first paragraph of its doc comment.
    pub hint: String,
}

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

/// A brace of the code (not in a comment, string or char literal).
#[derive(Debug, Clone, Copy)]
struct Brace {
    line: usize,
    open: bool,
}

/// The code of `text` with comments, strings and char literals blanked
/// out (same line structure), so braces and keywords can be found.
fn code_only(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut block_depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if block_depth > 0 {
            if c == '*' && next == Some('/') {
                block_depth -= 1;
                out.push_str("  ");
                i += 2;
            } else if c == '/' && next == Some('*') {
                block_depth += 1;
                out.push_str("  ");
                i += 2;
            } else {
                out.push(if c == '\n' { '\n' } else { ' ' });
                i += 1;
            }
            continue;
        }
        match c {
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    out.push(' ');
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                block_depth = 1;
                out.push_str("  ");
                i += 2;
            }
            '"' => {
                // A (byte) string: skip to the closing quote.
                out.push(' ');
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        out.push(' ');
                        i += 1;
                    }
                    if i < chars.len() {
                        out.push(if chars[i] == '\n' { '\n' } else { ' ' });
                        i += 1;
                    }
                }
                out.push(' ');
                i += 1;
            }
            'r' if (next == Some('#') || next == Some('"'))
                && !chars[..i]
                    .last()
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_') =>
            {
                // A raw string r"…" or r#"…"#.
                let mut j = i + 1;
                let mut hashes = 0;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    out.push(c);
                    i += 1;
                    continue;
                }
                j += 1;
                loop {
                    if j >= chars.len() {
                        break;
                    }
                    if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                for &ch in &chars[i..j.min(chars.len())] {
                    out.push(if ch == '\n' { '\n' } else { ' ' });
                }
                i = j;
            }
            '\'' => {
                // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
                let close = if next == Some('\\') {
                    (i + 3..chars.len().min(i + 12)).find(|&j| chars[j] == '\'')
                } else if chars.get(i + 2) == Some(&'\'') {
                    Some(i + 2)
                } else {
                    None
                };
                match close {
                    Some(j) => {
                        for _ in i..=j {
                            out.push(' ');
                        }
                        i = j + 1;
                    }
                    None => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out.split('\n').map(str::to_owned).collect()
}

/// Whether `code` holds the keyword `fn` as a whole word.
fn has_fn_keyword(code: &str) -> Option<usize> {
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(pos) = code[from..].find("fn") {
        let at = from + pos;
        let before = at.checked_sub(1).map(|p| bytes[p]);
        let after = bytes.get(at + 2).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !word(before) && !word(after) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// For each `{`: whether it opens a function body, and the line of its
/// `fn` keyword.
struct Blocks {
    braces: Vec<Brace>,
    /// Per open brace (index into `braces`): `Some(fn line)` for a body.
    fn_line: BTreeMap<usize, usize>,
}

fn blocks(code: &[String]) -> Blocks {
    let mut braces = Vec::new();
    let mut fn_line = BTreeMap::new();
    // The code since the last `;`, `{` or `}`, with the line of a `fn`.
    let mut header_fn: Option<usize> = None;
    for (n, line) in code.iter().enumerate() {
        let mut segment_start = 0;
        for (pos, ch) in line.char_indices() {
            if matches!(ch, '{' | '}' | ';') {
                if header_fn.is_none() && has_fn_keyword(&line[segment_start..pos]).is_some() {
                    header_fn = Some(n);
                }
                if ch == '{' {
                    if let Some(l) = header_fn {
                        fn_line.insert(braces.len(), l);
                    }
                }
                if ch != ';' {
                    braces.push(Brace {
                        line: n,
                        open: ch == '{',
                    });
                }
                header_fn = None;
                segment_start = pos + 1;
            }
        }
        if header_fn.is_none() && has_fn_keyword(&line[segment_start..]).is_some() {
            header_fn = Some(n);
        }
    }
    Blocks { braces, fn_line }
}

/// The open braces (indices) at the start of line `n`, innermost last.
fn open_at(blocks: &Blocks, n: usize) -> Vec<usize> {
    let mut stack = Vec::new();
    for (i, b) in blocks.braces.iter().enumerate() {
        if b.line >= n {
            break;
        }
        if b.open {
            stack.push(i);
        } else {
            stack.pop();
        }
    }
    stack
}

/// The name after `fn` on `line`.
fn fn_name(line: &str) -> String {
    let at = has_fn_keyword(line).map_or(0, |p| p + 2);
    line[at..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The first paragraph of the doc comment above line `fn_line`.
fn doc_paragraph(lines: &[&str], fn_line: usize) -> Option<String> {
    let mut n = fn_line;
    while n > 0 && lines[n - 1].trim_start().starts_with("#[") {
        n -= 1;
    }
    let mut docs = Vec::new();
    while n > 0 && lines[n - 1].trim_start().starts_with("///") {
        n -= 1;
        docs.push(lines[n].trim_start().trim_start_matches("///").trim());
    }
    docs.reverse();
    let paragraph: Vec<&str> = docs
        .into_iter()
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    // Intra-doc links read as plain code in a panic message.
    (!paragraph.is_empty()).then(|| paragraph.join(" ").replace("[`", "`").replace("`]", "`"))
}

/// Finds and checks the solution regions of one file (`name` is how
/// messages call it).
///
/// # Errors
///
/// A marker not alone on its line, nested or unbalanced markers, a region
/// outside a function body or not ending it, braces that do not balance
/// inside a region, a stubbed function without a doc comment: each named
/// FILE:LINE.
pub fn regions(name: &str, text: &str) -> Result<Vec<Region>> {
    let lines: Vec<&str> = text.lines().collect();
    let code = code_only(text);
    let blocks = blocks(&code);
    let mut found = Vec::new();
    let mut open: Option<usize> = None;
    for (n, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let is_begin = trimmed == BEGIN;
        let is_end = trimmed == END;
        if !is_begin
            && !is_end
            && (line.contains("BEGIN SOLUTION") || line.contains("END SOLUTION"))
        {
            bail!(
                "{name}:{}: a solution marker must be alone on its line, exactly `{BEGIN}` or `{END}`",
                n + 1
            );
        }
        if is_begin {
            if let Some(b) = open {
                bail!(
                    "{name}:{}: `{BEGIN}` inside the region opened at line {}: regions do not nest",
                    n + 1,
                    b + 1
                );
            }
            open = Some(n);
        } else if is_end {
            let Some(b) = open.take() else {
                bail!("{name}:{}: `{END}` without a `{BEGIN}` before it", n + 1);
            };
            found.push(check_region(name, &lines, &code, &blocks, b, n)?);
        }
    }
    if let Some(b) = open {
        bail!("{name}:{}: `{BEGIN}` is never closed by `{END}`", b + 1);
    }
    Ok(found)
}

fn check_region(
    name: &str,
    lines: &[&str],
    code: &[String],
    blocks: &Blocks,
    begin: usize,
    end: usize,
) -> Result<Region> {
    let stack = open_at(blocks, begin);
    let Some(&body) = stack.last() else {
        bail!(
            "{name}:{}: `{BEGIN}` must be inside a function body (the signature stays outside, so the starter compiles)",
            begin + 1
        );
    };
    let Some(&fn_line) = blocks.fn_line.get(&body) else {
        bail!(
            "{name}:{}: `{BEGIN}` must be directly inside a function body, not in a nested block (the starter replaces the region with todo!())",
            begin + 1
        );
    };
    if open_at(blocks, end) != stack {
        bail!(
            "{name}:{}: the braces between `{BEGIN}` (line {}) and `{END}` do not balance: a region holds whole statements",
            end + 1,
            begin + 1
        );
    }
    // After END: only comments, then the `}` that closes the body.
    let closing = blocks
        .braces
        .iter()
        .position(|b| b.line > end)
        .map(|i| (i, blocks.braces[i]));
    let next_code = (end + 1..code.len()).find(|&l| !code[l].trim().is_empty());
    let ends_body = match (closing, next_code) {
        (Some((i, brace)), Some(l)) => {
            !brace.open
                && brace.line == l
                && code[l].trim_start().starts_with('}')
                && open_at(blocks, l).last() == Some(&body)
                && i > body
        }
        _ => false,
    };
    if !ends_body {
        bail!(
            "{name}:{}: a region must end its function body: only comments may come between `{END}` and the function's closing `}}`",
            end + 1
        );
    }
    let function = fn_name(&code[fn_line]);
    let Some(hint) = doc_paragraph(lines, fn_line) else {
        bail!(
            "{name}:{}: `fn {function}` has a solution region but no doc comment: its first paragraph is the starter's todo!() message",
            fn_line + 1
        );
    };
    Ok(Region {
        begin,
        end,
        function,
        hint,
    })
}

/// `todo!("…")` for `hint`, at `indent`, as rustfmt would lay it out.
fn todo_call(indent: &str, hint: &str) -> String {
    let escaped = hint
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('{', "{{")
        .replace('}', "}}");
    let one_line = format!("{indent}todo!(\"{escaped}\")");
    if one_line.chars().count() <= 100 {
        one_line
    } else {
        format!("{indent}todo!(\n{indent}    \"{escaped}\"\n{indent})")
    }
}

/// The stubbed text of one file, or `None` if it has no region.
///
/// # Errors
///
/// See [`regions`].
pub fn stub_file(name: &str, text: &str) -> Result<Option<(String, Vec<Region>)>> {
    let found = regions(name, text)?;
    if found.is_empty() {
        return Ok(None);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    // The allow attribute goes after the `//!` header (inner doc comments
    // and inner attributes may mix, but both come before any item).
    let header_end = lines
        .iter()
        .position(|l| !(l.starts_with("//!") || l.trim().is_empty() || l.starts_with("#![")))
        .unwrap_or(lines.len());
    let header_end = (0..header_end)
        .rev()
        .find(|&i| !lines[i].trim().is_empty())
        .map_or(0, |i| i + 1);
    let mut regions_iter = found.iter().peekable();
    let mut n = 0;
    while n < lines.len() {
        if n == header_end {
            if n > 0 {
                out.push(String::new());
            }
            out.extend(ALLOW.lines().map(str::to_owned));
            if n == 0 {
                out.push(String::new());
            }
        }
        if let Some(region) = regions_iter.next_if(|r| r.begin == n) {
            let indent: String = lines[n].chars().take_while(|c| c.is_whitespace()).collect();
            out.push(todo_call(&indent, &region.hint));
            n = region.end + 1;
            continue;
        }
        out.push(lines[n].to_owned());
        n += 1;
    }
    let mut text_out = out.join("\n");
    text_out.push('\n');
    Ok(Some((text_out, found)))
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
        walk(root, Path::new(""), &mut files)?;
    }
    files.retain(|f| !EXCLUDED.iter().any(|e| f.starts_with(e)));
    files.sort();
    files.dedup();
    Ok(files)
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<String>) -> Result<()> {
    let dir = root.join(rel);
    let entries =
        std::fs::read_dir(&dir).with_context(|| format!("could not read {}", dir.display()))?;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let rel = rel.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if rel == Path::new("target") || name == ".git" {
                continue;
            }
            walk(root, &rel, out)?;
        } else if kind.is_file() {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
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
        let mut solution_lines: BTreeMap<String, String> = BTreeMap::new();
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
            if let Some(lab) = lab {
                if path.ends_with(".rs") {
                    let text = String::from_utf8(file.content.clone())
                        .with_context(|| format!("{path} is not UTF-8"))?;
                    if let Some((stubbed, found)) = stub_file(&path, &text)? {
                        let lines: Vec<&str> = text.lines().collect();
                        for r in &found {
                            let code: Vec<(usize, &str)> = (r.begin + 1..r.end)
                                .filter_map(|n| significant(lines[n]).map(|l| (n, l)))
                                .collect();
                            for window in code.windows(SHINGLE) {
                                let key: Vec<&str> = window.iter().map(|(_, l)| *l).collect();
                                solution_lines
                                    .entry(key.join("\n"))
                                    .or_insert_with(|| format!("{path}:{}", window[0].0 + 1));
                            }
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
        starter.check_no_leak(&solution_lines)?;
        Ok(starter)
    }

    /// No marker is left in a lab, and no file outside the labs' `src/`
    /// repeats [`SHINGLE`] consecutive lines of a solution (the book
    /// includes lab code through ANCHOR comments, which is fine: it then
    /// shows the stub).
    fn check_no_leak(&self, solution_lines: &BTreeMap<String, String>) -> Result<()> {
        let mut leaks = Vec::new();
        for file in &self.files {
            let Ok(text) = std::str::from_utf8(&file.content) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                if file.path.starts_with("labs/")
                    && file.path.ends_with(".rs")
                    && (line.contains("BEGIN SOLUTION") || line.contains("END SOLUTION"))
                {
                    leaks.push(format!(
                        "{}:{}: a solution marker is left",
                        file.path,
                        n + 1
                    ));
                }
            }
            if file.student {
                continue;
            }
            let code: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter_map(|(n, l)| significant(l).map(|l| (n, l)))
                .collect();
            for window in code.windows(SHINGLE) {
                let key: Vec<&str> = window.iter().map(|(_, l)| *l).collect();
                if let Some(from) = solution_lines.get(&key.join("\n")) {
                    leaks.push(format!(
                        "{}:{}: repeats {SHINGLE} lines of the solution at {from}",
                        file.path,
                        window[0].0 + 1
                    ));
                }
            }
        }
        if !leaks.is_empty() {
            leaks.truncate(20);
            bail!(
                "the starter would give solutions away:\n  {}\n(include lab code in docs through ANCHOR comments instead of copying it)",
                leaks.join("\n  ")
            );
        }
        Ok(())
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
        sync_files(
            dir,
            self.files
                .iter()
                .map(|f| (f.path.as_str(), &f.content[..], f.mtime)),
        )
    }
}

/// Makes `dir` hold exactly `files` (path, content, modification time for
/// a new file; `None`: now), see [`Starter::sync_to`].
///
/// # Errors
///
/// A file could not be read, written or removed.
pub fn sync_files<'a>(
    dir: &Path,
    files: impl Iterator<Item = (&'a str, &'a [u8], Option<SystemTime>)>,
) -> Result<()> {
    let mut wanted = std::collections::BTreeSet::new();
    for (path, content, mtime) in files {
        wanted.insert(PathBuf::from(path));
        let target = dir.join(path);
        // Files without a time of their own (a student's, a stub) are
        // always written: cargo decides what to rebuild by comparing
        // modification times, and with the target directory shared between
        // working copies (cargo hashes workspace members by their relative
        // path), an old time could make it keep the binary that another
        // copy's different code produced.
        if mtime.is_some() && std::fs::read(&target).is_ok_and(|old| old == content) {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        // A file that existed is rewritten with the current time, so cargo
        // sees it changed; a new one may take the instructor's time.
        let existed = target.exists();
        std::fs::write(&target, content)
            .with_context(|| format!("could not write {}", target.display()))?;
        if let (false, Some(mtime)) = (existed, mtime) {
            let _ = std::fs::File::options()
                .write(true)
                .open(&target)
                .and_then(|f| f.set_modified(mtime));
        }
    }
    let mut existing = Vec::new();
    if dir.exists() {
        walk(dir, Path::new(""), &mut existing)?;
    }
    for path in existing {
        if !wanted.contains(Path::new(&path)) {
            let _ = std::fs::remove_file(dir.join(&path));
        }
    }
    Ok(())
}

/// GitHub Classroom's autograding workflow: one command test per lab,
/// `cargo xtask check-lab N`, worth the lab's points.
pub fn classroom_workflow(info: &Info) -> String {
    let mut out: Vec<String> = [
        "# GitHub Classroom autograding, generated by `cargo xtask starter`: each lab",
        "# is worth its points (labs/info.toml) when `cargo xtask check-lab N` passes",
        "# every one of its scenarios. Each lab builds and is scored on its own: one",
        "# that does not compile costs its own points only. This runs the student's",
        "# own copy, which the student can edit: its points are a progress signal;",
        "# the grade of record is `cargo xtask grade` over the collected repositories.",
        "name: Autograding Tests",
        "\"on\":",
        "  - push",
        "  - repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - name: Build the shared crates once",
        "        run: cargo build --package xtask",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut runners = Vec::new();
    for lab in &info.labs {
        let id = format!("lab-{:02}", lab.number);
        let name = format!("lab {} ({})", lab.number, lab.name);
        out.extend([
            format!("      - name: {name}"),
            format!("        id: {id}"),
            // Run even when an earlier step failed.
            "        if: ${{ !cancelled() }}".to_owned(),
            "        uses: classroom-resources/autograding-command-grader@v1".to_owned(),
            "        with:".to_owned(),
            format!("          test-name: {name}"),
            "          setup-command: ''".to_owned(),
            format!("          command: cargo xtask check-lab {}", lab.number),
            "          timeout: 10".to_owned(),
            format!("          max-score: {}", lab.max_points()),
        ]);
        runners.push(id);
    }
    out.extend([
        "      - name: Autograding Reporter".to_owned(),
        "        if: ${{ !cancelled() }}".to_owned(),
        "        uses: classroom-resources/autograding-grading-reporter@v1".to_owned(),
        "        env:".to_owned(),
    ]);
    for id in &runners {
        out.push(format!(
            "          {}_RESULTS: \"${{{{steps.{id}.outputs.result}}}}\"",
            id.to_uppercase()
        ));
    }
    out.push("        with:".to_owned());
    out.push(format!("          runners: {}", runners.join(",")));
    out.join("\n") + "\n"
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
            text.contains("#![allow(unused_variables, dead_code)]\n\nuse std::io;"),
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
    }

    #[test]
    fn braces_in_strings_chars_and_comments_are_not_code() {
        let text = "fn f() -> char {\n    // {\n    /* } */\n    let _s = r#\"{\"#;\n    // BEGIN SOLUTION\n    '{'\n    // END SOLUTION\n}\n";
        let text = format!("/// Returns a brace.\n{text}");
        assert_eq!(regions("f.rs", &text).unwrap().len(), 1);
    }

    #[test]
    fn one_lab_that_does_not_compile_costs_only_its_own_points() {
        let info = crate::labs::Info::load(&crate::labs::workspace_root()).unwrap();
        let workflow = classroom_workflow(&info);
        // No step builds every lab: one broken lab would fail it and skip
        // the rest.
        assert!(!workflow.contains("--workspace"), "{workflow}");
        // Every lab's step (and the reporter) runs whatever failed before.
        let runs_anyway = workflow.matches("if: ${{ !cancelled() }}").count();
        assert_eq!(runs_anyway, info.labs.len() + 1, "{workflow}");
        for lab in &info.labs {
            assert!(workflow.contains(&format!("command: cargo xtask check-lab {}\n", lab.number)));
        }
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
