//! watch's bar, its choice of lab and which file events count.

use super::progress::BAR_WIDTH;
use super::*;
use crate::labs::ScenarioInfo;

fn info() -> Info {
    let lab = |number: u32, name: &str, points: &[u32]| Lab {
        number,
        name: name.into(),
        scenarios: points
            .iter()
            .enumerate()
            .map(|(i, p)| ScenarioInfo {
                name: format!("s{i}"),
                points: *p,
                ..ScenarioInfo::default()
            })
            .collect(),
        ..Lab::default()
    };
    Info {
        format_version: 1,
        labs: vec![lab(1, "one", &[2, 2]), lab(2, "two", &[1, 1, 4])],
    }
}

#[test]
fn the_bar_counts_scenarios_and_points_across_labs() {
    let info = info();
    let states = State::default();
    assert_eq!(
        progress(&info, &states, Lang::En),
        format!(
            "progress [>{}] 0/5 scenarios · 0/10 points · 0/2 labs passed",
            "-".repeat(BAR_WIDTH - 1)
        )
    );
    assert_eq!(current(&info, &states).map(|l| l.number), Some(1));
}

#[test]
fn a_lab_is_done_when_its_last_check_passed() {
    use crate::model::{LabOutcome, Status, Verdict};
    let info = info();
    let verdict = |status| Verdict {
        scenario: String::new(),
        status,
        message: String::new(),
        expected: String::new(),
        actual: String::new(),
        stuck: Vec::new(),
    };
    // No course there: the fingerprint is of an empty src/.
    let root = Path::new("/no/course/here");
    let mut states = State::default();
    states.record(
        root,
        &info.labs[0],
        &LabOutcome::Ran(vec![verdict(Status::Pass), verdict(Status::Pass)]),
    );
    states.record(
        root,
        &info.labs[1],
        &LabOutcome::Ran(vec![
            verdict(Status::Fail),
            verdict(Status::Pass),
            verdict(Status::Fail),
        ]),
    );
    assert_eq!(current(&info, &states).map(|l| l.number), Some(2));
    // 3 of 5 scenarios: 18 of 30 characters.
    assert_eq!(
        progress(&info, &states, Lang::Zh),
        format!(
            "进度 [{}>{}] 3/5 个场景 · 5/10 分 · 通过 1/2 个实验",
            "#".repeat(18),
            "-".repeat(BAR_WIDTH - 19)
        )
    );
    assert!(touches(
        &[PathBuf::from("/c/labs/02-two/src/main.rs")],
        Path::new("/c/labs/02-two/src")
    ));
    assert!(!touches(
        &[PathBuf::from("/c/labs/02-two/tests/a.rs")],
        Path::new("/c/labs/02-two/src")
    ));
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, DataChange, MetadataKind, ModifyKind};
    assert!(is_a_change(EventKind::Modify(ModifyKind::Data(
        DataChange::Any
    ))));
    assert!(!is_a_change(EventKind::Access(AccessKind::Close(
        AccessMode::Read
    ))));
    assert!(!is_a_change(EventKind::Modify(ModifyKind::Metadata(
        MetadataKind::AccessTime
    ))));
}
