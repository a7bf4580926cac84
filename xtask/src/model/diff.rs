//! The difference between a scenario's snapshot and this run's transcript,
//! as data: the first differing line and the hunks of a unified diff
//! (computed with `similar`). The learner's terminal and the grader's
//! files render it each their own way.

pub use harness::report::FirstDifference;
use similar::{ChangeTag, TextDiff};

/// Lines of context around each change.
const CONTEXT: usize = 3;

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

/// One line of a hunk, without its line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub side: Side,
    pub text: String,
}

impl DiffLine {
    /// `- text`, `+ text` or `  text`.
    pub fn plain(&self) -> String {
        let mark = match self.side {
            Side::Expected => '-',
            Side::Actual => '+',
            Side::Both => ' ',
        };
        format!("{mark} {}", self.text)
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
                    })
                    .collect()
            })
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
}
