//! A student's xtask compiles little: in a generated starter, the `xtask`
//! package's dependency tree (what a student's first `cargo xtask list`
//! builds) holds none of the crates only the instructor's commands use.
//! The same `cargo tree` in the instructor's copy lists them, so the test
//! sees what it looks for. And the crates a lab's tests share with xtask
//! have the same features, so the first check-lab does not compile them again.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use xtask::labs::Info;
use xtask::starter::Starter;

/// Crates the two graphs may build with different features: mio (lab 7's
/// event loop with `net`, notify's watcher with `os-ext`) depends on
/// nothing the labs share, so its second build costs only itself, a
/// couple of seconds, where aligning it would need xtask to depend on mio
/// for nothing.
const BUILT_TWICE_ON_PURPOSE: &[&str] = &["mio"];

/// Crates only the instructor's commands use: the grader's archives and
/// target lock. (`syn` stays: serde's derive needs it, but without its
/// `full` feature, which only the starter's parse of solution regions
/// needs.)
const INSTRUCTORS_ONLY: &[&str] = &["zip", "tar", "flate2", "fs4", "filetime", "miniz_oxide"];

/// `cargo tree` of the `xtask` package in `dir`, normal dependencies
/// only, for this machine: one `NAME FEATURES` line per package.
fn tree(dir: &Path) -> BTreeSet<(String, String)> {
    package_tree(dir, "xtask", "normal")
}

/// `cargo tree` of `package` in `dir` over the dependency kinds `edges`
/// (`normal`, `normal,dev`): each package's name and enabled features.
fn package_tree(dir: &Path, package: &str, edges: &str) -> BTreeSet<(String, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--locked",
            "-p",
            package,
            "-e",
            edges,
            "--prefix",
            "none",
            "--no-dedupe",
            "--format",
            "{p}|{f}",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "cargo tree failed in {}: {stderr}",
        dir.display()
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (package, features) = l.split_once('|')?;
            let name = package.split_whitespace().next()?.to_owned();
            Some((name, features.to_owned()))
        })
        .collect()
}

fn names(tree: &BTreeSet<(String, String)>) -> BTreeSet<&str> {
    tree.iter().map(|(n, _)| n.as_str()).collect()
}

/// Whether `syn` is built with its `full` feature in `tree`.
fn syn_full(tree: &BTreeSet<(String, String)>) -> bool {
    tree.iter()
        .any(|(n, f)| n == "syn" && f.split(',').any(|f| f == "full"))
}

#[test]
fn a_starters_xtask_does_not_build_the_instructors_crates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let info = Info::load(root).unwrap();
    let dir = xtask::runner::target_dir(root).join("socket-labs/student-xtask-test");
    let _ = std::fs::remove_dir_all(&dir);
    Starter::build(root, &info)
        .unwrap()
        .write_new(&dir)
        .unwrap();

    let instructor = tree(root);
    for name in INSTRUCTORS_ONLY {
        assert!(
            names(&instructor).contains(name),
            "the instructor's xtask no longer uses {name}: update INSTRUCTORS_ONLY"
        );
    }
    assert!(syn_full(&instructor), "the instructor's syn has `full`");

    let student = tree(&dir);
    let student_names = names(&student);
    // What a student's commands need is there: the list is the real tree.
    for name in ["harness", "notify", "toml", "lexopt"] {
        assert!(student_names.contains(name), "{name} in {student_names:?}");
    }
    let found: Vec<&&str> = INSTRUCTORS_ONLY
        .iter()
        .filter(|n| student_names.contains(**n))
        .collect();
    assert!(
        found.is_empty(),
        "a student's xtask builds the instructor's crates {found:?}: gate their use behind the `instructor` feature"
    );
    assert!(
        !syn_full(&student),
        "a student's xtask builds syn with `full` (only the starter generator needs it)"
    );

    // A lab's tests (`cargo test -p lab0N`, what check-lab runs) use the
    // libc, serde, insta and harness that `cargo xtask` already built only
    // if every crate the two graphs share has the same features: one
    // feature more on either side and cargo compiles it, and all that
    // depends on it, a second time (measured: 43 s of CPU for lab 1).
    let xtask_features: std::collections::BTreeMap<&str, &str> = student
        .iter()
        .map(|(n, f)| (n.as_str(), f.as_str()))
        .collect();
    for lab in &info.labs {
        let lab_tree = package_tree(&dir, &lab.package(), "normal,dev");
        assert!(names(&lab_tree).contains("harness"), "{lab_tree:?}");
        let differ: Vec<String> = lab_tree
            .iter()
            .filter_map(|(name, features)| {
                if BUILT_TWICE_ON_PURPOSE.contains(&name.as_str()) {
                    return None;
                }
                let theirs = xtask_features.get(name.as_str())?;
                (theirs != features)
                    .then(|| format!("{name}: xtask [{theirs}], {} [{features}]", lab.package()))
            })
            .collect();
        assert!(
            differ.is_empty(),
            "crates built twice in a student's first run (features differ; add them to the workspace dependency): {differ:?}"
        );
    }

    // What turns them off: the starter's manifest.
    let manifest = std::fs::read_to_string(dir.join("xtask/Cargo.toml")).unwrap();
    assert!(manifest.contains("\ndefault = []\n"), "{manifest}");
    let _ = std::fs::remove_dir_all(&dir);
}
