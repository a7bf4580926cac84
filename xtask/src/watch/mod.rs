//! `cargo xtask watch`: rustlings' main mode. It checks the lab being
//! worked on (the first one the last checks do not call passed), checks
//! it again each time a file under that lab's `src/` is saved, moves on
//! to the next lab when it passes, and shows a progress bar of scenarios
//! and points across all labs.
//!
//! One channel carries everything watch reacts to: the operating
//! system's file events (the `notify` crate: inotify, FSEvents or
//! ReadDirectoryChangesW, no polling) and the lines typed on the terminal
//! (`h`, `l`, `c`, `q`). Ctrl-C is check-lab's ([`crate::interrupt`]): it
//! stops the programs a check started and ends watch with status 130. The
//! terminal is never put in raw mode, so there is nothing to restore.
//!
//! The checking is `check-lab`'s own ([`crate::check::check`]): watch
//! adds only the loop and the progress bar.

use crate::check::{self, Style};
use crate::labs::{Info, Lab};
use crate::lang::Lang;
use crate::model::LabState;
use crate::state::State;
use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};
use progress::footer;
pub use progress::progress;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

mod progress;
#[cfg(test)]
mod tests;

/// `cargo xtask watch --help`.
pub const HELP: crate::lang::Text = (
    "\
usage: cargo xtask watch

Checks the lab you are working on (the first lab not passing yet), then
checks it again each time you save a file in its src/ folder; when it
passes, goes on to the next lab. A progress bar shows the scenarios and
points passed across all labs. While it watches, type a letter and Enter:
  h  the lab's hint      l  the list of labs
  c  check again         q  quit (Ctrl-C quits too)
The same in Chinese with --lang zh (or LANG=zh_CN.UTF-8).
",
    "\
用法：cargo xtask watch

检查你正在做的实验（第一个还没有通过的实验），之后每次你保存它的 src/
文件夹中的文件，就再检查一次；通过后转到下一个实验。进度条显示所有实验中
已通过的场景和分数。监视期间，输入一个字母再按回车：
  h  这个实验的提示      l  实验列表
  c  重新检查            q  退出（Ctrl-C 也会退出）
英文版：--lang en（或 LANG=en_US.UTF-8）。
",
);

/// A save is often several file events (an editor writes a temporary
/// file, renames it, sets its time): the check starts once none came for
/// this long.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// What watch reacts to.
enum Event {
    /// Files changed (absolute paths).
    Changed(Vec<PathBuf>),
    /// A line typed on the terminal.
    Typed(String),
    /// The file watcher failed.
    WatchFailed(String),
}

/// `cargo xtask watch ARGS`: it takes no arguments but `--help` (handled
/// by the caller) and `--lang` (read by the caller), then [`run`]s.
///
/// # Errors
///
/// Any argument; as [`run`].
pub fn main(root: &Path, info: &Info, args: &[&str], lang: Lang) -> Result<bool> {
    if !args.is_empty() {
        let args = args.join(" ");
        anyhow::bail!(
            "{}",
            match lang {
                Lang::En => format!(
                    "watch takes no arguments, not `{args}`; see `cargo xtask watch --help`"
                ),
                Lang::Zh =>
                    format!("watch 不接受参数（收到了 `{args}`）；见 `cargo xtask watch --help`"),
            }
        );
    }
    run(root, info, lang)
}

/// The lab to work on: the first one whose last check did not pass.
fn current<'a>(info: &'a Info, states: &State) -> Option<&'a Lab> {
    info.labs
        .iter()
        .find(|lab| states.get(lab) != Some(LabState::Passed))
}

