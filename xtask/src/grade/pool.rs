//! Grading several submissions at once (`--jobs N`): each in a slot of
//! its own folders and its own sandboxes, one build at a time (see
//! [`super::Grader`]'s `building`), the grades put back in the class's
//! order so that the reports do not depend on N.

use super::{Grader, StudentGrade, intake};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The folders of one of the submissions graded at once (`--jobs`): its
/// grading copy, and its own target folder and verdicts.
pub(super) struct Slot {
    pub(super) work: PathBuf,
    pub(super) scratch: PathBuf,
}

impl Slot {
    /// The `k`-th slot's folders under `base` (the first's are the ones a
    /// run of one job at a time uses).
    pub(super) fn new(base: &Path, k: usize) -> Slot {
        let suffix = if k == 0 {
            String::new()
        } else {
            format!("-{k}")
        };
        Slot {
            work: base.join(format!("work{suffix}")),
            scratch: base.join(format!("submission{suffix}")),
        }
    }
}

impl Grader<'_> {
    /// Grades `entries`, as many at once as there are `slots` (each
    /// submission in one slot's folders, in its own sandboxes). The grades
    /// come back in the order of `entries` whatever order they finish in,
    /// so the reports do not depend on how many ran at once.
    ///
    /// # Errors
    ///
    /// The first error (in the order of `entries`) of a submission the
    /// grader itself could not grade (a folder it cannot write, bwrap
    /// that does not start); no new submission is started after one.
    pub(super) fn grade_all(
        &self,
        entries: &[intake::Entry],
        slots: &[Slot],
    ) -> Result<Vec<StudentGrade>> {
        use std::sync::Mutex;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let started = std::time::Instant::now();
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let results: Mutex<Vec<Option<Result<StudentGrade>>>> =
            Mutex::new(entries.iter().map(|_| None).collect());
        std::thread::scope(|scope| {
            for slot in slots {
                let (next, failed, results) = (&next, &failed, &results);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= entries.len() || failed.load(Ordering::SeqCst) {
                            break;
                        }
                        let progress = format!("[{}/{}]", i + 1, entries.len());
                        let graded = self.grade(&entries[i], slot, &progress);
                        match &graded {
                            Ok(grade) => self.say(&format!(
                                "{progress} {}: {}/{} in {:.1} s",
                                grade.student, grade.total, grade.max, grade.seconds
                            )),
                            Err(_) => failed.store(true, Ordering::SeqCst),
                        }
                        if let Ok(mut results) = results.lock() {
                            results[i] = Some(graded);
                        }
                    }
                });
            }
        });
        let results = results
            .into_inner()
            .map_err(|_| anyhow::anyhow!("a grading thread panicked"))?;
        // What bench-grade.sh reads: the submissions alone (the starter
        // and its cache were before), however many at a time.
        let took = started.elapsed().as_secs_f64();
        self.say(&format!(
            "grading the submissions took {took:.1} s, {} at a time: {:.2} s per submission",
            slots.len(),
            took / entries.len().max(1) as f64
        ));
        if let Some(Some(Err(_))) = results.iter().find(|r| matches!(r, Some(Err(_)))) {
            let first = results.into_iter().flatten().find_map(Result::err);
            return Err(first.unwrap_or_else(|| anyhow::anyhow!("grading stopped")));
        }
        (entries.iter().zip(results))
            .map(|(entry, result)| {
                result.with_context(|| format!("{} was not graded", entry.student))?
            })
            .collect()
    }
}
