//! socket-labs' project automation, run as `cargo xtask COMMAND` (the xtask
//! pattern: a plain Rust package behind a cargo alias in
//! `.cargo/config.toml`; nothing to install).
//!
//! # Layout
//!
//! What a student runs (`check-lab`, `list`, `hint`, `watch`, `reset`):
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
//! - [`hint`]: `hint`: the next hint of a lab.
//! - [`reset`]: `reset`: a lab's stubs back, in a student's copy.
//! - [`cli`]: the commands and their usage.
//!
//! The instructor's, behind the `instructor` feature (on by default; the
//! starter's `xtask/Cargo.toml` turns it off, so a student's xtask neither
//! has these commands nor compiles the crates only they use: zip, tar,
//! flate2, fs4, syn):
//!
//! - [`starter`]: `starter`: the students' copy, solutions stubbed.
//! - [`files`]: walks a workspace and syncs a working copy (starter, grade).
//! - [`solutions`]: `check-solutions`: every solution passes, every stub fails.
//! - [`mutants`]: every lab's typical mistakes fail its scenarios.
//! - [`grade`]: `grade`: a whole class, with reports.

pub mod check;
pub mod cli;
#[cfg(feature = "instructor")]
pub mod files;
#[cfg(feature = "instructor")]
pub mod grade;
pub mod guard;
pub mod hint;
pub mod interrupt;
pub mod labs;
pub mod lang;
pub mod model;
#[cfg(feature = "instructor")]
pub mod mutants;
pub mod reset;
pub mod runner;
#[cfg(feature = "instructor")]
pub mod solutions;
#[cfg(feature = "instructor")]
pub mod starter;
pub mod state;
pub mod watch;
