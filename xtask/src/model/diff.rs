//! The difference between a scenario's snapshot and this run's transcript,
//! as data: the first differing line and the hunks of a unified diff
//! (computed with `similar`). The learner's terminal and the grader's
//! files render it each their own way.
//!
//! A run of identical lines on the same side is folded into its first
//! line and a count (`+ [lab02-server]   (× 3,852 more)`), as the harness
//! folds runs of identical bytes: a program that spins prints the same
//! line thousands of times, and the student needs to see it once.

pub use harness::report::FirstDifference;
use similar::{ChangeTag, TextDiff};

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// A run of this many identical lines or more is folded into one.
const FOLD_RUN: usize = 3;

/// Which transcript a line of the diff comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Only in the snapshot (`-`).
    Expected,
    /// Only in this run (`+`).
    Actual,
    /// In both (context).
    Both,
}

/// One line of a hunk, without its line break, and how many identical
/// lines right after it were folded into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub side: Side,
    pub text: String,
    /// The copies of this line that follow it, folded (0: none).
    pub more: usize,
}

impl DiffLine {
    /// `-`, `+` or a space.
    pub fn mark(&self) -> char {
        match self.side {
            Side::Expected => '-',
            Side::Actual => '+',
            Side::Both => ' ',
        }
    }

    /// `- text`, `+ text` or `  text`, and `   (× 3,852 more)` when
    /// copies were folded into it.
    pub fn plain(&self) -> String {
        let mut line = format!("{} {}", self.mark(), self.text);
        if self.more > 0 {
            line.push_str(&format!("   (× {} more)", grouped(self.more)));
        }
        line
    }
}

/// `3852` as `3,852`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Folds each run of [`FOLD_RUN`] or more identical lines (same side,
/// same text) into its first line.
fn fold(lines: Vec<DiffLine>) -> Vec<DiffLine> {
    let mut out: Vec<DiffLine> = Vec::new();
    let mut run = 0;
    for line in lines {
        let same = out
            .last()
            .is_some_and(|last| last.side == line.side && last.text == line.text);
        if same {
            run += 1;
            if let Some(last) = out.last_mut() {
                last.more += 1;
            }
        } else {
            unfold_short(&mut out, run);
            run = 0;
            out.push(line);
        }
    }
    unfold_short(&mut out, run);
    out
}

/// A run shorter than [`FOLD_RUN`] (the last line and `run` copies) is
/// shown as it is: folding two lines saves nothing.
fn unfold_short(out: &mut Vec<DiffLine>, run: usize) {
    if run + 1 >= FOLD_RUN {
        return;
    }
    if let Some(last) = out.last_mut() {
        last.more = 0;
        let copy = last.clone();
        out.extend(std::iter::repeat_n(copy, run));
    }
}

/// A unified diff of two transcripts: `-` the snapshot, `+` this run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TranscriptDiff {
    pub first: Option<FirstDifference>,
    /// Groups of changes with [`CONTEXT`] lines around them.
    pub hunks: Vec<Vec<DiffLine>>,
}

impl TranscriptDiff {
    pub fn new(expected: &str, actual: &str) -> TranscriptDiff {
        let diff = TextDiff::from_lines(expected, actual);
        let hunks = diff
            .grouped_ops(CONTEXT)
            .iter()
            .map(|group| {
                group
                    .iter()
                    .flat_map(|op| diff.iter_changes(op))
                    .map(|change| DiffLine {
                        side: match change.tag() {
                            ChangeTag::Delete => Side::Expected,
                            ChangeTag::Insert => Side::Actual,
                            ChangeTag::Equal => Side::Both,
                        },
                        text: change.value().trim_end_matches('\n').to_owned(),
                        more: 0,
                    })
                    .collect()
            })
            .map(fold)
            .collect();
        TranscriptDiff {
            first: FirstDifference::find(expected, actual),
            hunks,
        }
    }

    /// The diff as plain text, one line each, `…` after each hunk.
    pub fn plain_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for hunk in &self.hunks {
            out.extend(hunk.iter().map(DiffLine::plain));
            out.push("…".to_owned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_a_hunk_with_its_context_and_the_first_difference() {
        let diff = TranscriptDiff::new("a\nb\nc", "a\nx\nc\n");
        assert_eq!(
            diff.plain_lines(),
            ["  a", "- b", "- c", "+ x", "+ c", "…"].map(str::to_owned)
        );
        assert_eq!(
            diff.first.map(|d| d.to_string()).as_deref(),
            Some("line 2: expected `b`, got `x`")
        );
        assert_eq!(TranscriptDiff::new("a\n", "a\n").hunks.len(), 0);
    }

    #[test]
    fn a_run_of_identical_lines_is_folded_into_one_with_a_count() {
        let actual = format!("a\n{}b\n", "[s] x\n".repeat(3853));
        let diff = TranscriptDiff::new("a\nb\n", &actual);
        assert_eq!(
            diff.plain_lines(),
            ["  a", "+ [s] x   (× 3,852 more)", "  b", "…"].map(str::to_owned)
        );
        // Two identical lines stay two lines; a run per side.
        let diff = TranscriptDiff::new("y\ny\n", "x\nx\n");
        assert_eq!(
            diff.plain_lines(),
            ["- y", "- y", "+ x", "+ x", "…"].map(str::to_owned)
        );
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
