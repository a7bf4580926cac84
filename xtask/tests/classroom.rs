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
    let root = workspace_root();
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
