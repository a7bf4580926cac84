//! What `check-lab` found last time, so that `cargo xtask list` can show
//! each lab's state without running anything. Kept under `target/`, so a
//! `cargo clean` forgets it and it is never committed.

use crate::labs::Lab;
use crate::model::LabState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file: per lab package, `[state, points]`.
#[derive(Debug, Default)]
pub struct State {
    labs: BTreeMap<String, LastCheck>,
}

/// One lab's last check.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct LastCheck(LabState, u32);

fn path(root: &Path) -> PathBuf {
    crate::runner::target_dir(root).join("socket-labs/last-check.json")
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

    pub fn set(&mut self, lab: &Lab, state: LabState, points: u32) {
        self.labs.insert(lab.package(), LastCheck(state, points));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_a_state_and_points_per_lab_and_a_bad_entry_is_dropped() {
        let state =
            State::parse(r#"{"lab01-tcp-once": ["passed", 10], "lab02-tcp-loop": ["unknown", 3]}"#);
        assert_eq!(state.labs.len(), 1);
        let json = serde_json::to_string(&state.labs).unwrap();
        assert_eq!(json, r#"{"lab01-tcp-once":["passed",10]}"#);
    }
}
