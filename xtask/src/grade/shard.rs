//! Grading beyond one machine: `grade … --shard K/N` grades the K-th of N
//! slices of a class, and `grade merge REPORT… --out DIR` joins the
//! slices' reports into the report one machine would have written.
//!
//! The slices are deterministic: the entries are read and given their ids
//! exactly as an unsharded run does (ids depend on the whole folder), then
//! the i-th entry in id order goes to slice `i mod N`. Every report is
//! written in id order with no time stamps, so merging is sorting:
//! `grades.csv` rows, `grades.json` students, and the per-student files
//! copied as they are.

use anyhow::{Context, Result, bail, ensure};
use std::path::{Path, PathBuf};

/// `K/N`: slice K (from 1) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `K/N`.
    ///
    /// # Errors
    ///
    /// Not `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard> {
        let parsed = text
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if 1 <= index && index <= count => Ok(Shard { index, count }),
            _ => bail!("--shard takes K/N with 1 <= K <= N, such as 2/5, not `{text}`"),
        }
    }

    /// The entries of this slice, out of all of them in id order.
    pub fn select<T>(self, all: Vec<T>) -> Vec<T> {
        all.into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index - 1)
            .map(|(_, e)| e)
            .collect()
    }
}

/// `grade merge REPORT… --out DIR`: the reports of the slices of one class
/// joined into one.
///
/// # Errors
///
/// A report is missing or unreadable, the reports are not of the same labs,
/// a student is in two of them, or `out` cannot be written.
pub fn merge(reports: &[PathBuf], out: &Path) -> Result<()> {
    ensure!(!reports.is_empty(), "grade merge needs the shard reports");
    let mut header: Option<String> = None;
    let mut rows: Vec<String> = Vec::new();
    let mut labs: Option<serde_json::Value> = None;
    let mut seed: Option<serde_json::Value> = None;
    let mut students: Vec<serde_json::Value> = Vec::new();
    for report in reports {
        let csv_path = report.join("grades.csv");
        let csv = std::fs::read_to_string(&csv_path)
            .with_context(|| format!("could not read {}", csv_path.display()))?;
        let mut lines = csv.lines();
        let head = lines.next().unwrap_or_default().to_owned();
        match &header {
            None => header = Some(head),
            Some(h) => ensure!(
                *h == head,
                "{} grades other labs than the first report",
                report.display()
            ),
        }
        rows.extend(lines.map(str::to_owned));
        let json_path = report.join("grades.json");
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&json_path)
                .with_context(|| format!("could not read {}", json_path.display()))?,
        )
        .with_context(|| format!("{} is not a grades.json", json_path.display()))?;
        match &labs {
            None => labs = Some(json["labs"].clone()),
            Some(l) => ensure!(*l == json["labs"], "{} has other labs", report.display()),
        }
        match &seed {
            None => seed = Some(json["seed"].clone()),
            Some(s) => ensure!(
                *s == json["seed"],
                "{} was graded with another seed than the first report: grade every slice with the same `--seed S`",
                report.display()
            ),
        }
        students.extend(json["students"].as_array().cloned().unwrap_or_default());
    }
    let id = |row: &str| row.split(',').next().unwrap_or_default().to_owned();
    rows.sort_by_key(|r| id(r));
    for pair in rows.windows(2) {
        ensure!(
            id(&pair[0]) != id(&pair[1]),
            "the student {} is in two reports",
            id(&pair[0])
        );
    }
    students.sort_by(|a, b| {
        a["student"]
            .as_str()
            .unwrap_or_default()
            .cmp(b["student"].as_str().unwrap_or_default())
    });
    std::fs::create_dir_all(out).with_context(|| format!("could not create {}", out.display()))?;
    let mut csv = header.unwrap_or_default();
    csv.push('\n');
    for row in &rows {
        csv.push_str(row);
        csv.push('\n');
    }
    std::fs::write(out.join("grades.csv"), csv)?;
    let json = serde_json::json!({ "labs": labs, "seed": seed, "students": students });
    std::fs::write(
        out.join("grades.json"),
        serde_json::to_string_pretty(&json)? + "\n",
    )?;
    // Everything else (feedback, interchange formats, the unsandboxed
    // notice) is per student or the same in every slice: copied.
    for report in reports {
        copy_rest(report, out, Path::new(""))?;
    }
    Ok(())
}

fn copy_rest(from: &Path, to: &Path, rel: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from.join(rel))?.flatten() {
        let rel = rel.join(entry.file_name());
        if rel == Path::new("grades.csv") || rel == Path::new("grades.json") {
            continue;
        }
        if rel == Path::new("canvas.csv") || rel == Path::new("moodle.csv") {
            // A class-wide gradebook of one slice only: not joined.
            eprintln!(
                "{} left out: a gradebook of one slice; write the class's with one unsharded run",
                from.join(&rel).display()
            );
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(to.join(&rel))?;
            copy_rest(from, to, &rel)?;
        } else {
            std::fs::copy(entry.path(), to.join(&rel))
                .with_context(|| format!("could not copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// `cargo xtask grade merge REPORT… --out DIR`.
///
/// # Errors
///
/// A usage error, or as [`merge`].
pub fn run(args: &[&str]) -> Result<bool> {
    let (reports, out) = parse_merge_args(args)?;
    merge(&reports, &out)?;
    Ok(true)
}

/// Parses `merge`'s arguments: `REPORT… --out DIR`.
///
/// # Errors
///
/// A usage error.
pub fn parse_merge_args(args: &[&str]) -> Result<(Vec<PathBuf>, PathBuf)> {
    let mut reports = Vec::new();
    let mut out = None;
    let mut rest = args.iter();
    while let Some(&arg) = rest.next() {
        match arg {
            "--out" => {
                out = Some(PathBuf::from(
                    rest.next()
                        .context("--out needs a value; see `cargo xtask grade --help`")?,
                ));
            }
            other if other.starts_with("--") => {
                bail!("grade merge has no option `{other}`; see `cargo xtask grade --help`")
            }
            other => reports.push(PathBuf::from(other)),
        }
    }
    let out = out.context(
        "grade merge needs --out DIR, the folder for the joined report; see `cargo xtask grade --help`",
    )?;
    ensure!(!reports.is_empty(), "grade merge needs the shard reports");
    Ok((reports, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_in_exactly_one_slice() {
        let all: Vec<u32> = (0..10).collect();
        let mut seen: Vec<u32> = (1..=3)
            .flat_map(|k| Shard { index: k, count: 3 }.select(all.clone()))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, all);
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
        for bad in ["0/3", "4/3", "3", "a/b"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
