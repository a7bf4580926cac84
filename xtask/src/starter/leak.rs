//! The leak check: the starter must not give a solution away. Each
//! region's code is cut into shingles of [`SHINGLE`] consecutive
//! significant lines; a file outside the labs' `src/` that repeats one is
//! a leak, and so is a solution marker left in a lab.

use super::File;
use super::regions::Region;
use anyhow::{Result, bail};
use std::collections::BTreeMap;

/// How many consecutive lines of a solution, found elsewhere, make a leak.
pub const SHINGLE: usize = 3;

/// A line as the leak check compares it: trimmed, or `None` for blank
/// lines, comments and short lines (`}`, `Ok(())`) that any code has.
fn significant(line: &str) -> Option<&str> {
    let line = line.trim();
    (line.len() >= 12 && !line.starts_with("//") && !line.starts_with("use ")).then_some(line)
}

/// The shingles of numbered lines: each run of [`SHINGLE`] significant
/// lines, joined, with the 0-based number of its first line.
fn shingles<'a>(lines: impl Iterator<Item = (usize, &'a str)>) -> Vec<(String, usize)> {
    let code: Vec<(usize, &str)> = lines
        .filter_map(|(n, l)| significant(l).map(|l| (n, l)))
        .collect();
    code.windows(SHINGLE)
        .map(|window| {
            let key: Vec<&str> = window.iter().map(|(_, l)| *l).collect();
            (key.join("\n"), window[0].0)
        })
        .collect()
}

/// The solutions' shingles, each with where it was first seen.
#[derive(Debug, Default)]
pub struct Solutions {
    seen: BTreeMap<String, String>,
}

impl Solutions {
    /// Remembers the code of `region` of the file `path` (its `lines`).
    pub fn add(&mut self, path: &str, lines: &[&str], region: &Region) {
        let code = (region.begin + 1..region.end).map(|n| (n, lines[n]));
        for (key, n) in shingles(code) {
            self.seen
                .entry(key)
                .or_insert_with(|| format!("{path}:{}", n + 1));
        }
    }

    /// No marker is left in a lab, and no file outside the labs' `src/`
    /// repeats [`SHINGLE`] consecutive lines of a solution (the book
    /// includes lab code through ANCHOR comments, which is fine: it then
    /// shows the stub).
    ///
    /// # Errors
    ///
    /// The leaks found, the first twenty.
    pub fn check(&self, files: &[File]) -> Result<()> {
        let mut leaks = Vec::new();
        for file in files {
            let Ok(text) = std::str::from_utf8(&file.content) else {
                continue;
            };
            if file.path.starts_with("labs/") && file.path.ends_with(".rs") {
                for (n, line) in text.lines().enumerate() {
                    if line.contains("BEGIN SOLUTION") || line.contains("END SOLUTION") {
                        leaks.push(format!(
                            "{}:{}: a solution marker is left",
                            file.path,
                            n + 1
                        ));
                    }
                }
            }
            if file.student {
                continue;
            }
            for (key, n) in shingles(text.lines().enumerate()) {
                if let Some(from) = self.seen.get(&key) {
                    leaks.push(format!(
                        "{}:{}: repeats {SHINGLE} lines of the solution at {from}",
                        file.path,
                        n + 1
                    ));
                }
            }
        }
        if !leaks.is_empty() {
            leaks.truncate(20);
            bail!(
                "the starter would give solutions away:\n  {}\n(include lab code in docs through ANCHOR comments instead of copying it)",
                leaks.join("\n  ")
            );
        }
        Ok(())
    }
}
