//! The files a submission is graded with: the starter, with the student's
//! labs' `src/` in place of its own; and what the student changed
//! elsewhere, listed as ignored.

use super::{Grader, IGNORED_LIMIT, intake};
use crate::starter::File;
use anyhow::{Context, Result, bail};
use std::path::Path;

impl Grader<'_> {
    /// The files to grade: the starter with the student's labs' `src/`
    /// in place of its own. Also the labs whose `src/` is missing, and
    /// the ignored changes.
    pub(super) fn overlay(&self, root: &Path) -> Result<(Vec<File>, Vec<u32>, Vec<String>)> {
        let submitted = intake::list_files(root).context("could not list the submission")?;
        let mut files: Vec<File> = Vec::new();
        let mut missing = Vec::new();
        let mut taken_from_student = Vec::new();
        for lab in &self.info.labs {
            let prefix = format!("{}/src/", lab.dir().to_string_lossy().replace('\\', "/"));
            let theirs: Vec<&String> = submitted
                .iter()
                .filter(|p| p.starts_with(&prefix))
                .collect();
            if theirs.is_empty() {
                if self.labs.iter().any(|l| l.number == lab.number) {
                    missing.push(lab.number);
                }
                continue;
            }
            taken_from_student.push(prefix.clone());
            let mut bytes = 0u64;
            for path in theirs {
                let content = intake::read_capped(&root.join(path))?;
                bytes += content.len() as u64;
                if bytes > intake::MAX_TOTAL_BYTES {
                    bail!("{prefix} holds more than {} bytes", intake::MAX_TOTAL_BYTES);
                }
                files.push(File {
                    path: path.clone(),
                    content,
                    mtime: None,
                    student: true,
                });
            }
        }
        for file in &self.starter.files {
            if !(file.student && taken_from_student.iter().any(|p| file.path.starts_with(p))) {
                files.push(file.clone());
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));

        let mut ignored = Vec::new();
        for file in files.iter().filter(|f| f.student) {
            let text = String::from_utf8_lossy(&file.content);
            let compact: String = text.split_whitespace().collect();
            if compact.contains("allow(unsafe_code)") {
                ignored.push(format!(
                    "unsafe code allowed in {} (`allow(unsafe_code)`): graded, and reported to your instructor",
                    file.path
                ));
            }
        }
        for path in &submitted {
            if let Some(name) = path.strip_prefix(intake::NOT_UTF8) {
                ignored.push(format!("skipped {name} (its name is not UTF-8)"));
                continue;
            }
            if crate::starter::student_lab(self.info, path).is_some() {
                continue;
            }
            let change = match self.starter.files.iter().find(|f| &f.path == path) {
                None => Some("added"),
                Some(f) => {
                    let same = intake::read_capped(&root.join(path)).is_ok_and(|c| c == f.content);
                    (!same).then_some("changed")
                }
            };
            if let Some(change) = change {
                ignored.push(format!("{change} {path}"));
            }
        }
        if ignored.len() > IGNORED_LIMIT {
            let more = ignored.len() - IGNORED_LIMIT;
            ignored.truncate(IGNORED_LIMIT);
            ignored.push(format!("… and {more} more"));
        }
        Ok((files, missing, ignored))
    }
}
