//! The generated GitHub Classroom workflow validates under
//! `@action-validator/cli` (the workflow schema validator on npm), and a
//! broken copy does not (so the check can fail). `.ci/run` installs the
//! validator into `target/npm/` and sets `SOCKET_LABS_ACTION_VALIDATOR=required`;
//! elsewhere, without it, this test says how to install it and passes.

use std::path::Path;
use std::process::Command;
use xtask::labs::{Info, workspace_root};

/// Runs the validator on `path`: its exit status and output.
fn validate(validator: &Path, path: &Path) -> (bool, String) {
    let out = Command::new(validator)
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("could not run {}: {e}", validator.display()));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn the_classroom_workflow_validates() {
    let root = workspace_root().unwrap();
    let info = Info::load(&root).unwrap();
    let validator = root.join("target/npm/node_modules/.bin/action-validator");
    if !validator.exists() {
        assert_ne!(
            std::env::var("SOCKET_LABS_ACTION_VALIDATOR").as_deref(),
            Ok("required"),
            "{} is missing: `npm install --prefix target/npm @action-validator/cli@0.6.0`",
            validator.display()
        );
        eprintln!(
            "note: the workflow was not validated: install the validator with \
             `npm install --prefix target/npm @action-validator/cli@0.6.0` (.ci/run does)"
        );
        return;
    }
    let dir = xtask::runner::target_dir(&root).join("socket-labs/classroom-test");
    std::fs::create_dir_all(&dir).unwrap();
    let workflow = xtask::starter::classroom_workflow(&info);
    let good = dir.join("classroom.yml");
    std::fs::write(&good, &workflow).unwrap();
    let (ok, output) = validate(&validator, &good);
    assert!(ok, "{output}");
    let broken = dir.join("broken.yml");
    std::fs::write(
        &broken,
        workflow.replacen("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest", 1),
    )
    .unwrap();
    let (ok, output) = validate(&validator, &broken);
    assert!(!ok, "a broken workflow passed the validator:\n{output}");
}

/// `check-lab N --scenario NAME`, each Classroom step: builds the lab and
/// runs that scenario only (one verdict file is written), with the
/// verdict the whole lab's run gives it. Its own target directory, so it
/// neither waits on `cargo test`'s nor touches the grader's.
#[test]
fn one_step_runs_just_its_scenario() {
    use xtask::model::{LabOutcome, Status};
    use xtask::runner::{RunOptions, run_lab_with};
    let root = workspace_root().unwrap();
    let info = Info::load(&root).unwrap();
    let lab = &info.labs[0];
    let scenario = lab.scenarios[1].clone();
    let one = xtask::labs::Lab {
        scenarios: vec![scenario.clone()],
        ..lab.clone()
    };
    let base = xtask::runner::target_dir(&root).join("socket-labs/classroom-test");
    let verdicts = base.join("verdicts");
    let options = RunOptions {
        target_dir: Some(base.join("target")),
        verdict_dir: Some(verdicts.clone()),
        scenario: Some(scenario.name.clone()),
        ..RunOptions::default()
    };
    let outcome = run_lab_with(&root, &one, &options).unwrap();
    let LabOutcome::Ran(ran) = outcome else {
        panic!("lab 1's solution does not compile: {outcome:?}");
    };
    assert_eq!(ran.len(), 1);
    assert_eq!(ran[0].scenario, scenario.name);
    assert_eq!(ran[0].status, Status::Pass, "{}", ran[0].message);
    let written: Vec<String> = std::fs::read_dir(&verdicts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written, [format!("{}.json", scenario.name)]);
}
