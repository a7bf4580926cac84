//! The students' copy keeps every explanation: a starter built from this
//! workspace holds, in each lab source file, every comment line of the
//! instructor's file (in the same order), less the solution markers; the
//! only comment lines it adds are the starter's own header.

use std::collections::BTreeMap;
use std::path::Path;
use xtask::labs::Info;
use xtask::starter::{BEGIN, END, Starter};

/// The comment lines of a file, trimmed: whole-line comments, and the
/// comment after code on a line (` // `).
fn comment_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let t = l.trim();
            if t.starts_with("//") {
                Some(t.to_owned())
            } else {
                l.find(" // ").map(|i| l[i + 1..].trim().to_owned())
            }
        })
        .filter(|l| l != BEGIN && l != END)
        .collect()
}

#[test]
fn a_starter_keeps_every_comment_line_outside_the_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let starter = Starter::build(root, &info).unwrap();
    let mut compared = BTreeMap::new();
    for file in starter
        .files
        .iter()
        .filter(|f| f.student && f.path.ends_with(".rs"))
    {
        let original = std::fs::read_to_string(root.join(&file.path)).unwrap();
        let stubbed = std::str::from_utf8(&file.content).unwrap();
        let theirs = comment_lines(&original);
        let mut ours = comment_lines(stubbed);
        if stubbed != original {
            // The starter's header: the comment lines before its
            // `#![allow(...)]`, which the instructor's file does not have.
            let header: Vec<String> = stubbed
                .lines()
                .skip_while(|l| !l.starts_with("// Starter code"))
                .take_while(|l| l.starts_with("//"))
                .map(str::to_owned)
                .collect();
            assert_eq!(header.len(), 3, "{}: the starter's header", file.path);
            let at = ours.iter().position(|l| *l == header[0]).unwrap();
            ours.drain(at..at + header.len());
        }
        assert_eq!(
            ours, theirs,
            "{}: the starter's comment lines differ from the instructor's",
            file.path
        );
        compared.insert(file.path.clone(), theirs.len());
    }
    // Every lab has stubbed files, and they were compared.
    assert_eq!(starter.stubs.len(), info.labs.len(), "{:?}", starter.stubs);
    assert!(
        compared.values().sum::<usize>() > 100,
        "too few comment lines compared: {compared:?}"
    );
}

#[test]
fn the_starter_has_a_student_readme_and_never_offers_to_update_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let starter = Starter::build(root, &info).unwrap();
    let text = |path: &str| {
        let file = starter.files.iter().find(|f| f.path == path).unwrap();
        String::from_utf8(file.content.clone()).unwrap()
    };
    let readme = text("README.md");
    for lab in &info.labs {
        assert!(readme.contains(&lab.title), "{}", lab.title);
        assert!(readme.contains(&lab.title_zh), "{}", lab.title_zh);
    }
    for needed in [
        "cargo xtask check-lab 1",
        "cargo xtask hint 1",
        "cargo xtask reset 1",
        "only each lab's `src/`",
        "只读取每个实验的 `src/`",
    ] {
        assert!(readme.contains(needed), "the README lacks `{needed}`");
    }
    for instructor in [
        "For instructors",
        "SOLUTION",
        "xtask grade",
        "starter --out",
    ] {
        assert!(
            !readme.contains(instructor),
            "the README says `{instructor}`"
        );
    }
    assert!(text(".cargo/config.toml").contains("[env]\nINSTA_UPDATE = \"no\"\n"));
}
