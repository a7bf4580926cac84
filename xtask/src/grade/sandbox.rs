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
//! [`run_env`], nothing else.

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// The one line `grade` prints when bubblewrap is missing.
pub const INSTALL_LINE: &str = "grading runs every submission in a bubblewrap sandbox, and `bwrap` is not installed: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch)";

/// Where things are inside a sandbox.
pub const WORK: &str = "/grade/work";
pub const TARGET: &str = "/grade/target";
pub const VERDICTS: &str = "/grade/verdicts";
const CARGO_HOME: &str = "/grade/cargo-home";

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

/// The pid namespaces of every sandbox started by this process (as
/// `pid:[INODE]`), so a test can prove none of them has a process left.
static NAMESPACES: Mutex<Vec<(String, std::fs::File)>> = Mutex::new(Vec::new());

/// The pid namespaces of the sandboxes this process started (the latest
/// [`HELD_NAMESPACES`]), as `/proc/PID/ns/pid` names them.
pub fn namespaces() -> Vec<String> {
    NAMESPACES
        .lock()
        .map(|n| n.iter().map(|(name, _)| name.clone()).collect())
        .unwrap_or_default()
}

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
        if !cfg!(target_os = "linux") {
            bail!(
                "grading needs Linux: submissions run in a bubblewrap sandbox, which exists on Linux only (grade on a Linux machine or in CI; `--unsafe-no-sandbox` is for trusted code only)"
            );
        }
        let bwrap = find_in_path("bwrap").context(INSTALL_LINE)?;
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
            pids: pids_root(),
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

    /// `cargo test -p PACKAGE --test scenarios --no-run` over `work`, into
    /// `target`, offline, with JSON messages on stdout.
    pub fn build_command(&self, work: &Path, target: &Path, package: &str) -> Command {
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
        command.arg("--").arg(&self.cargo);
        command.args([
            "test",
            "--frozen",
            "--offline",
            "--package",
            package,
            "--test",
            "scenarios",
            "--no-run",
            "--color",
            "never",
            "--message-format",
            "json-render-diagnostics",
        ]);
        command
    }

    /// Runs a lab's scenario test (the judge): `executables` are the paths
    /// under [`TARGET`] that cargo reported (the test binary, under
    /// `deps/`, and the lab's programs), bound read-only from the host
    /// folder `target`; it runs in the lab's folder `lab_dir` (relative to
    /// the work copy), its verdicts going to the host folder `verdicts`.
    pub fn run_command(
        &self,
        work: &Path,
        target: &Path,
        executables: &[String],
        verdicts: &Path,
        lab_dir: &Path,
        threads: usize,
    ) -> Command {
        let mut command = self.base();
        command.arg("--ro-bind").arg(work).arg(WORK);
        for exe in executables {
            let rel = exe
                .strip_prefix(TARGET)
                .unwrap_or(exe)
                .trim_start_matches('/');
            command.arg("--ro-bind").arg(target.join(rel)).arg(exe);
        }
        command.arg("--bind").arg(verdicts).arg(VERDICTS);
        command.arg("--chdir").arg(Path::new(WORK).join(lab_dir));
        for (key, value) in run_env(&self.bwrap) {
            command.arg("--setenv").arg(key).arg(value);
        }
        let test = executables
            .iter()
            .find(|e| e.contains("/deps/"))
            .cloned()
            .unwrap_or_default();
        command.arg("--").arg(test);
        command.args(["--quiet", "--color", "never"]);
        command.arg(format!("--test-threads={}", threads.max(1)));
        command
    }

    /// Brings the dependency cache up to date: the starter in `work`
    /// built into `cache` for each package, then every file made
    /// read-only.
    ///
    /// # Errors
    ///
    /// The starter does not build (the instructor's copy is broken).
    pub fn prepare_cache(
        &self,
        work: &Path,
        cache: &Path,
        packages: &[String],
        deadline: Duration,
    ) -> Result<()> {
        std::fs::create_dir_all(cache)
            .with_context(|| format!("could not create {}", cache.display()))?;
        set_read_only(cache, false)?;
        for package in packages {
            let done = run_captured(
                self.build_command(work, cache, package),
                deadline,
                self.pids.as_deref(),
            )?;
            if !done.status.is_some_and(|s| s.success()) {
                bail!(
                    "the starter's {package} does not build in the sandbox:\n{}",
                    crate::runner::first_compiler_error(&done.stderr)
                );
            }
        }
        set_read_only(cache, true)
    }
}

