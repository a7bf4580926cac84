//! Checks that plain `cargo test` enforces on the project's own files
//! (rust-analyzer's `tidy.rs` and rustlings' `dev check` play this role):
//! the list of labs in `labs/info.toml` agrees with the lab folders, their
//! scenarios (stories with snapshots, property scenarios without) and their
//! snapshots, nothing synchronises with `sleep` (or parks or spins), and
//! xtask's modules keep their layers and sizes.
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
    let root = workspace_root().unwrap();
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
        for (kind, file) in [(Kind::Story, "scenarios"), (Kind::Property, "properties")] {
            let file = format!("tests/{file}.rs");
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
                Kind::Unit => {
                    let source = std::fs::read_to_string(dir.join(format!("tests/{}.rs", scenario.name)))
                        .unwrap_or_default();
                    if ["scenarios", "properties"].contains(&scenario.name.as_str())
                        || test_names(&source).is_empty()
                    {
                        problems.push(format!(
                            "labs/info.toml: unit entry `{}` of lab {} must name a file {}/tests/NAME.rs of #[test] functions (not scenarios or properties)",
                            scenario.name,
                            lab.number,
                            lab.dir().display()
                        ));
                    }
                }
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

/// Calls that wait by the clock instead of on a condition: a sleep under
/// any name, a park with a timeout re-checked in a loop, a `yield_now`
/// spin. Each makes transcripts differ one run in a thousand, or burns a
/// core while another process needs it.
const HIDDEN_WAITS: &[&str] = &[
    "sleep",
    "sleep_ms",
    "sleep_until",
    "park_timeout",
    "park_timeout_ms",
    "yield_now",
];

/// Where a hidden wait is still allowed (path, call, why). Keep it short.
const WAIT_ALLOWED: &[(&str, &str, &str)] = &[
    (
        "crates/harness/src/peer/fin.rs",
        "yield_now",
        "the kernel gives no notification when another process's socket receives a FIN: \
         it polls /proc/net/tcp (the real condition) until it holds or the step deadline passes",
    ),
    (
        "crates/harness/src/pace.rs",
        "sleep",
        "TcpPeer::pause: the pause IS the story (a client quiet for 1 s), not a wait for \
         something; on Linux the verdict rests on /proc (the reader's thread still asleep in \
         the same read, sleep count unchanged, after the pause), the 20 ms tick only reports \
         a wake-up early",
    ),
    (
        "crates/harness/src/pace.rs",
        "yield_now",
        "the kernel gives no notification when another process's receive queue empties: \
         it polls /proc (the real condition) until it holds or the step deadline passes",
    ),
    (
        "crates/harness/src/settle.rs",
        "yield_now",
        "the kernel gives no notification when every thread of another process sleeps: \
         it polls /proc (the real condition) until it holds or the step deadline passes",
    ),
    (
        "crates/harness/src/slow_reader.rs",
        "yield_now",
        "the kernel gives no notification when another process accepts a connection, or \
         when bytes it sent have all arrived: it polls /proc (the real condition) until it \
         holds or the step deadline passes",
    ),
    (
        "crates/harness/src/stuck.rs",
        "yield_now",
        "the kernel gives no notification when every thread of another process sleeps: \
         it polls /proc (the real condition) for at most 200 ms after a step timed out, \
         to tell a program waiting in a call from one in a busy loop",
    ),
    (
        "xtask/src/interrupt.rs",
        "yield_now",
        "the kernel gives no notification when a process that is not a child ends: after \
         Ctrl-C it polls /proc (the real condition) for at most 5 s until the killed \
         processes are gone",
    ),
    (
        "xtask/tests/interrupt.rs",
        "yield_now",
        "the kernel gives no notification when a process that is not a child ends: it polls \
         /proc (the real condition) until no process of the copy remains or the deadline passes",
    ),
    (
        "crates/harness/src/suspend.rs",
        "yield_now",
        "the kernel gives no notification when another process blocks in a write or stops: \
         it polls /proc (the real condition) until it holds or the step deadline passes",
    ),
    (
        "crates/harness/src/together.rs",
        "yield_now",
        "the kernel gives no notification when another process stops or when a listener's \
         accept queue grows: it polls /proc (the real condition) until it holds or the step \
         deadline passes",
    ),
];

/// The code of a line: without its `//` comment and with the contents of
/// string literals blanked (good enough for these names, which never
/// span lines).
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => {
                in_string = !in_string;
                out.push('"');
            }
            '/' if !in_string && chars.peek() == Some(&'/') => break,
            _ if in_string => {}
            _ => out.push(c),
        }
    }
    out
}

