//! socket-labs' project automation, run as `cargo xtask COMMAND` (the xtask
//! pattern: a plain Rust package behind a cargo alias in
//! `.cargo/config.toml`; nothing to install).
//!
//! # Layout
//!
//! - [`labs`]: reads `labs/info.toml`, the one list of labs.
//! - [`lang`]: Chinese or English, for what a student reads.
//! - [`guard`]: check-lab's warning when a file the grader replaces was
//!   changed (the starter records their checksums).
//! - [`model`]: a lab's result as data (outcome, state, points, diff,
//!   grades), below everything that shows it.
//! - [`runner`]: builds a lab and runs its scenarios, collecting verdicts.
//! - [`check`]: `check-lab`: the report a learner reads.
//! - [`state`]: the last check's results, for `list` and `watch`.
//! - [`watch`]: `watch`: checks the lab worked on at each save.
//! - [`interrupt`]: Ctrl-C during check-lab or watch: no lab program left.
//! - [`cli`]: the commands and their usage.
//! - [`starter`]: `starter`: the students' copy, solutions stubbed.
//! - [`files`]: walks a workspace and syncs a working copy (starter, grade).
//! - [`solutions`]: `check-solutions`: every solution passes, every stub fails.
//! - [`mutants`]: every lab's typical mistakes fail its scenarios.
//! - [`grade`]: `grade`: a whole class, with reports.

pub mod check;
pub mod cli;
pub mod files;
pub mod grade;
pub mod guard;
pub mod hint;
pub mod interrupt;
pub mod labs;
pub mod lang;
pub mod model;
pub mod mutants;
pub mod runner;
pub mod solutions;
pub mod starter;
pub mod state;
pub mod watch;
