//! LMS gradebooks: the CSV files Canvas and Moodle import, one row per
//! student of the roster, one column per lab.
//!
//! - Canvas ("Import grades in the Gradebook"): the columns `Student`,
//!   `ID`, `SIS User ID`, `SIS Login ID`, `Section`, then one column per
//!   assignment (a new name makes a new assignment); the row below the
//!   header, `Points Possible`, gives each assignment's maximum.
//! - Moodle ("CSV file" grade import): a column it can map to a user field
//!   (`Email address` or `Username`), then one column per grade item.
//!
//! The roster (`--roster FILE`) is a CSV with a header row: `submission`
//! (the id the grader gives a submission: its folder or archive name) and
//! the LMS's own columns, as its gradebook export names them.

use super::Format;
use crate::labs::Lab;
use crate::model::grade::StudentGrade;
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::Path;

/// The roster: a header and rows of fields.
#[derive(Debug)]
pub struct Roster {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Roster {
    /// Reads a roster CSV.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or has no `submission` column.
    pub fn load(path: &Path) -> Result<Roster> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("could not read the roster {}", path.display()))?;
        Roster::parse(&text).with_context(|| format!("the roster {} is not usable", path.display()))
    }

    /// Parses a roster CSV.
    ///
    /// # Errors
    ///
    /// No header, or no `submission` column.
    pub fn parse(text: &str) -> Result<Roster> {
        let mut records = parse_csv(text.trim_start_matches('\u{feff}')).into_iter();
        let header = records
            .next()
            .context("it is empty: it needs a header row")?;
        let roster = Roster {
            header,
            rows: records
                .filter(|r| r.iter().any(|f| !f.trim().is_empty()))
                .collect(),
        };
        if roster.column("submission").is_none() {
            bail!(
                "its header has no `submission` column (the grader's id of each submission); it has: {}",
                roster.header.join(", ")
            );
        }
        Ok(roster)
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    fn field(&self, row: &[String], names: &[&str]) -> String {
        names
            .iter()
            .find_map(|n| self.column(n))
            .and_then(|i| row.get(i))
            .map_or_else(String::new, |f| f.trim().to_owned())
    }
}

/// A gradebook and what did not match.
#[derive(Debug, PartialEq, Eq)]
pub struct Gradebook {
    pub csv: String,
    /// Submission ids with no roster row.
    pub no_roster_row: Vec<String>,
    /// Roster rows (their `submission`) with no graded submission; their
    /// grade cells are left empty.
    pub no_submission: Vec<String>,
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The Canvas or Moodle gradebook of `grades` for the students of
/// `roster`, in the roster's order.
pub fn gradebook(
    format: Format,
    labs: &[&Lab],
    grades: &[StudentGrade],
    roster: &Roster,
) -> Gradebook {
    let submission = roster.column("submission").unwrap_or(0);
    let mut out = String::new();
    let identity: Vec<(&str, &[&str])> = match format {
        Format::Moodle => {
            if roster.column("email address").is_some() || roster.column("email").is_some() {
                vec![("Email address", &["email address", "email"])]
            } else {
                vec![("Username", &["username"])]
            }
        }
        _ => vec![
            ("Student", &["student", "name"]),
            ("ID", &["id"]),
            ("SIS User ID", &["sis user id"]),
            ("SIS Login ID", &["sis login id"]),
            ("Section", &["section"]),
        ],
    };
    let header: Vec<String> = identity
        .iter()
        .map(|(h, _)| (*h).to_owned())
        .chain(labs.iter().map(|l| l.package()))
        .collect();
    let _ = writeln!(
        out,
        "{}",
        header
            .iter()
            .map(|h| csv_field(h))
            .collect::<Vec<_>>()
            .join(",")
    );
    if format == Format::Canvas {
        let _ = writeln!(
            out,
            "    Points Possible{}{}",
            ",".repeat(identity.len() - 1),
            labs.iter()
                .map(|l| format!(",{}", l.max_points()))
                .collect::<String>()
        );
    }
    let mut no_submission = Vec::new();
    let mut matched = Vec::new();
    for row in &roster.rows {
        let id = row.get(submission).map_or("", |s| s.trim());
        let grade = grades.iter().find(|g| g.student == id);
        match grade {
            Some(g) => matched.push(g.student.as_str()),
            None => no_submission.push(id.to_owned()),
        }
        let mut fields: Vec<String> = identity
            .iter()
            .map(|(_, names)| csv_field(&roster.field(row, names)))
            .collect();
        for lab in labs {
            fields.push(grade.map_or_else(String::new, |g| {
                g.labs
                    .iter()
                    .find(|l| l.number == lab.number)
                    .map_or(0, |l| l.points)
                    .to_string()
            }));
        }
        let _ = writeln!(out, "{}", fields.join(","));
    }
    Gradebook {
        csv: out,
        no_roster_row: grades
            .iter()
            .filter(|g| !matched.contains(&g.student.as_str()))
            .map(|g| g.student.clone())
            .collect(),
        no_submission,
    }
}

/// Writes `REPORT/canvas.csv` or `REPORT/moodle.csv` and says on stderr
/// what did not match, and what to do about it.
///
/// # Errors
///
/// The roster cannot be read, or the file cannot be written.
pub fn write(
    out: &Path,
    format: Format,
    labs: &[&Lab],
    grades: &[StudentGrade],
    roster: &Path,
) -> Result<()> {
    let name = match format {
        Format::Canvas => "canvas.csv",
        Format::Moodle => "moodle.csv",
        Format::Exercism | Format::Gradescope => return Ok(()),
    };
    let roster = Roster::load(roster)?;
    let book = gradebook(format, labs, grades, &roster);
    let path = out.join(name);
    std::fs::write(&path, &book.csv)
        .with_context(|| format!("could not write {}", path.display()))?;
    if !book.no_roster_row.is_empty() {
        eprintln!(
            "warning: {} submission(s) have no row in the roster, so they are not in {name}: {}\n  \
             add a row for each (its `submission` column = the id) and grade again; their points are in grades.csv",
            book.no_roster_row.len(),
            book.no_roster_row.join(", ")
        );
    }
    if !book.no_submission.is_empty() {
        eprintln!(
            "warning: {} roster row(s) have no submission, their grades are left empty in {name}: {}\n  \
             check that each `submission` is the folder or archive name (without .zip/.tar.gz) in SUBMISSIONS",
            book.no_submission.len(),
            book.no_submission.join(", ")
        );
    }
    Ok(())
}

/// RFC 4180 records: fields split by commas, quoted fields may hold
/// commas, quotes (doubled) and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::ScenarioInfo;
    use crate::model::LabState;
    use crate::model::grade::LabGrade;