/// The identifiers of a line of code.
fn identifiers(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// The `.rs` files under `dir`, but not under a `fixtures` folder (the
/// grader's broken submissions do what students might).
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && entry.file_name() != "fixtures" {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Synchronising with `sleep` makes transcripts differ one run in a
/// thousand; every wait must be on a real condition with a deadline.
#[test]
fn nothing_sleeps_to_synchronise() {
    let root = workspace_root().unwrap();
    let mut found = Vec::new();
    for dir in ["labs", "crates", "xtask/src", "xtask/tests"] {
        for path in rust_files(&root.join(dir)) {
            let rel = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "xtask/tests/tidy.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for (i, line) in text.lines().enumerate() {
                let code = code_of(line);
                for name in identifiers(&code).filter(|w| HIDDEN_WAITS.contains(w)) {
                    if !WAIT_ALLOWED.iter().any(|(p, n, _)| *p == rel && *n == name) {
                        found.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "wait on a real condition instead of sleeping, parking with a timeout or spinning \
         (or add the place to WAIT_ALLOWED in xtask/tests/tidy.rs with the reason):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_hidden_wait_check_sees_every_spelling() {
    let waits = |line: &str| {
        identifiers(&code_of(line))
            .filter(|w| HIDDEN_WAITS.contains(w))
            .count()
    };
    assert_eq!(waits("std::thread::sleep(Duration::from_millis(5));"), 1);
    assert_eq!(
        waits("use std::thread::sleep as nap; thread::park_timeout(d)"),
        2
    );
    assert_eq!(waits("while !ready() { std::thread::yield_now() }"), 1);
    assert_eq!(waits("tokio::time::sleep(d).await"), 1);
    assert_eq!(
        waits("Command::new(\"sleep\").arg(\"1\") // never sleep"),
        0
    );
}

/// The top-level module of `xtask/src` a file belongs to.
fn module_of(rel: &Path) -> String {
    let first = rel.components().next().map_or_else(String::new, |c| {
        c.as_os_str().to_string_lossy().into_owned()
    });
    first.trim_end_matches(".rs").to_owned()
}

/// The xtask modules each module names through `crate::MODULE`, in code.
fn xtask_imports() -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let src = workspace_root().unwrap().join("xtask/src");
    let mut imports: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for path in rust_files(&src) {
        let module = module_of(path.strip_prefix(&src).unwrap());
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let entry = imports.entry(module.clone()).or_default();
        for line in text.lines() {
            let code = code_of(line);
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    entry.insert(name);
                }
            }
        }
    }
    imports
}

/// The layering of ARCHITECTURE.md: `model` ← `runner` ← {`check`,
/// `grade`}. The model imports nothing that shows or runs a result, the
/// runner nothing that shows one, the grader not the learner's printer,
/// no student's module an instructor's, and no two modules import each
/// other, directly or around a circle.
#[test]
fn xtask_modules_keep_their_layers() {
    let imports = xtask_imports();
    assert!(imports.contains_key("model") && imports.contains_key("runner"));
    let mut problems = Vec::new();
    let forbidden: &[(&str, &[&str])] = &[
        (
            "model",
            &[
                "runner",
                "check",
                "grade",
                "state",
                "cli",
                "solutions",
                "starter",
            ],
        ),
        ("runner", &["check", "grade", "state", "cli", "solutions"]),
        ("grade", &["check", "state", "cli"]),
        ("check", &["grade", "solutions", "starter"]),
    ];
    for (module, banned) in forbidden {
        for name in imports.get(*module).into_iter().flatten() {
            if banned.contains(&name.as_str()) {
                problems.push(format!("xtask/src/{module} must not use crate::{name}"));
            }
        }
    }
    // A student's xtask is built without the `instructor` feature: what a
    // student runs uses none of the instructor's modules (only `cli`
    // does, behind the feature).
    let instructors = ["files", "grade", "mutants", "solutions", "starter"];
    for (module, names) in &imports {
        if module == "cli" || instructors.contains(&module.as_str()) {
            continue;
        }
        for name in names.iter().filter(|n| instructors.contains(&n.as_str())) {
            problems.push(format!(
                "xtask/src/{module} must not use crate::{name}: it is behind the `instructor` feature"
            ));
        }
    }
    // A circle: a module that reaches itself through the imports.
    for start in imports.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = imports[start].iter().collect();
        while let Some(m) = stack.pop() {
            if m == start {
                problems.push(format!("xtask/src/{start} imports itself through a circle"));
                break;
            }
            if seen.insert(m.clone()) {
                stack.extend(imports.get(m).into_iter().flatten());
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn every_lab_can_be_found_by_number_and_name() {
    let info = Info::load(&workspace_root().unwrap()).unwrap();
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

/// A file of xtask over this many lines does more than one job: split it,
/// or give the one-line reason in ARCHITECTURE.md (a codemap line naming
/// the file and saying "over 400 lines").
const MOST_LINES: usize = 400;

#[test]
fn no_xtask_file_is_over_400_lines_without_a_reason() {
    let root = workspace_root().unwrap();
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap_or_default();
    let mut problems = Vec::new();
    for path in rust_files(&root.join("xtask/src")) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let lines = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .count();
        let reason = architecture
            .lines()
            .any(|l| l.contains(&rel) && l.contains("over 400 lines"));
        if lines > MOST_LINES && !reason {
            problems.push(format!("{rel}: {lines} lines"));
        }
    }
    assert!(
        problems.is_empty(),
        "split these files, or say in ARCHITECTURE.md why they are over {MOST_LINES} lines:\n{}",
        problems.join("\n")
    );
}
