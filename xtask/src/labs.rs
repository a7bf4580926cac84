//! The list of labs: `labs/info.toml`, the one source of truth for which
//! labs exist, in which order, with which hint and how many points each
//! scenario is worth (rustlings keeps its `info.toml` the same way).

use crate::lang::Lang;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The metadata file, relative to the workspace root.
pub const INFO_FILE: &str = "labs/info.toml";
/// The only format this xtask reads.
const FORMAT_VERSION: u32 = 1;

/// The whole metadata file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Info {
    pub format_version: u32,
    #[serde(rename = "lab")]
    pub labs: Vec<Lab>,
}

/// One lab.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    /// 1, 2, 3… in the order students do them.
    pub number: u32,
    /// The short name: folder `labs/NN-NAME`, package `labNN-NAME`.
    pub name: String,
    pub title: String,
    /// The title in Chinese (terms as in the book's glossary).
    pub title_zh: String,
    pub hint: String,
    /// The hint in Chinese.
    pub hint_zh: String,
    /// More hints, one per function or step, given one at a time by
    /// `cargo xtask hint N` after `hint` (see [`crate::hint`]).
    #[serde(default)]
    pub hints: Vec<Hint>,
    /// Documentation links, given as the last hint.
    #[serde(default)]
    pub docs: Vec<String>,
    /// The scenarios, in the order they are reported.
    pub scenarios: Vec<ScenarioInfo>,
}

/// One progressive hint: about one function or step, in both languages.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hint {
    /// The function or step it is about: `serve_client`.
    pub about: String,
    pub en: String,
    pub zh: String,
}

/// One scenario: a `#[test]` of the lab's tests (or, for a unit entry, a
/// whole test file), with its points. Its [`Kind`] says which file and
/// how it is judged.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInfo {
    pub name: String,
    pub points: u32,
    #[serde(default)]
    pub kind: Kind,
    /// Gradescope shows this entry's result to the student only after
    /// the due date (`visibility: after_due_date`); optional, default
    /// `false` (visible at once). Only the Gradescope format reads it.
    #[serde(default)]
    pub after_due_date: bool,
}

/// How a scenario is judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A story: a `#[test]` of `tests/scenarios.rs` whose transcript must
    /// match its snapshot `tests/snapshots/scenarios__NAME.snap`.
    #[default]
    Story,
    /// A property scenario: a `#[test]` of `tests/properties.rs` that draws
    /// its inputs from a seed and checks what must hold for any of them
    /// (`harness::property`); it has no snapshot.
    Property,
    /// Unit tests: every `#[test]` of `tests/NAME.rs`, which must all pass
    /// (lab 5's `frame`); judged from the test binary's output.
    Unit,
}

impl Kind {
    /// `story`, `property` or `unit`, as `info.toml` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Story => "story",
            Kind::Property => "property",
            Kind::Unit => "unit",
        }
    }

    /// Whether the scenarios of this kind leave a verdict file (stories
    /// and properties do; unit tests are read from their output).
    pub fn writes_verdicts(self) -> bool {
        self != Kind::Unit
    }
}

impl ScenarioInfo {
    /// The test file (`tests/FILE.rs`, as `--test FILE`) that holds it:
    /// `scenarios`, `properties`, or a unit entry's own name.
    pub fn test_file(&self) -> &str {
        match self.kind {
            Kind::Story => "scenarios",
            Kind::Property => "properties",
            Kind::Unit => &self.name,
        }
    }
}

impl Lab {
    /// `lab01-tcp-once`.
    pub fn package(&self) -> String {
        format!("lab{:02}-{}", self.number, self.name)
    }

    /// `labs/01-tcp-once`, relative to the workspace root.
    pub fn dir(&self) -> PathBuf {
        Path::new("labs").join(format!("{:02}-{}", self.number, self.name))
    }

    /// `lab 1 (tcp-once)`, as messages name a lab.
    pub fn label(&self) -> String {
        format!("lab {} ({})", self.number, self.name)
    }