    fn lab() -> Lab {
        Lab {
            number: 1,
            name: "tcp-once".into(),
            title: "t".into(),
            title_zh: "题".into(),
            hint: String::new(),
            hint_zh: String::new(),
            scenarios: vec![ScenarioInfo {
                name: "a".into(),
                points: 11,
                ..ScenarioInfo::default()
            }],
            ..Lab::default()
        }
    }

    fn grade(id: &str, points: u32) -> StudentGrade {
        StudentGrade {
            student: id.into(),
            total: points,
            max: 11,
            problem: None,
            labs: vec![LabGrade {
                number: 1,
                package: "lab01-tcp-once".into(),
                title: "t".into(),
                state: LabState::Failing,
                points,
                max_points: 11,
                compile_error: None,
                note: None,
                scenarios: Vec::new(),
                hint: String::new(),
            }],
            ignored_changes: Vec::new(),
            unsandboxed: false,
            seconds: 0.0,
        }
    }

    const ROSTER: &str = "submission,Student,ID,SIS User ID,SIS Login ID,Section,Email address\n\
        alice-correct,\"Liu, Alice\",101,s101,alice,Sec A,alice@example.edu\n\
        zoe,Zoe,102,s102,zoe,Sec A,zoe@example.edu\n";

    #[test]
    fn canvas_and_moodle_gradebooks_follow_their_import_columns() {
        let roster = Roster::parse(ROSTER).unwrap();
        let lab = lab();
        let grades = [grade("alice-correct", 9), grade("bob", 3)];
        let canvas = gradebook(Format::Canvas, &[&lab], &grades, &roster);
        assert_eq!(
            canvas.csv,
            "Student,ID,SIS User ID,SIS Login ID,Section,lab01-tcp-once\n    Points Possible,,,,,11\n\
             \"Liu, Alice\",101,s101,alice,Sec A,9\nZoe,102,s102,zoe,Sec A,\n"
        );
        assert_eq!(canvas.no_roster_row, ["bob"]);
        assert_eq!(canvas.no_submission, ["zoe"]);
        let moodle = gradebook(Format::Moodle, &[&lab], &grades, &roster);
        assert_eq!(
            moodle.csv,
            "Email address,lab01-tcp-once\nalice@example.edu,9\nzoe@example.edu,\n"
        );
        let by_name = Roster::parse("submission,Username\nalice-correct,aliu\n").unwrap();
        assert_eq!(
            gradebook(Format::Moodle, &[&lab], &grades, &by_name).csv,
            "Username,lab01-tcp-once\naliu,9\n"
        );
    }

    #[test]
    fn a_roster_without_a_submission_column_is_refused() {
        let e = Roster::parse("Student,ID\nA,1\n").unwrap_err();
        assert!(e.to_string().contains("no `submission` column"), "{e}");
    }
}
