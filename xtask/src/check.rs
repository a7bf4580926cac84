//! `cargo xtask check-lab N|--all`: runs a lab's scenarios and tells the
//! learner, one line per scenario, what passed, and for what failed: the
//! first differing line, the expected-vs-actual transcript diff (of the
//! first failing scenario, folded), what a stuck program was doing,
//! rustc's warnings for the lab's own files, the lab's first hint and the
//! command to run next, in the learner's language ([`Lang`]).
//!
//! - [`render`]: one lab's report, as text.
//! - [`words`]: the words of a scenario's lines, in either language.
//! - [`warnings`]: rustc's warnings about the lab's own files.
//! - [`next`]: what to do next, from the files on disk.

mod next;
mod render;
mod warnings;
mod words;

use crate::labs::{Info, Lab};
use crate::lang::Lang;
use crate::model::{LabOutcome, LabState, lab_state};
use crate::runner::{RunOptions, run_lab_reporting};
use anyhow::Result;
pub use next::{DiskState, disk_state, next_line};
pub use render::{render_lab, render_lab_void};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;
pub use warnings::render_warnings;

/// How a report is shown: ANSI colours (only on a terminal and only
/// without `NO_COLOR`) and the language.
#[derive(Clone, Copy)]
pub struct Style {
    on: bool,
    pub lang: Lang,
}

impl Style {
    /// Colours if stdout is a terminal; the language of the locale.
    pub fn detect() -> Style {
        Style {
            on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            lang: Lang::detect(),
        }
    }

    /// No colours, English.
    pub fn plain() -> Style {
        Style {
            on: false,
            lang: Lang::En,
        }
    }

    /// The same, in `lang`.
    pub fn in_lang(self, lang: Lang) -> Style {
        Style { lang, ..self }
    }

    /// The text in this style's language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        self.lang.pick(en, zh)
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// The line that tells which seed the property scenarios drew their
/// inputs from, and how to draw the same again.
pub fn seed_line(lab: &Lab, seed: u64, style: Style) -> String {
    let again = format!("`cargo xtask check-lab {} --seed {seed}`", lab.number);
    let text = match style.lang {
        Lang::En => format!("the property scenarios' inputs; {again} runs the same again"),
        Lang::Zh => format!("性质场景的输入由它抽取；{again} 会再用同样的输入运行一次"),
    };
    format!(
        "  {} {seed}: {text}\n",
        style.bold(style.pick("seed", "种子"))
    )
}

/// `check-lab` (and each check of `watch`): first the submission guard's
/// warnings for these labs ([`crate::guard`]), then each lab's report; a
/// lab whose checked or build files differ from the starter is not a pass.
/// Returns whether every lab checked passed.
///
/// # Errors
///
/// Cargo could not be run.
///
/// The property scenarios draw their inputs from `seed`, or from a fresh
/// seed when it is `None`; the report says which.
pub fn check(
    root: &Path,
    info: &Info,
    labs: &[&Lab],
    style: Style,
    seed: Option<u64>,
) -> Result<bool> {
    // Before anything else: a change the grader will not see.
    crate::guard::print_warnings(root, info, labs, style.lang, |w| style.red(w));
    let started = Instant::now();
    let seed = seed.unwrap_or_else(harness::seed::fresh_seed);
    let options = RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    };
    let mut all_passed = true;
    let mut states = crate::state::State::load(root);
    for lab in labs {
        eprintln!(
            "{}",
            style.dim(&match style.lang {
                Lang::En => format!("building and running {} …", lab.package()),
                Lang::Zh => format!("正在构建并运行 {} …", lab.package()),
            })
        );
        let (outcome, warnings) = run_lab_reporting(root, lab, &options)?;
        crate::interrupt::hold_if_stopping();
        // Checked again after the run: a file changed meanwhile voids it too.
        let void = crate::guard::void_reason(root, info, lab, style.lang);
        print!("{}", render_lab_void(lab, &outcome, style, void.as_deref()));
        let state = lab_state(&outcome);
        if state != LabState::NotDone {
            print!("{}", render_warnings(lab, &warnings, style));
        }
        // Not for a lab still at its stubs: one "not done yet" line is all
        // it gets.
        let judged =
            !matches!(outcome, LabOutcome::DoesNotCompile(_)) && state != LabState::NotDone;
        if lab.has_properties() && judged {
            print!("{}", seed_line(lab, seed, style));
        }
        states.record(root, lab, &outcome);
        if void.is_some() && state != LabState::NotDone {
            states.void(lab);
        }
        all_passed &= state == LabState::Passed && void.is_none();
    }
    states.save(root);
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{}",
        style.dim(&match style.lang {
            Lang::En => format!("checked in {elapsed:.1}s"),
            Lang::Zh => format!("检查用时 {elapsed:.1} 秒"),
        })
    );
    println!("{}", next_line(root, info, labs, &states, style.lang));
    Ok(all_passed)
}
