//! Where each lab stands: what `check-lab` found last time (kept under
//! `target/`, so a `cargo clean` forgets it and it is never committed),
//! with a fingerprint of the lab's `src/` then, and what the files on
//! disk say now ([`disk_state`]): a `todo!()` left is not done, whatever
//! a check once said; a lab changed since its last check is "changed,
//! check again". `cargo xtask list` shows it without running anything.

use crate::labs::{Info, Lab};
use crate::lang::Lang;
use crate::model::{LabOutcome, LabState, Status, lab_state, points};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file: per lab package, `[state, points, fingerprint, scenarios
/// passed]`.
#[derive(Debug, Default)]
pub struct State {
    labs: BTreeMap<String, LastCheck>,
}

/// One lab's last check: its state, points, the fingerprint of its
/// `src/` then (absent in files written before fingerprints) and how many
/// of its scenarios passed (for watch's progress bar; none in older
/// files).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct LastCheck(
    LabState,
    u32,
    #[serde(default)] Option<u32>,
    #[serde(default)] u32,
);

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
        self.labs.get(&lab.package()).map(|c| c.3)
    }

    /// Records a state and points for `lab`, with the fingerprint of its
    /// `src/` now (no scenario counted as passed).
    pub fn set(&mut self, root: &Path, lab: &Lab, state: LabState, points: u32) {
        let print = fingerprint(root, lab);
        self.labs
            .insert(lab.package(), LastCheck(state, points, Some(print), 0));
    }

    /// Records what a check of `lab` found, with the fingerprint of its
    /// `src/` now.
    pub fn record(&mut self, root: &Path, lab: &Lab, outcome: &LabOutcome) {
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
                Some(fingerprint(root, lab)),
                u32::try_from(passed).unwrap_or(u32::MAX),
            ),
        );
    }

    /// Marks `lab`'s recorded check as not counting
    /// ([`LabState::Tampered`]): files it is judged or built by differ
    /// from the starter, so `list`, `watch` and `next:` never take it for
    /// passed. Its points and scenarios stay as they were found.
    pub fn void(&mut self, lab: &Lab) {
        if let Some(check) = self.labs.get_mut(&lab.package()) {
            check.0 = LabState::Tampered;
        }
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

/// A fingerprint of a lab's `src/`: every file's path and content (line
/// ends as `\n`), in path order.
pub fn fingerprint(root: &Path, lab: &Lab) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    for (rel, text) in src_files(root, lab) {
        hasher.update(rel.as_bytes());
        hasher.update(&[0]);
        hasher.update(text.replace("\r\n", "\n").as_bytes());
        hasher.update(&[0]);
    }
    hasher.finalize()
}

/// The lab's `src/` files, as (path from the root with `/`, content), in
/// path order.
fn src_files(root: &Path, lab: &Lab) -> Vec<(String, String)> {
    let dir = root.join(lab.dir()).join("src");
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            Some((rel, std::fs::read_to_string(e.path()).ok()?))
        })
        .collect();
    files.sort();
    files
}

/// The first `todo!(` of the lab's `src/` outside a comment, as
/// `FILE:LINE`.
pub fn first_todo(root: &Path, lab: &Lab) -> Option<String> {
    src_files(root, lab).into_iter().find_map(|(rel, text)| {
        text.lines().enumerate().find_map(|(i, line)| {
            let code = line.split("//").next().unwrap_or_default();
            code.contains("todo!(").then(|| format!("{rel}:{}", i + 1))
        })
    })
}

/// Where a lab stands, from its files on disk and its last check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskState {
    /// A `todo!()` is left, at `FILE:LINE`.
    Todo(String),
    /// Never checked.
    NotChecked,
    /// Its `src/` changed since its last check.
    Changed,
    /// As its last check found it, and unchanged since.
    Checked(LabState),
}

/// Where `lab` stands now (see [`DiskState`]).
pub fn disk_state(root: &Path, lab: &Lab, state: &State) -> DiskState {
    if let Some(at) = first_todo(root, lab) {
        return DiskState::Todo(at);
    }
    match state.labs.get(&lab.package()) {
        None => DiskState::NotChecked,
        Some(LastCheck(_, _, print, _)) if *print != Some(fingerprint(root, lab)) => {
            DiskState::Changed
        }
        Some(LastCheck(s, _, _, _)) => DiskState::Checked(*s),
    }
}

/// `cargo xtask list`: the labs, with where each stands.
pub fn list(root: &Path, info: &Info, lang: Lang) {
    let state = State::load(root);
    println!(
        "{:<4} {:<16} {:<18} {:>7}  {}",
        lang.pick("lab", "实验"),
        lang.pick("name", "名称"),
        lang.pick("state", "状态"),
        lang.pick("points", "分数"),
        lang.pick("title", "标题")
    );
    for lab in &info.labs {
        let pts = match state.points(lab) {
            Some(p) => format!("{p}/{}", lab.max_points()),
            None => format!("-/{}", lab.max_points()),
        };
        println!(
            "{:<4} {:<16} {:<18} {:>7}  {}",
            lab.number,
            lab.name,
            disk_text(&disk_state(root, lab, &state), lang),
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

/// Where a lab stands, in a few words.
pub fn disk_text(state: &DiskState, lang: Lang) -> &'static str {
    match state {
        DiskState::Todo(_) => state_text(LabState::NotDone, lang),
        DiskState::NotChecked => lang.pick("not checked yet", "尚未检查"),
        DiskState::Changed => lang.pick("changed: check it", "已改动：请再检查"),
        DiskState::Checked(s) => state_text(*s, lang),
    }
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
    fn the_file_is_a_state_points_and_fingerprint_per_lab_and_a_bad_entry_is_dropped() {
        let state = State::parse(
            r#"{"lab01-tcp-once": ["passed", 10], "lab02-tcp-loop": ["unknown", 3], "lab03-udp-echo": ["failing", 2, 77]}"#,
        );
        assert_eq!(state.labs.len(), 2);
        let json = serde_json::to_string(&state.labs).unwrap();
        assert_eq!(
            json,
            r#"{"lab01-tcp-once":["passed",10,null,0],"lab03-udp-echo":["failing",2,77,0]}"#
        );
        let state = State::parse(r#"{"lab01-tcp-once": ["failing", 4, 5, 2]}"#);
        let json = serde_json::to_string(&state.labs).unwrap();
        assert_eq!(json, r#"{"lab01-tcp-once":["failing",4,5,2]}"#);
    }
}