/// The environment of a build, in one place: the toolchain, cargo's home
/// inside the sandbox, snapshots never written.
pub fn build_env(sysroot: &Path) -> Vec<(&'static str, OsString)> {
    let mut path = sysroot.join("bin").into_os_string();
    path.push(":/usr/bin:/bin");
    vec![
        ("PATH", path),
        ("HOME", "/tmp".into()),
        ("CARGO_HOME", CARGO_HOME.into()),
        ("CARGO_TARGET_DIR", TARGET.into()),
        ("CARGO_INCREMENTAL", "0".into()),
        ("CARGO_TERM_COLOR", "never".into()),
        ("CI", "true".into()),
        ("INSTA_UPDATE", "no".into()),
    ]
}

/// The environment of a run, in one place: where verdicts go, snapshots
/// read and never written, programs under test jailed.
pub fn run_env(bwrap: &Path) -> Vec<(&'static str, OsString)> {
    vec![
        ("PATH", "/usr/bin:/bin".into()),
        ("HOME", "/tmp".into()),
        ("TMPDIR", "/tmp".into()),
        ("CI", "true".into()),
        ("INSTA_UPDATE", "no".into()),
        ("INSTA_WORKSPACE_ROOT", WORK.into()),
        ("RUST_BACKTRACE", "0".into()),
        (harness::report::REPORT_DIR_ENV, VERDICTS.into()),
        (harness::jail::JAIL_ENV, bwrap.as_os_str().to_owned()),
    ]
}

/// Gives every file under `dir` write permission for its owner, or takes
/// every write permission away.
fn set_read_only(dir: &Path, read_only: bool) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let kind = entry.file_type()?;
        if kind.is_dir() {
            set_read_only(&entry.path(), read_only)?;
        } else if kind.is_file() {
            let mut perms = entry.metadata()?.permissions();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = perms.mode();
                perms.set_mode(if read_only {
                    mode & !0o222
                } else {
                    mode | 0o200
                });
            }
            #[cfg(not(unix))]
            perms.set_readonly(read_only);
            std::fs::set_permissions(entry.path(), perms)?;
        }
    }
    Ok(())
}

/// How a cache entry goes into a submission's own target folder.
#[derive(Debug, PartialEq, Eq)]
enum Take {
    /// A hard link (read-only, shared).
    Link,
    /// A copy the submission's build may rewrite.
    Copy,
    /// Left out: the submission's build makes its own.
    Skip,
}

/// Whether `name` is a lab's own output (`lab01-server`, `lab01_server-…`,
/// `liblab05_framing-…`, `lab01-tcp-once-…`).
fn lab_named(name: &str) -> bool {
    let lab = |s: &str| {
        s.strip_prefix("lab").is_some_and(|rest| {
            rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_digit)
        })
    };
    lab(name) || name.strip_prefix("lib").is_some_and(lab)
}

/// What a submission's target folder takes of the cache entry `name` in
/// the folder `parent`. The programs (and library) of a lab are built
/// from the student's code, so the starter's are left out; the scenario
/// test is the instructor's and is linked, its fingerprints copied, so
/// cargo relinks it only when it must (a lab with a library); cargo's
/// lock is the build's own.
fn take(parent: &Path, name: &str) -> Take {
    if name == ".cargo-lock" {
        return Take::Skip;
    }
    let in_fingerprints = parent.file_name().is_some_and(|p| p == ".fingerprint");
    if in_fingerprints && lab_named(name) {
        // One folder per unit: the test's has `test-…` files.
        let test = std::fs::read_dir(parent.join(name)).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("test-"))
        });
        return if test { Take::Copy } else { Take::Skip };
    }
    if lab_named(name) {
        Take::Skip
    } else {
        Take::Link
    }
}

