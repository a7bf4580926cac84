//! What `check-lab` found last time, so that `cargo xtask list` can show
//! each lab's state without running anything. Kept under `target/`, so a
//! `cargo clean` forgets it and it is never committed.

use crate::labs::{Info, Lab};
use crate::lang::Lang;
use crate::model::{LabOutcome, LabState, Status, lab_state, points};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file: per lab package, `[state, points, scenarios passed]`.
#[derive(Debug, Default)]
pub struct State {
    labs: BTreeMap<String, LastCheck>,
}

/// One lab's last check. The count of scenarios passed came later: a file
/// without it reads as none passed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct LastCheck(LabState, u32, #[serde(default)] u32);

fn path(root: &Path) -> PathBuf {
    crate::runner::own_dir(root).join("last-check.json")
}

impl State {
    /// The last results, or none if there are none or they are unreadable
    /// (a lab whose entry is unreadable is forgotten on its own).
    pub fn load(root: &Path) -> State {
        std::fs::read_to_string(path(root)).map_or_else(|_| State::default(), |t| State::parse(&t))
    }

    fn parse(text: &str) -> State {
        let map: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(text).unwrap_or_default();
        State {
            labs: map
                .into_iter()
                .filter_map(|(k, v)| serde_json::from_value(v).ok().map(|c| (k, c)))
                .collect(),
        }
    }

    pub fn get(&self, lab: &Lab) -> Option<LabState> {
        self.labs.get(&lab.package()).map(|c| c.0)
    }

    pub fn points(&self, lab: &Lab) -> Option<u32> {
        self.labs.get(&lab.package()).map(|c| c.1)
    }

    /// How many of the lab's scenarios passed.
    pub fn scenarios_passed(&self, lab: &Lab) -> Option<u32> {
        self.labs.get(&lab.package()).map(|c| c.2)
    }

    /// Records what a check of `lab` found.
    pub fn record(&mut self, lab: &Lab, outcome: &LabOutcome) {
        let passed = match outcome {
            LabOutcome::Ran(verdicts) => {
                verdicts.iter().filter(|v| v.status == Status::Pass).count()
            }
            LabOutcome::DoesNotCompile(_) => 0,
        };
        self.labs.insert(
            lab.package(),
            LastCheck(
                lab_state(outcome),
                points(lab, outcome),
                u32::try_from(passed).unwrap_or(u32::MAX),
            ),
        );
    }

    /// Saves quietly: losing this file only makes `list` say "not checked".
    pub fn save(&self, root: &Path) {
        if let Ok(json) = serde_json::to_string_pretty(&self.labs) {
            let file = path(root);
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(file, json);
        }
    }
}

/// `cargo xtask list`: the labs, with what the last check found.
pub fn list(root: &Path, info: &Info, lang: Lang) {
    let state = State::load(root);
    println!(
        "{:<4} {:<16} {:<18} {:>7}  {}",
        lang.pick("lab", "实验"),
        lang.pick("name", "名称"),
        lang.pick("last check", "上次检查"),
        lang.pick("points", "分数"),
        lang.pick("title", "标题")
    );
    for lab in &info.labs {
        let (text, pts) = match state.get(lab) {
            Some(s) => (
                state_text(s, lang).to_owned(),
                format!("{}/{}", state.points(lab).unwrap_or(0), lab.max_points()),
            ),
            None => (
                lang.pick("not checked yet", "尚未检查").to_owned(),
                format!("-/{}", lab.max_points()),
            ),
        };
        println!(
            "{:<4} {:<16} {:<18} {:>7}  {}",
            lab.number,
            lab.name,
            text,
            pts,
            lab.title_in(lang)
        );
    }
    println!(
        "\n{}",
        lang.pick(
            "run `cargo xtask check-lab N` to check a lab, `cargo xtask hint N` for its hint",
            "运行 `cargo xtask check-lab N` 检查一个实验，`cargo xtask hint N` 查看它的提示"
        )
    );
}

/// A lab's state as a student reads it.
pub fn state_text(state: LabState, lang: Lang) -> &'static str {
    match (state, lang) {
        (_, Lang::En) => state.as_str(),
        (LabState::Passed, Lang::Zh) => "已通过",
        (LabState::NotDone, Lang::Zh) => "尚未完成",
        (LabState::Failing, Lang::Zh) => "未通过",
        (LabState::DoesNotCompile, Lang::Zh) => "无法编译",
        (LabState::NotSubmitted, Lang::Zh) => "未提交",
        (LabState::Tampered, Lang::Zh) => "被改动",
        (LabState::NotGraded, Lang::Zh) => "未评分",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_a_state_and_points_per_lab_and_a_bad_entry_is_dropped() {
        let state =
            State::parse(r#"{"lab01-tcp-once": ["passed", 10], "lab02-tcp-loop": ["unknown", 3]}"#);
        assert_eq!(state.labs.len(), 1);
        let json = serde_json::to_string(&state.labs).unwrap();
        assert_eq!(json, r#"{"lab01-tcp-once":["passed",10,0]}"#);
        let state = State::parse(r#"{"lab01-tcp-once": ["failing", 4, 2]}"#);
        let json = serde_json::to_string(&state.labs).unwrap();
        assert_eq!(json, r#"{"lab01-tcp-once":["failing",4,2]}"#);
    }
}
