//! What `check-lab` found last time, so that `cargo xtask list` can show
//! each lab's state without running anything. Kept under `target/`, so a
//! `cargo clean` forgets it and it is never committed.

use crate::check::LabState;
use crate::labs::Lab;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct State {
    labs: BTreeMap<String, (LabState, u32)>,
}

fn path(root: &Path) -> PathBuf {
    crate::runner::target_dir(root).join("socket-labs/last-check.json")
}

fn parse_state(text: &str) -> Option<LabState> {
    [
        LabState::Passed,
        LabState::NotDone,
        LabState::Failing,
        LabState::DoesNotCompile,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
}

impl State {
    /// The last results, or none if there are none or they are unreadable.
    pub fn load(root: &Path) -> State {
        let map: BTreeMap<String, (String, u32)> = std::fs::read_to_string(path(root))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        State {
            labs: map
                .into_iter()
                .filter_map(|(k, (s, p))| parse_state(&s).map(|s| (k, (s, p))))
                .collect(),
        }
    }

    pub fn get(&self, lab: &Lab) -> Option<LabState> {
        self.labs.get(&lab.package()).map(|(s, _)| *s)
    }

    pub fn points(&self, lab: &Lab) -> Option<u32> {
        self.labs.get(&lab.package()).map(|(_, p)| *p)
    }

    pub fn set(&mut self, lab: &Lab, state: LabState, points: u32) {
        self.labs.insert(lab.package(), (state, points));
    }

    /// Saves quietly: losing this file only makes `list` say "not checked".
    pub fn save(&self, root: &Path) {
        let map: BTreeMap<&String, (&str, u32)> = self
            .labs
            .iter()
            .map(|(k, (s, p))| (k, (s.as_str(), *p)))
            .collect();
        if let Ok(json) = serde_json::to_string_pretty(&map) {
            let file = path(root);
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(file, json);
        }
    }
}
