//! The grader's sandbox: every submission is built and judged inside
//! bubblewrap (`bwrap`), and nothing it does reaches the grader, the
//! instructor's copy, other submissions or later runs.
//!
//! # What a sandbox sees
//!
//! Each build and each run of a lab's scenarios is one `bwrap` with its own
//! user, PID, network (loopback only), IPC and UTS namespaces, no
//! capabilities, and a mount namespace built from nothing:
//!
//! - read-only: the system (`/usr` and its links, a few files of `/etc`),
//!   the Rust toolchain, the crates.io sources, and the grading copy
//!   (`/grade/work`: the instructor's starter with the student's labs'
//!   `src/`);
//! - the build: the submission's own target folder (`/grade/target`),
//!   hard links into a read-only cache of what the starter built (the
//!   dependencies and the instructor's crates) without any lab's own
//!   output; cargo and rustc replace files, never rewrite them, and the
//!   cache's files are read-only to a process without capabilities;
//! - the run: only the lab's test binary and programs (read-only), and the
//!   verdict folder (`/grade/verdicts`), writable in the judge's view only;
//! - a size-capped `/tmp` for scratch folders, a minimal `/dev`, `/proc` of
//!   the sandbox's own PID namespace.
//!
//! The instructor's own copy (solutions, `target/`, `.git`), the home
//! folder, other submissions and the reports are simply not there.
//!
//! Programs under test run one step further removed (see `harness::jail`):
//! a nested user and PID namespace as another uid, an empty `/proc`, the
//! whole file system read-only but their scratch folder. So the verdicts
//! come through a channel they cannot reach: the judge writes them into a
//! folder only its own mount view has writable, and the grader reads them
//! once the sandbox is gone.
//!
//! The environment inside is cleared and set from [`build_env`] and
//! [`run_env`], nothing else (`sandbox/env.rs`).

mod build;
mod env;
mod lab;
mod run;
mod target;

pub use build::{Built, Cached, build_together, cache_starter, prebuild};
use env::find_in_path;
pub use env::{build_env, run_env};
pub use lab::{Executable, LabRun, Prebuilt, executables, own_lines_only, run_lab};
pub use run::{Captured, MAX_TASKS, namespaces, run_captured};
pub use target::private_target;

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The one line `grade` prints when bubblewrap is missing.
pub const INSTALL_LINE: &str = "grading runs every submission in a bubblewrap sandbox, and `bwrap` is not installed: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch)";

/// Where things are inside a sandbox.
pub const WORK: &str = "/grade/work";
pub const TARGET: &str = "/grade/target";
pub const VERDICTS: &str = "/grade/verdicts";
/// The folder of the jailed programs' disks (`harness::jail::SCRATCH_ENV`).
pub const SCRATCH: &str = "/grade/scratch";
pub(super) const CARGO_HOME: &str = "/grade/cargo-home";

/// How much lower a build's CPU priority is than judging's (`nice -n`).
const BUILD_NICENESS: &str = "10";

/// The size of a sandbox's `/tmp` (scratch folders of the programs under
/// test live there).
pub const TMP_BYTES: u64 = 256 * 1024 * 1024;

/// The files of `/etc` a build or a run needs: the linker's alternatives
/// (`cc`), the dynamic loader's cache, host names.
const ETC: &[&str] = &[
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/hosts",
];

/// bubblewrap, found and proven to work here, and what the sandboxes bind.
#[derive(Debug, Clone)]
pub struct Sandbox {
    bwrap: PathBuf,
    sysroot: PathBuf,
    cargo: PathBuf,
    registry: PathBuf,
    /// A pids cgroup the grader may create children in (root, or a
    /// delegated cgroup), for the process-count limit.
    pids: Option<PathBuf>,
}

impl Sandbox {
    /// Finds `bwrap` and the toolchain, and proves that a sandbox and a
    /// nested jail can start.
    ///
    /// # Errors
    ///
    /// Not Linux, `bwrap` is missing ([`INSTALL_LINE`]), or it cannot create
    /// namespaces here (user namespaces disabled): one line saying so.
    pub fn find() -> Result<Sandbox> {
        Sandbox::find_on(std::env::var_os("PATH"))
    }

