//! The file `labs/NN-NAME/mutants.toml`: a lab's mutants, and how one is
//! applied to the lab's source.

use crate::labs::Lab;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::Path;

/// The file of a lab's mutants, relative to the lab's folder.
pub const MUTANTS_FILE: &str = "mutants.toml";

/// A lab's `mutants.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MutantsFile {
    #[serde(rename = "mutant", default)]
    mutants: Vec<Mutant>,
}

/// One known-wrong version of a lab's solution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutant {
    /// Names the mistake, in snake case: `reply_with_write`.
    pub name: String,
    /// The mistake in a sentence, as a student would make it.
    pub mistake: String,
    /// The file it changes, relative to the lab's folder.
    pub file: String,
    /// The text it replaces: occurs exactly once in `file`.
    pub find: String,
    /// What replaces it.
    pub replace: String,
    /// The scenarios that must fail with this mistake.
    pub caught_by: Vec<String>,
}

/// The mutants of `lab` (none when it has no `mutants.toml`).
///
/// # Errors
///
/// The file is not valid, or a mutant names a scenario the lab does not
/// have, repeats a name, or its `find` does not occur exactly once.
pub fn load(root: &Path, lab: &Lab) -> Result<Vec<Mutant>> {
    let path = root.join(lab.dir()).join(MUTANTS_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {}", path.display()))?;
    let file: MutantsFile =
        toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
    let mut problems = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for m in &file.mutants {
        if !names.insert(m.name.as_str()) {
            problems.push(format!("mutant `{}` is listed twice", m.name));
        }
        if m.caught_by.is_empty() {
            problems.push(format!("mutant `{}`: caught_by names no scenario", m.name));
        }
        for s in &m.caught_by {
            if !lab.scenarios.iter().any(|x| &x.name == s) {
                problems.push(format!(
                    "mutant `{}`: caught_by names `{s}`, which is not a scenario of {} in labs/info.toml",
                    m.name,
                    lab.label()
                ));
            }
        }
        if let Err(e) = m.apply(root, lab) {
            problems.push(format!("mutant `{}`: {e:#}", m.name));
        }
    }
    if !problems.is_empty() {
        bail!("{}:\n  {}", path.display(), problems.join("\n  "));
    }
    Ok(file.mutants)
}

impl Mutant {
    /// The file's original text and its mutated text.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or `find` does not occur in it exactly once.
    pub fn apply(&self, root: &Path, lab: &Lab) -> Result<(String, String)> {
        let path = root.join(lab.dir()).join(&self.file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("could not read {}", path.display()))?;
        match text.matches(&self.find).count() {
            1 => {}
            0 => bail!(
                "`find` no longer occurs in {}: the solution changed; update the mutant",
                self.file
            ),
            n => bail!(
                "`find` occurs {n} times in {}: make it longer so that it names one place",
                self.file
            ),
        }
        let mutated = text.replacen(&self.find, &self.replace, 1);
        Ok((text, mutated))
    }
}