/// Whether a file event says a file's content or name changed. Reads
/// (rustc opening a source file during a check: `Access`) and metadata
/// (an access time) are not changes: checking again on them would check
/// for ever.
fn is_a_change(kind: notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::ModifyKind;
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// Whether `paths` hold a file under `src` (a folder of the lab being
/// watched).
fn touches(paths: &[PathBuf], src: &Path) -> bool {
    paths.iter().any(|p| p.starts_with(src))
}

/// `cargo xtask watch`. Returns whether every lab passes when it ends
/// (after `q`); after Ctrl-C the process exits with status 130.
///
/// # Errors
///
/// The file watcher or the Ctrl-C handler could not be set up, or cargo
/// could not be run.
pub fn run(root: &Path, info: &Info, lang: Lang) -> Result<bool> {
    let style = Style::detect().in_lang(lang);
    crate::runner::print_own_target_note(root, lang, |note| style.dim(note));
    crate::interrupt::catch(
        lang,
        lang.pick(
            "watch stopped (Ctrl-C); run `cargo xtask watch` to go on",
            "watch 已停止（Ctrl-C）；运行 `cargo xtask watch` 继续",
        )
        .to_owned(),
    )?;
    let (events, inbox) = mpsc::channel();
    // Paths as the file watcher reports them: from the canonical folder
    // (macOS reports /private/var for /var).
    let labs_dir = root.join("labs").canonicalize().with_context(|| {
        let dir = root.join("labs");
        match lang {
            Lang::En => format!("could not read {}", dir.display()),
            Lang::Zh => format!("无法读取 {}", dir.display()),
        }
    })?;
    let mut watcher = {
        let events = events.clone();
        notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
            let _ = events.send(match result {
                Ok(event) if is_a_change(event.kind) => Event::Changed(event.paths),
                Ok(_) => return,
                Err(err) => Event::WatchFailed(err.to_string()),
            });
        })
        .context(lang.pick("could not start watching files", "无法开始监视文件"))?
    };
    watcher
        .watch(&labs_dir, RecursiveMode::Recursive)
        .with_context(|| match lang {
            Lang::En => format!("could not watch {}", labs_dir.display()),
            Lang::Zh => format!("无法监视 {}", labs_dir.display()),
        })?;
    spawn_stdin_reader(events);

    let mut lab = match current(info, &State::load(root)) {
        Some(lab) => lab,
        None => return Ok(all_done(root, info, lang)),
    };
    let mut clear = false;
    loop {
        // Check `lab`; while it passes, go on to the next one.
        loop {
            check_once(root, info, lab, style, clear)?;
            clear = true;
            let states = State::load(root);
            if states.get(lab) != Some(LabState::Passed) {
                break;
            }
            let Some(next) = current(info, &states) else {
                return Ok(all_done(root, info, lang));
            };
            println!(
                "\n{}\n{}\n",
                progress(info, &states, lang),
                style.green(&match lang {
                    Lang::En => format!(
                        "lab {} passes: on to lab {} ({})",
                        lab.number,
                        next.number,
                        next.title_in(lang)
                    ),
                    Lang::Zh => format!(
                        "实验 {} 通过了：接下来是实验 {}（{}）",
                        lab.number,
                        next.number,
                        next.title_in(lang)
                    ),
                })
            );
            lab = next;
            clear = false;
        }
        print!("{}", footer(root, info, lab, lang, style));
        let _ = std::io::stdout().flush();
        let src = labs_dir.join(
            lab.dir()
                .strip_prefix("labs")
                .unwrap_or(&lab.dir())
                .join("src"),
        );
        // Wait for a save under the lab's src/, a key, or Ctrl-C.
        loop {
            match inbox.recv() {
                Ok(Event::Changed(paths)) if touches(&paths, &src) => {
                    settle(&inbox);
                    break;
                }
                Ok(Event::Changed(_)) => {}
                Ok(Event::WatchFailed(err)) => {
                    eprintln!(
                        "{} {err}",
                        lang.pick("watching files failed:", "监视文件失败：")
                    );
                }
                // Every sender gone: nothing more can come.
                Err(_) => return Ok(false),
                Ok(Event::Typed(line)) => match line.trim() {
                    "c" | "" => break,
                    "q" => {
                        drop(watcher);
                        return Ok(false);
                    }
                    "h" => println!(
                        "\n{} {} · {}\n\n{}\n",
                        lang.pick("lab", "实验"),
                        lab.number,
                        lab.title_in(lang),
                        lab.hint_in(lang).trim()
                    ),
                    "l" => {
                        println!();
                        crate::state::list(root, info, lang);
                    }
                    other => println!(
                        "{}",
                        match lang {
                            Lang::En => format!(
                                "`{other}`: type h (hint), l (list), c (check again) or q (quit), then Enter"
                            ),
                            Lang::Zh => format!(
                                "`{other}`：请输入 h（提示）、l（列表）、c（重新检查）或 q（退出），再按回车"
                            ),
                        }
                    ),
                },
            }
        }
    }
}

/// Waits until no file event came for [`DEBOUNCE`] (an editor's save is
/// several events). A key typed meanwhile is dropped: the check it would
/// ask for is about to run.
fn settle(inbox: &Receiver<Event>) {
    loop {
        match inbox.recv_timeout(DEBOUNCE) {
            Ok(Event::Changed(_) | Event::WatchFailed(_) | Event::Typed(_)) => {}
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                return;
            }
        }
    }
}

/// Lines typed on the terminal, as events, from a thread of its own.
/// When stdin ends (no terminal), watch goes on with files and Ctrl-C.
fn spawn_stdin_reader(events: Sender<Event>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { return };
            if events.send(Event::Typed(line)).is_err() {
                return;
            }
        }
    });
}

/// Runs `check-lab`'s check of `lab` on a clear screen (after the first).
fn check_once(root: &Path, info: &Info, lab: &Lab, style: Style, clear: bool) -> Result<()> {
    if clear && std::io::stdout().is_terminal() {
        // Clear the screen and go to its top: each check starts afresh.
        print!("\x1b[2J\x1b[H");
    }
    check::check(root, info, &[lab], style, None)?;
    Ok(())
}

/// Every lab passes: says so and returns `true`.
fn all_done(root: &Path, info: &Info, lang: Lang) -> bool {
    println!(
        "{}\n{}",
        progress(info, &State::load(root), lang),
        lang.pick(
            "every lab passes: well done! (`cargo xtask list` shows them)",
            "所有实验都通过了：做得好！（`cargo xtask list` 可以查看）"
        )
    );
    true
}