    /// [`Self::label`] in `lang`: `实验 1（tcp-once）` in Chinese.
    pub fn label_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!("lab {} ({})", self.number, self.name),
            Lang::Zh => format!("实验 {}（{}）", self.number, self.name),
        }
    }

    /// The title in `lang`.
    pub fn title_in(&self, lang: Lang) -> &str {
        lang.pick(&self.title, &self.title_zh)
    }

    /// The hint in `lang`.
    pub fn hint_in(&self, lang: Lang) -> &str {
        lang.pick(&self.hint, &self.hint_zh)
    }

    /// The test files (`--test` targets) of the scenarios of the kinds
    /// `which` picks, each once, in the order of the metadata.
    pub fn test_files(&self, which: impl Fn(Kind) -> bool) -> Vec<&str> {
        let mut files: Vec<&str> = Vec::new();
        for scenario in self.scenarios.iter().filter(|s| which(s.kind)) {
            let file = scenario.test_file();
            if !files.contains(&file) {
                files.push(file);
            }
        }
        files
    }

    /// Whether some scenario draws its inputs from the seed.
    pub fn has_properties(&self) -> bool {
        self.scenarios.iter().any(|s| s.kind == Kind::Property)
    }

    /// The most points the lab can give.
    pub fn max_points(&self) -> u32 {
        self.scenarios.iter().map(|s| s.points).sum()
    }

    /// The committed snapshot of a scenario.
    pub fn snapshot_path(&self, root: &Path, scenario: &str) -> PathBuf {
        root.join(self.dir())
            .join("tests/snapshots")
            .join(format!("scenarios__{scenario}.snap"))
    }
}

impl Info {
    /// Reads and checks `labs/info.toml` under `root`.
    ///
    /// # Errors
    ///
    /// The file is missing, is not valid TOML of this shape, has another
    /// `format_version`, or numbers its labs other than 1, 2, 3… in order.
    pub fn load(root: &Path) -> Result<Info> {
        let path = root.join(INFO_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read {}", path.display()))?;
        let info: Info =
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
        if info.format_version != FORMAT_VERSION {
            bail!(
                "{} has format_version {}, this xtask reads {FORMAT_VERSION}",
                path.display(),
                info.format_version
            );
        }
        for (i, lab) in info.labs.iter().enumerate() {
            let half_said = lab
                .hints
                .iter()
                .any(|h| h.en.trim().is_empty() || h.zh.trim().is_empty());
            if lab.title_zh.trim().is_empty() || lab.hint_zh.trim().is_empty() || half_said {
                bail!(
                    "{}: lab `{}` needs a title_zh, a hint_zh and both en and zh in each of its hints: what a student reads exists in Chinese and English",
                    path.display(),
                    lab.name
                );
            }
            let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if lab.number != expected {
                bail!(
                    "{}: lab `{}` has number {}, expected {expected}: number the labs 1, 2, 3… in order",
                    path.display(),
                    lab.name,
                    lab.number
                );
            }
        }
        Ok(info)
    }

    /// Finds a lab by what a user typed: `1`, `01`, `lab1`, `lab01`,
    /// `tcp-once`, `01-tcp-once` or `lab01-tcp-once`.
    ///
    /// # Errors
    ///
    /// No lab matches; the message lists the labs there are.
    pub fn find(&self, query: &str) -> Result<&Lab> {
        let q = query.trim().to_lowercase();
        let digits = q.strip_prefix("lab").unwrap_or(&q);
        let found = self.labs.iter().find(|lab| {
            digits.parse::<u32>().ok() == Some(lab.number)
                || q == lab.name
                || q == lab.package()
                || q == format!("{:02}-{}", lab.number, lab.name)
        });
        found.with_context(|| {
            let names: Vec<String> = self
                .labs
                .iter()
                .map(|l| format!("{} ({})", l.number, l.name))
                .collect();
            format!(
                "there is no lab `{query}`; the labs are: {}",
                names.join(", ")
            )
        })
    }
}

/// The workspace root around `start`: the first of `start` and its parents
/// that holds [`INFO_FILE`]. Found at run time, never from where xtask was
/// compiled: with a shared `CARGO_TARGET_DIR`, one xtask binary serves
/// every copy of the course (the instructor's, a starter, a submission),
/// and each must check its own files.
///
/// # Errors
///
/// No folder from `start` up holds [`INFO_FILE`].
pub fn find_root(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(INFO_FILE).is_file())
        .map(Path::to_path_buf)
        .with_context(|| {
            format!(
                "no {INFO_FILE} in {} or any folder above it: run cargo xtask inside the course's folder",
                start.display()
            )
        })
}

/// The workspace root around the current folder (see [`find_root`]).
///
/// # Errors
///
/// The current folder is unreadable or not inside a course copy.
pub fn workspace_root() -> Result<PathBuf> {
    let here = std::env::current_dir().context("could not read the current folder")?;
    find_root(&here)
}