    /// [`Sandbox::find`] with `bwrap` looked for on `path`.
    fn find_on(path: Option<OsString>) -> Result<Sandbox> {
        if !cfg!(target_os = "linux") {
            bail!(
                "grading needs Linux: submissions run in a bubblewrap sandbox, which exists on Linux only (grade on a Linux machine or in CI; `--unsafe-no-sandbox` is for trusted code only)"
            );
        }
        let Some(bwrap) = find_in_path("bwrap", path) else {
            bail!("{INSTALL_LINE}");
        };
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let out = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .context("could not run rustc to find the toolchain")?;
        let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let cargo = sysroot.join("bin/cargo");
        if !cargo.is_file() {
            bail!("no cargo in the toolchain {}", sysroot.display());
        }
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
            .context("neither CARGO_HOME nor HOME is set")?;
        let sandbox = Sandbox {
            bwrap,
            sysroot,
            cargo,
            registry: cargo_home.join("registry"),
            pids: run::pids_root(),
        };
        sandbox.probe()?;
        Ok(sandbox)
    }

    /// Starts a sandbox that starts a jail, as grading does.
    fn probe(&self) -> Result<()> {
        let mut command = self.base();
        command.arg("--").arg(&self.bwrap);
        command.args(["--unshare-user", "--uid", "1000", "--unshare-pid"]);
        command.args([
            "--die-with-parent",
            "--ro-bind",
            "/",
            "/",
            "--",
            "/usr/bin/true",
        ]);
        let out = command
            .stdin(Stdio::null())
            .output()
            .context("could not run bwrap")?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            bail!(
                "bubblewrap cannot create a sandbox here ({}): user namespaces may be disabled (`sysctl kernel.unprivileged_userns_clone=1`, `user.max_user_namespaces`); grading refuses to run submissions unsandboxed",
                why.lines().next().unwrap_or("no message").trim()
            );
        }
        Ok(())
    }

    /// bwrap with what every sandbox has: namespaces, no capabilities, the
    /// system and the toolchain read-only, `/dev`, `/proc`, a capped
    /// `/tmp`, an empty environment.
    fn base(&self) -> Command {
        let mut command = Command::new(&self.bwrap);
        command.env_clear();
        let mut args: Vec<OsString> = Vec::new();
        let mut push =
            |items: &[&std::ffi::OsStr]| args.extend(items.iter().map(|s| s.to_os_string()));
        push(&[
            "--unshare-all".as_ref(),
            // A user namespace of its own, as a user without capabilities
            // even when the grader is root.
            "--unshare-user".as_ref(),
            "--uid".as_ref(),
            "1000".as_ref(),
            "--gid".as_ref(),
            "1000".as_ref(),
            "--die-with-parent".as_ref(),
            "--new-session".as_ref(),
            "--cap-drop".as_ref(),
            "ALL".as_ref(),
            "--ro-bind".as_ref(),
            "/usr".as_ref(),
            "/usr".as_ref(),
        ]);
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64"] {
            match std::fs::read_link(top) {
                Ok(to) => push(&["--symlink".as_ref(), to.as_os_str(), top.as_ref()]),
                Err(_) => push(&["--ro-bind-try".as_ref(), top.as_ref(), top.as_ref()]),
            }
        }
        for etc in ETC {
            push(&["--ro-bind-try".as_ref(), etc.as_ref(), etc.as_ref()]);
        }
        let size = TMP_BYTES.to_string();
        push(&[
            "--dev".as_ref(),
            "/dev".as_ref(),
            "--proc".as_ref(),
            "/proc".as_ref(),
            "--size".as_ref(),
            size.as_ref(),
            "--tmpfs".as_ref(),
            "/tmp".as_ref(),
            "--ro-bind".as_ref(),
            self.sysroot.as_os_str(),
            self.sysroot.as_os_str(),
            // The jail's bwrap, at the same path inside.
            "--ro-bind".as_ref(),
            self.bwrap.as_os_str(),
            self.bwrap.as_os_str(),
        ]);
        command.args(args);
        command
    }

    /// `cargo build --keep-going -p PACKAGE… --bins --test FILE…` over
    /// `work`, into `target`, offline, with JSON messages on stdout: the
    /// programs of the `packages` and their test files `tests` (one
    /// package's compile error stops that package only). For the cache
    /// (`for_cache`), `cargo test --no-run -p PACKAGE… --test FILE…`,
    /// which builds the same programs (for the tests) without rewriting
    /// their dep-info files at the top of the target folder each run.
    pub fn build_command(
        &self,
        work: &Path,
        target: &Path,
        (packages, tests): (&[String], &[&str]),
        for_cache: bool,
    ) -> Command {
        let mut command = self.base();
        command.arg("--size").arg(TMP_BYTES.to_string());
        command.args(["--tmpfs", CARGO_HOME, "--ro-bind"]);
        command
            .arg(&self.registry)
            .arg(format!("{CARGO_HOME}/registry"));
        command.arg("--ro-bind").arg(work).arg(WORK);
        command.arg("--bind").arg(target).arg(TARGET);
        command.args(["--chdir", WORK]);
        for (key, value) in build_env(&self.sysroot) {
            command.arg("--setenv").arg(key).arg(value);
        }
        // Builds run niced: with several submissions graded at once
        // (`--jobs`), one's build takes only the CPU time another's
        // judging leaves (its scenarios wait on the programs under test
        // within deadlines, and must not wait behind a compiler).
        command.args(["--", "/usr/bin/nice", "-n", BUILD_NICENESS]);
        command.arg(&self.cargo);
        if for_cache {
            command.args(["test", "--frozen", "--offline", "--no-run"]);
        } else {
            command.args(["build", "--frozen", "--offline", "--keep-going", "--bins"]);
        }
        for package in packages {
            command.args(["--package", package]);
        }
        for test in tests {
            command.args(["--test", test]);
        }
        command.args(["--color", "never", "--message-format", "json"]);
        command
    }

    /// Runs test binaries of a lab in a sandbox: `binds` are the files
    /// it sees at their path under [`TARGET`] (read-only: the judges from
    /// the dependency cache, the lab's programs from the submission's
    /// target), `run` the test binaries to run (paths inside), one after
    /// the other, in the lab's folder `lab_dir` (relative to the work
    /// copy); programs under test are jailed. With `verdicts` (stories and
    /// properties), the host folder that receives the verdict files;
    /// without (a unit test file, lab 5's `frame`), nothing is writable but
    /// `/tmp` and the jails' disks, and libtest's output is the verdict.
    pub fn run_command(
        &self,
        work: &Path,
        (binds, run): (&[(PathBuf, String)], &[&str]),
        verdicts: Option<&Path>,
        lab_dir: &Path,
        (threads, seed): (usize, u64),
    ) -> Command {
        let mut command = self.base();
        command.arg("--ro-bind").arg(work).arg(WORK);
        for (host, inside) in binds {
            command.arg("--ro-bind").arg(host).arg(inside);
        }
        if let Some(verdicts) = verdicts {
            command.arg("--bind").arg(verdicts).arg(VERDICTS);
        }
        // The jailed programs' disks, each its own capped tmpfs, seen by
        // the judge (`harness::jail`'s `disk.rs`).
        let size = harness::jail::SCRATCH_BYTES.to_string();
        for slot in 0..harness::jail::SLOTS {
            command.args(["--size", &size, "--tmpfs"]);
            command.arg(format!("{SCRATCH}/{slot}"));
        }
        command.arg("--chdir").arg(Path::new(WORK).join(lab_dir));
        for (key, value) in run_env(&self.bwrap, verdicts.is_some(), seed, self.pids.is_none()) {
            command.arg("--setenv").arg(key).arg(value);
        }
        // One test binary after the other, as `cargo test` runs them; the
        // shell is the sandbox's first process.
        let threads = format!("--test-threads={}", threads.max(1));
        let mut script = String::from("set +e");
        for (i, _) in run.iter().enumerate() {
            let _ = std::fmt::Write::write_fmt(
                &mut script,
                format_args!("; \"${}\" --quiet --color never {threads}", i + 1),
            );
        }
        if verdicts.is_none() {
            // A unit test file: libtest's human output is read, failures
            // and all.
            script = script.replace("--quiet ", "");
        }
        command.args(["--", "/bin/sh", "-c", &script, "sh"]);
        command.args(run);
        command
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_bwrap_grading_refuses_with_one_line_saying_how_to_install_it() {
        let refused = format!(
            "{:#}",
            Sandbox::find_on(Some("/nonexistent".into())).unwrap_err()
        );
        if cfg!(target_os = "linux") {
            assert_eq!(refused, INSTALL_LINE);
            assert!(refused.contains("apt-get install bubblewrap"));
        } else {
            assert!(refused.starts_with("grading needs Linux"), "{refused}");
        }
        assert_eq!(refused.lines().count(), 1);
    }
}