/// A submission's own target folder: hard links to the cache's files,
/// without the labs' programs.
///
/// # Errors
///
/// The folder cannot be written.
pub fn private_target(cache: &Path, into: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(into);
    fn link(from: &Path, to: &Path, copy: bool) -> Result<()> {
        std::fs::create_dir_all(to)
            .with_context(|| format!("could not create {}", to.display()))?;
        for entry in std::fs::read_dir(from)?.flatten() {
            let name = entry.file_name();
            let how = if copy {
                Take::Copy
            } else {
                take(from, &name.to_string_lossy())
            };
            let (path, dest) = (entry.path(), to.join(&name));
            let kind = entry.file_type()?;
            match how {
                Take::Skip => {}
                _ if kind.is_dir() => link(&path, &dest, how == Take::Copy)?,
                Take::Link if kind.is_file() => std::fs::hard_link(&path, &dest)
                    .with_context(|| format!("could not link {}", path.display()))?,
                Take::Copy if kind.is_file() => {
                    std::fs::copy(&path, &dest)
                        .with_context(|| format!("could not copy {}", path.display()))?;
                    let mut perms = std::fs::metadata(&dest)?.permissions();
                    #[allow(clippy::permissions_set_readonly_false)]
                    perms.set_readonly(false);
                    std::fs::set_permissions(&dest, perms)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
    link(cache, into, false)
}

/// What a sandboxed command did.
pub struct Captured {
    /// `None`: the deadline passed and the sandbox was killed.
    pub status: Option<ExitStatus>,
    /// Its stdout (capped), without bwrap's status lines.
    pub stdout: String,
    /// Its stderr (capped).
    pub stderr: String,
    /// The process-count limit refused a fork.
    pub too_many_processes: bool,
}

/// The most output kept from a sandboxed command, per stream.
const CAPTURE_LIMIT: u64 = 4 << 20;

/// Runs a sandbox (stdin closed, stdout and stderr captured up to a cap)
/// and kills it when `deadline` passes: killing bwrap ends the sandbox's
/// PID namespace, and every process in it.
///
/// # Errors
///
/// bwrap could not be started.
pub fn run_captured(
    mut command: Command,
    deadline: Duration,
    pids: Option<&Path>,
) -> Result<Captured> {
    let limit = pids.and_then(ProcessLimit::new);
    // bwrap reports the sandbox's namespaces as a JSON line on a file
    // descriptor of the grader's choosing, closed inside the sandbox: a
    // shell hands it bwrap's stderr, and the first such line is taken
    // out of it. Its PID namespace is recorded for the no-process-left
    // check.
    // With a process limit, the shell first moves itself into the
    // sandbox's own pids cgroup: everything the sandbox starts is counted.
    let script = match &limit {
        Some(limit) => format!(
            "echo $$ > '{}/cgroup.procs' && exec \"$0\" --json-status-fd 3 \"$@\" 3>&2",
            limit.dir.display()
        ),
        None => "exec \"$0\" --json-status-fd 3 \"$@\" 3>&2".to_owned(),
    };
    let mut with_status = Command::new("/bin/sh");
    with_status
        .env_clear()
        .args(["-c", &script])
        .arg(command.get_program())
        .args(command.get_args());
    command = with_status;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().context("could not run bwrap")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let stderr = child.stderr.take().context("no stderr")?;
    let out_reader = std::thread::spawn(move || capped(stdout));
    let err_reader = std::thread::spawn(move || {
        // Line by line: the status line is handled while the sandbox runs.
        let mut reader = std::io::BufReader::new(stderr);
        let mut kept = Vec::new();
        let mut line = Vec::new();
        let mut recorded = false;
        loop {
            line.clear();
            match std::io::BufRead::read_until(&mut reader, b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if line.starts_with(b"{ \"child-pid\"") || line.starts_with(b"{ \"exit-code\"") {
                if !recorded {
                    record_namespace(&String::from_utf8_lossy(&line));
                    recorded = true;
                }
                continue;
            }
            if (kept.len() as u64) < CAPTURE_LIMIT {
                kept.extend_from_slice(&line);
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    });
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = match rx.recv_timeout(deadline) {
        Ok(status) => Some(status.context("could not wait for bwrap")?),
        Err(_) => {
            // bwrap's sandbox dies with it (--die-with-parent), and with
            // the namespace's first process, every process inside.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = rx.recv_timeout(Duration::from_secs(10));
            None
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let too_many_processes = limit.as_ref().is_some_and(ProcessLimit::reached);
    Ok(Captured {
        status,
        stdout,
        stderr,
        too_many_processes,
    })
}

/// The most processes and threads one sandbox may hold at once (the judge's
/// threads and every program under test included).
pub const MAX_TASKS: u32 = 512;

/// A pids cgroup of one sandbox, removed when dropped.
struct ProcessLimit {
    dir: PathBuf,
}

impl ProcessLimit {
    fn new(root: &Path) -> Option<ProcessLimit> {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = root.join(format!("socket-labs-{}-{n}", std::process::id()));
        std::fs::create_dir(&dir).ok()?;
        let limit = ProcessLimit { dir };
        std::fs::write(limit.dir.join("pids.max"), MAX_TASKS.to_string()).ok()?;
        Some(limit)
    }

    /// Whether a fork was refused for the limit (`pids.events`: `max N`).
    fn reached(&self) -> bool {
        std::fs::read_to_string(self.dir.join("pids.events")).is_ok_and(|events| {
            events.lines().any(|l| {
                l.strip_prefix("max ")
                    .is_some_and(|n| n.trim().parse::<u64>().is_ok_and(|n| n > 0))
            })
        })
    }
}

impl Drop for ProcessLimit {
    fn drop(&mut self) {
        // Empty once the sandbox's PID namespace is gone; the kernel may
        // still be reaping it, so one more try later is not needed: an
        // empty cgroup left behind holds nothing.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// A pids cgroup this process can create children in: cgroup v1's
/// `pids` hierarchy, or this process's own v2 cgroup when it delegates
/// the `pids` controller. `None` elsewhere (most non-root graders, where
/// the programs' `RLIMIT_NPROC` counts per sandbox instead).
fn pids_root() -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("/sys/fs/cgroup/pids")];
    if let Ok(own) = std::fs::read_to_string("/proc/self/cgroup") {
        if let Some(path) = own.lines().find_map(|l| l.strip_prefix("0::")) {
            candidates.push(Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/')));
        }
    }
    candidates.into_iter().find(|dir| {
        let probe = dir.join(format!("socket-labs-probe-{}", std::process::id()));
        let usable = std::fs::create_dir(&probe).is_ok()
            && probe.join("pids.max").exists()
            && std::fs::write(probe.join("pids.max"), "64").is_ok();
        let _ = std::fs::remove_dir(&probe);
        usable
    })
}

/// Reads a stream to its end, keeping at most [`CAPTURE_LIMIT`] bytes.
fn capped(mut stream: impl Read) -> String {
    let mut text = Vec::new();
    let _ = stream.by_ref().take(CAPTURE_LIMIT).read_to_end(&mut text);
    let _ = std::io::copy(&mut stream, &mut std::io::sink());
    String::from_utf8_lossy(&text).into_owned()
}

/// Records the PID namespace of bwrap's status line
/// `{ "child-pid": 12, …, "pid-namespace": 4026532184, … }`, and holds it
/// open: a namespace's number is reused once it is freed, and a held one
/// is not, so [`namespaces`] never names another program's.
fn record_namespace(line: &str) {
    let Ok(status) = serde_json::from_str::<serde_json::Value>(line) else {
        return;
    };
    let (Some(pid), Some(ns)) = (
        status["child-pid"].as_u64(),
        status["pid-namespace"].as_u64(),
    ) else {
        return;
    };
    // The sandbox may be gone already (then so is everything in it).
    let Ok(held) = std::fs::File::open(format!("/proc/{pid}/ns/pid")) else {
        return;
    };
    if let Ok(mut all) = NAMESPACES.lock() {
        if all.len() >= HELD_NAMESPACES {
            all.remove(0);
        }
        all.push((format!("pid:[{ns}]"), held));
    }
}

/// How many sandboxes' namespaces are held (the latest ones).
const HELD_NAMESPACES: usize = 2048;

/// A compiler message cut to the student's own files: the code lines
/// rustc quotes from any other file (the instructor's tests, the harness,
/// another lab, a dependency) are left out, the location stays.
pub fn own_lines_only(message: &str, own: &str) -> String {
    let mut out = Vec::new();
    let mut theirs = true;
    for line in message.lines() {
        let trimmed = line.trim_start();
        if let Some(location) = trimmed
            .strip_prefix("--> ")
            .or_else(|| trimmed.strip_prefix("::: "))
        {
            let path = location
                .trim()
                .trim_start_matches(WORK)
                .trim_start_matches('/');
            theirs = path.starts_with(own);
            out.push(if theirs {
                line.to_owned()
            } else {
                format!("{line} (not your file: its lines are not shown)")
            });
            continue;
        }
        // rustc's quoted source: `12 |     code`, `   |     ^^^`.
        let quoted = trimmed
            .split_once('|')
            .is_some_and(|(n, _)| n.trim().chars().all(|c| c.is_ascii_digit()));
        if quoted && !theirs {
            continue;
        }
        out.push(line.to_owned());
    }
    out.join("\n")
}

/// The executables cargo reported building (`"executable":"…"` of its
/// JSON messages), as paths inside the sandbox.
pub fn executables(json: &str) -> Vec<String> {
    json.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|v| v["reason"] == "compiler-artifact")
        .filter_map(|v| v["executable"].as_str().map(str::to_owned))
        .collect()
}

/// The first program named `name` on `PATH`.
fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Builds `lab` from the grading copy `work` into the submission's own
/// `target`, then runs its scenarios; both in sandboxes, both within one
/// `deadline`. The verdicts are read from `verdicts` once the sandbox is
/// gone.
///
/// # Errors
///
/// bwrap could not be started, or a folder of the grader's could not be
/// written. A lab that does not build or fails is an `Ok` outcome.
pub fn run_lab(
    sandbox: &Sandbox,
    work: &Path,
    target: &Path,
    verdicts: &Path,
    lab: &crate::labs::Lab,
    deadline: Duration,
) -> Result<crate::runner::LabOutcome> {
    use crate::runner::LabOutcome;
    let started = std::time::Instant::now();
    let stopped = || {
        format!(
            "lab {}: stopped: building and running it took more than {} s (the lab deadline, `--lab-timeout`)",
            lab.number,
            deadline.as_secs()
        )
    };
    let built = run_captured(
        sandbox.build_command(work, target, &lab.package()),
        deadline,
        sandbox.pids.as_deref(),
    )?;
    match built.status {
        Some(status) if status.success() => {}
        Some(_) => {
            let error = crate::runner::first_compiler_error(&built.stderr);
            let own = format!("{}/src/", lab.dir().to_string_lossy().replace('\\', "/"));
            return Ok(LabOutcome::DoesNotCompile(own_lines_only(&error, &own)));
        }
        None => {
            // Stopped like a run that takes too long: every scenario a
            // timeout, saying why.
            let timeouts = lab
                .scenarios
                .iter()
                .map(|s| harness::report::Verdict {
                    scenario: s.name.clone(),
                    status: harness::report::Status::Timeout,
                    message: stopped(),
                    expected: String::new(),
                    actual: String::new(),
                })
                .collect();
            return Ok(LabOutcome::Ran(timeouts));
        }
    }
    let executables = executables(&built.stdout);

    let _ = std::fs::remove_dir_all(verdicts);
    std::fs::create_dir_all(verdicts)
        .with_context(|| format!("could not create {}", verdicts.display()))?;
    let left = deadline.saturating_sub(started.elapsed());
    let ran = run_captured(
        sandbox.run_command(
            work,
            target,
            &executables,
            verdicts,
            &lab.dir(),
            lab.scenarios.len().clamp(1, 16),
        ),
        left,
        sandbox.pids.as_deref(),
    )?;
    let mut verdicts = crate::runner::read_verdicts(lab, verdicts);
    if ran.too_many_processes {
        let line = format!(
            "lab {}: stopped: started more than {MAX_TASKS} processes and threads at once",
            lab.number
        );
        for verdict in verdicts
            .iter_mut()
            .filter(|v| v.status != harness::report::Status::Pass)
        {
            verdict.message = format!("{line}; {}", verdict.message);
        }
    }
    if ran.status.is_none() {
        for verdict in &mut verdicts {
            if verdict.expected.is_empty() && verdict.actual.is_empty() {
                verdict.status = harness::report::Status::Timeout;
                verdict.message = stopped();
            }
        }
    }
    Ok(LabOutcome::Ran(verdicts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_messages_quote_only_the_students_files() {
        let message = "error[E0061]: this function takes 2 arguments but 1 argument was supplied
  --> labs/01-tcp-once/tests/scenarios.rs:12:5
   |
12 |     secret_test_code(1);
   |     ^^^^^^^^^^^^^^^^---
note: function defined here
  --> labs/01-tcp-once/src/bin/lab01-server.rs:3:4
   |
3  | fn mine(a: u8, b: u8) {}
   |    ^^^^";
        let cut = own_lines_only(message, "labs/01-tcp-once/src/");
        assert!(!cut.contains("secret_test_code"), "{cut}");
        assert!(cut.contains("scenarios.rs:12:5 (not your file: its lines are not shown)"));
        assert!(cut.contains("3  | fn mine(a: u8, b: u8) {}"), "{cut}");
    }

    #[test]
    fn the_labs_programs_are_never_shared() {
        let deps = Path::new("cache/debug/deps");
        for name in [
            "lab01_server-0123.d",
            "lab01_server-0123",
            "liblab05_framing-99.rlib",
        ] {
            assert_eq!(take(deps, name), Take::Skip, "{name}");
        }
        assert_eq!(take(Path::new("cache/debug"), "lab01-server"), Take::Skip);
        assert_eq!(take(Path::new("cache/debug"), ".cargo-lock"), Take::Skip);
        for name in [
            "scenarios-72ac",
            "labkit-12.d",
            "liblabkit-1.rlib",
            "harness-3",
        ] {
            assert_eq!(take(deps, name), Take::Link, "{name}");
        }
        // A fingerprint folder that does not exist holds no test: a
        // program's, left out.
        let fingerprints = Path::new("cache/debug/.fingerprint");
        assert_eq!(take(fingerprints, "lab01-tcp-once-c9aa"), Take::Skip);
        assert_eq!(take(fingerprints, "labkit-c9aa"), Take::Link);
    }

    #[test]
    fn bwrap_status_lines_are_read() {
        let before = namespaces().len();
        record_namespace(
            "{ \"child-pid\": 42, \"pid-namespace\": 4026532184, \"uts-namespace\": 1 }\n",
        );
        assert_eq!(namespaces()[before..], ["pid:[4026532184]".to_owned()]);
    }
}
