//! Checks that plain `cargo test` enforces on the project's own files
//! (rust-analyzer's `tidy.rs` and rustlings' `dev check` play this role):
//! the list of labs in `labs/info.toml` agrees with the lab folders, their
//! scenarios (stories with snapshots, property scenarios without) and their
//! snapshots, and nothing synchronises with `sleep`.
//! Each complaint says what to fix.

use std::collections::BTreeSet;
use std::path::Path;
use xtask::labs::{Info, Kind, workspace_root};

fn test_names(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut after_test_attr = false;
    for line in source.lines() {
        let line = line.trim();
        if line == "#[test]" {
            after_test_attr = true;
        } else if after_test_attr {
            if let Some(rest) = line.strip_prefix("fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
            if !line.starts_with("#[") {
                after_test_attr = false;
            }
        }
    }
    names
}

#[test]
fn every_lab_in_info_toml_has_its_folder_package_readme_and_scenarios() {
    let root = workspace_root();
    let info = Info::load(&root).expect("labs/info.toml must load");
    let mut problems = Vec::new();
    for lab in &info.labs {
        let dir = root.join(lab.dir());
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
        if !manifest.contains(&format!("name = \"{}\"", lab.package())) {
            problems.push(format!(
                "{}: Cargo.toml must declare the package `{}`",
                lab.dir().display(),
                lab.package()
            ));
        }
        if !dir.join("README.md").is_file() {
            problems.push(format!(
                "{}: add a README.md for the lab",
                lab.dir().display()
            ));
        }
        if lab.hint.trim().is_empty() || lab.hint.contains("TODO") {
            problems.push(format!(
                "labs/info.toml: lab {} needs a real hint",
                lab.number
            ));
        }
        if lab.scenarios.is_empty() {
            problems.push(format!(
                "labs/info.toml: lab {} lists no scenarios",
                lab.number
            ));
        }
        let listed: BTreeSet<String> = lab.scenarios.iter().map(|s| s.name.clone()).collect();
        if listed.len() != lab.scenarios.len() {
            problems.push(format!(
                "labs/info.toml: lab {} lists a scenario twice",
                lab.number
            ));
        }
        for kind in [Kind::Story, Kind::Property] {
            let file = format!("tests/{}.rs", kind.test_file());
            let source = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            let tests = test_names(&source);
            let of_kind: BTreeSet<String> = lab
                .scenarios
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| s.name.clone())
                .collect();
            for name in of_kind.difference(&tests) {
                problems.push(format!(
                    "{}/{file} has no #[test] fn {name} (listed in labs/info.toml as a {} scenario)",
                    lab.dir().display(),
                    kind.as_str(),
                ));
            }
            for test in tests.difference(&of_kind) {
                problems.push(format!(
                    "{}/{file}: #[test] fn {test} is not listed in labs/info.toml as a {} scenario (give it points there{})",
                    lab.dir().display(),
                    kind.as_str(),
                    if kind == Kind::Property {
                        ", with kind = \"property\""
                    } else {
                        ""
                    }
                ));
            }
        }
        for scenario in &lab.scenarios {
            if scenario.points == 0 {
                problems.push(format!(
                    "labs/info.toml: scenario `{}` is worth 0 points",
                    scenario.name
                ));
            }
            let snapshot = lab.snapshot_path(&root, &scenario.name);
            match scenario.kind {
                Kind::Story if !snapshot.is_file() => problems.push(format!(
                    "{} is missing: run `cargo insta test -p {}` and review it",
                    snapshot.display(),
                    lab.package()
                )),
                Kind::Property if snapshot.is_file() => problems.push(format!(
                    "{}: `{}` is a property scenario, judged without a snapshot: delete the snapshot, or make it a story",
                    snapshot.display(),
                    scenario.name
                )),
                _ => {}
            }
        }
        let stories: BTreeSet<String> = lab
            .scenarios
            .iter()
            .filter(|s| s.kind == Kind::Story)
            .map(|s| s.name.clone())
            .collect();
        let snapshots = dir.join("tests/snapshots");
        for entry in std::fs::read_dir(&snapshots)
            .into_iter()
            .flatten()
            .flatten()
        {
            let file = entry.file_name().to_string_lossy().into_owned();
            let listed_snapshot = file
                .strip_prefix("scenarios__")
                .and_then(|f| f.strip_suffix(".snap"))
                .is_some_and(|name| stories.contains(name));
            if file.starts_with("scenarios__") && !listed_snapshot {
                problems.push(format!(
                    "{}: orphaned or unreviewed snapshot {file}: delete it or list its scenario",
                    snapshots.display()
                ));
            }
            if file.starts_with("properties__") {
                problems.push(format!(
                    "{}: {file}: property scenarios are judged without snapshots: delete it",
                    snapshots.display()
                ));
            }
        }
    }
    for entry in std::fs::read_dir(root.join("labs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir()
            && !info
                .labs
                .iter()
                .any(|l| l.dir() == Path::new("labs").join(&name))
        {
            problems.push(format!("labs/{name} is not listed in labs/info.toml"));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Synchronising with `sleep` makes transcripts differ one run in a
/// thousand; every wait must be on a real condition with a deadline.
#[test]
fn nothing_sleeps_to_synchronise() {
    let root = workspace_root();
    let mut found = Vec::new();
    let mut stack = vec![
        root.join("labs"),
        root.join("crates"),
        root.join("xtask/src"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for (i, line) in text.lines().enumerate() {
                    if line.contains("thread::sleep") && !line.trim_start().starts_with("//") {
                        found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "wait on a real condition instead of sleeping:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_lab_can_be_found_by_number_and_name() {
    let info = Info::load(&workspace_root()).unwrap();
    for lab in &info.labs {
        for query in [
            lab.number.to_string(),
            format!("{:02}", lab.number),
            format!("lab{:02}", lab.number),
            lab.name.clone(),
        ] {
            assert_eq!(
                info.find(&query).unwrap().number,
                lab.number,
                "query `{query}`"
            );
        }
    }
    let err = info.find("99").unwrap_err().to_string();
    assert!(err.contains("there is no lab `99`"), "{err}");
}
