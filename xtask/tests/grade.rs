//! `cargo xtask grade` on a class of broken submissions: each one gets the
//! right verdict and score, grading goes on after each, no process of a
//! submission is left running, the grader's memory stays bounded, and the
//! reports are exactly as expected.
//!
//! The submissions are the folders of `tests/fixtures/submissions/` (only
//! the files a student changed: grading lays them over the instructor's
//! workspace), plus entries made here: an empty folder, a stray file, a
//! corrupt archive, a zip-slip archive, an archive bomb, and a `.zip` and a
//! `.tar.gz` of good submissions. Only lab 1 is graded (`--labs 1`): it is
//! enough to meet every broken kind, and keeps the test short (about 20 s).
//! Then one submission is graded in Exercism's and Gradescope's formats,
//! and one with a lab deadline shorter than its scenarios.

mod results_spec;

use pretty_assertions::assert_eq;
use std::io::Write;
use std::path::{Path, PathBuf};
use xtask::grade::{self, Options, StudentGrade};
use xtask::labs::{Info, workspace_root};
use xtask::model::status_word;

fn fixtures() -> PathBuf {
    workspace_root()
        .unwrap()
        .join("xtask/tests/fixtures/submissions")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The files of a fixture folder, relative, `/`-separated.
fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &rel, out);
            } else {
                out.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, content) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
}

fn write_tar_gz(path: &Path, entries: &[(String, Vec<u8>)]) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    for (name, content) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, &content[..]).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

/// The submissions folder: the fixtures, and the entries made here.
fn class(dir: &Path) -> PathBuf {
    let submissions = dir.join("submissions");
    let _ = std::fs::remove_dir_all(&submissions);
    copy_dir(&fixtures(), &submissions);
    std::fs::create_dir_all(submissions.join("kim-empty")).unwrap();
    std::fs::write(submissions.join("stray.txt"), "not a submission\n").unwrap();
    std::fs::write(
        submissions.join("leo-corrupt.zip"),
        b"PK\x03\x04 this is not a zip",
    )
    .unwrap();

    // mallory: a zip of alice's files inside a top folder, as GitHub's
    // "Download ZIP" makes them.
    let alice = files_of(&fixtures().join("alice-correct"));
    let wrapped: Vec<(String, Vec<u8>)> = alice
        .iter()
        .map(|(p, c)| (format!("socket-labs-main/{p}"), c.clone()))
        .collect();
    write_zip(&submissions.join("mallory.zip"), &wrapped);
    // nina: a .tar.gz of erin's files.
    write_tar_gz(
        &submissions.join("nina.tar.gz"),
        &files_of(&fixtures().join("erin-panic")),
    );
    // oscar: a zip whose entry climbs out of the folder (zip-slip).
    let mut slip = alice.clone();
    slip.push((
        "../../oscar-was-here.rs".to_owned(),
        b"// escaped\n".to_vec(),
    ));
    write_zip(&submissions.join("oscar-zipslip.zip"), &slip);
    // pat: an archive bomb, 8 MiB of zeros in a few KiB.
    let mut bomb = alice;
    bomb.push((
        "labs/01-tcp-once/src/bin/big.rs".to_owned(),
        vec![0u8; 8 << 20],
    ));
    write_zip(&submissions.join("pat-bomb.zip"), &bomb);
    attacks_made_here(&submissions);
    submissions
}

/// alice's server with `code` run first in `main` (after the address is
/// read), and `items` added to the file.
fn alice_server_with(code: &str, items: &str) -> Vec<u8> {
    let server = std::fs::read_to_string(
        fixtures().join("alice-correct/labs/01-tcp-once/src/bin/lab01-server.rs"),
    )
    .unwrap();
    let hook = "        let addr = labkit::addr_arg(DEFAULT_ADDR)?;\n";
    assert!(server.contains(hook));
    let server = server.replacen(hook, &format!("{hook}{code}"), 1);
    format!("{server}\n{items}").into_bytes()
}

/// A submission of alice's files with the server replaced.
fn alice_with_server(dir: &Path, server: &[u8]) {
    copy_dir(&fixtures().join("alice-correct"), dir);
    std::fs::write(dir.join("labs/01-tcp-once/src/bin/lab01-server.rs"), server).unwrap();
}

/// The instructor's files an attack aims at: a solution of another lab
/// and the instructor's own built server of lab 1. Their paths are this
/// machine's, so these submissions are made here.
fn instructor_secrets() -> [PathBuf; 2] {
    let root = workspace_root().unwrap();
    [
        root.join("labs/02-tcp-loop/src/bin/lab02-server.rs"),
        xtask::runner::target_dir(&root).join("debug/lab01-server"),
    ]
}

fn attacks_made_here(submissions: &Path) {
    let [solution, binary] = instructor_secrets();
    // sam reads the instructor's solution and built server, and runs the
    // latter; anything it gets is printed first (and fails the lab).
    let code = format!(
        "        for path in [{solution:?}, {binary:?}] {{\n\
         \x20           if let Ok(bytes) = std::fs::read(path) {{\n\
         \x20               println!(\"LEAKED {{}} bytes of {{path}}\", bytes.len());\n\
         \x20           }}\n\
         \x20       }}\n\
         \x20       if std::process::Command::new({binary:?}).arg(\"127.0.0.1:1\").output().is_ok() {{\n\
         \x20           println!(\"RAN the instructor's server\");\n\
         \x20       }}\n"
    );
    alice_with_server(
        &submissions.join("sam-reads-solutions"),
        &alice_server_with(&code, ""),
    );
    // tina makes the compiler quote the solution in its error message.
    alice_with_server(
        &submissions.join("tina-leaks-compile-error"),
        &alice_server_with(
            "",
            &format!("compile_error!(include_str!({solution:?}));\n"),
        ),
    );
    // zz: a correct submission graded after every attack.
    copy_dir(
        &fixtures().join("alice-correct"),
        &submissions.join("zz-correct-after-the-attacks"),
    );

    // Archives and ids. ulla: `tar czf s.tar.gz -C copy .` (entries start
    // with `./`), with a target/ folder inside.
    let mut dotted: Vec<(String, Vec<u8>)> = files_of(&fixtures().join("alice-correct"))
        .into_iter()
        .map(|(p, c)| (format!("./{p}"), c))
        .collect();
    dotted.push(("./target/debug/big".to_owned(), vec![0u8; 8 << 20]));
    write_tar_gz(&submissions.join("ulla-dot-slash.tar.gz"), &dotted);
    // vera: a zip that also holds target/ (8 MiB, over the file cap).
    let mut with_target = files_of(&fixtures().join("alice-correct"));
    with_target.push(("target/debug/lab01-server".to_owned(), vec![0u8; 8 << 20]));
    write_zip(&submissions.join("vera-with-target.zip"), &with_target);
    // wim: a file whose name is not UTF-8 in a lab's src/.
    let wim = submissions.join("wim-non-utf8");
    copy_dir(&fixtures().join("alice-correct"), &wim);
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"notes-caf\xe9.txt");
        std::fs::write(wim.join("labs/01-tcp-once/src/bin").join(name), "notes\n").unwrap();
    }
    // dup, dup.zip and dup-2: three students (none of them a workspace, so
    // nothing is built).
    std::fs::create_dir_all(submissions.join("dup")).unwrap();
    std::fs::write(submissions.join("dup.zip"), b"not a zip").unwrap();
    std::fs::create_dir_all(submissions.join("dup-2")).unwrap();
}

fn student<'a>(grades: &'a [StudentGrade], id: &str) -> &'a StudentGrade {
    grades
        .iter()
        .find(|g| g.student == id)
        .unwrap_or_else(|| panic!("no grade for {id}"))
}

/// Each scenario's status, in the order of labs/info.toml.
fn statuses(grade: &StudentGrade) -> Vec<&'static str> {
    grade.labs[0]
        .scenarios
        .iter()
        .map(|s| status_word(s.status))
        .collect()
}

/// Processes still alive in a PID namespace of one of the grader's
/// sandboxes (each sandbox has its own; all of them must be gone).
fn processes_left() -> Vec<String> {
    let namespaces = grade::sandbox::namespaces();
    assert!(!namespaces.is_empty(), "the grader recorded no sandbox");
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        if let Ok(ns) = std::fs::read_link(entry.path().join("ns/pid")) {
            let ns = ns.to_string_lossy().into_owned();
            if namespaces.contains(&ns) {
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                let status =
                    std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
                // A sandbox's first process has ended, and with it every
                // other process of its namespace (the kernel kills and
                // reaps them first), but it can stay a zombie until the
                // machine's init collects it: it runs nothing.
                if status.lines().any(|l| {
                    l.starts_with("State:") && (l.contains("Z (zombie)") || l.contains("X (dead)"))
                }) {
                    continue;
                }
                let status: Vec<&str> = status
                    .lines()
                    .filter(|l| {
                        ["Name:", "State:", "PPid:", "NSpid:"]
                            .iter()
                            .any(|k| l.starts_with(k))
                    })
                    .collect();
                found.push(format!(
                    "{} {ns}: {} ({})",
                    entry.file_name().to_string_lossy(),
                    String::from_utf8_lossy(&cmdline).replace('\0', " "),
                    status.join(", ")
                ));
            }
        }
    }
    found
}

/// Every file below `dirs` with its length, modification time and inode:
/// any write to a file, or a file replaced, shows.
fn file_states(dirs: &[PathBuf]) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                walk(&entry.path(), out);
            } else {
                #[cfg(unix)]
                let inode = std::os::unix::fs::MetadataExt::ino(&meta);
                #[cfg(not(unix))]
                let inode = 0;
                out.push(format!(
                    "{} {} {:?} {inode}",
                    entry.path().display(),
                    meta.len(),
                    meta.modified().ok()
                ));
            }
        }
    }
    let mut out = Vec::new();
    for dir in dirs {
        walk(dir, &mut out);
    }
    out.sort();
    out
}

const SERVER: [&str; 6] = ["pass"; 6];
const CLIENT_PASS: [&str; 4] = ["pass"; 4];
/// Lab 1's scenarios: 6 server stories, 4 client stories, then the two
/// property scenarios (server, client).
const SCENARIOS: usize = 12;

/// The statuses of lab 1's stories, server then client, then of its
/// property scenarios: the server's as `server_property`, the client's
/// passing.
fn server_then_client(
    server: [&str; 6],
    client: [&str; 4],
    server_property: &str,
) -> Vec<&'static str> {
    with_client_property(server, client, server_property, "pass")
}

/// The server scenarios fail (a `todo!()`), the client ones pass.
fn client_todo_server() -> Vec<&'static str> {
    with_client_property(["fail"; 6], CLIENT_PASS, "fail", "pass")
}

fn with_client_property(
    server: [&str; 6],
    client: [&str; 4],
    server_property: &str,
    client_property: &str,
) -> Vec<&'static str> {
    let leak = |s: &str| -> &'static str {
        match s {
            "pass" => "pass",
            "fail" => "fail",
            "error" => "error",
            _ => "timeout",
        }
    };
    server
        .iter()
        .chain(client.iter())
        .chain([&server_property, &client_property])
        .map(|s| leak(s))
        .collect()
}

#[test]
fn a_class_of_broken_submissions_gets_the_right_verdicts() {
    let root = workspace_root().unwrap();
    let info = Info::load(&root).unwrap();
    let base = xtask::runner::target_dir(&root).join("socket-labs/grade-test");
    let dir = base.join("class");
    let submissions = class(&dir);
    let out = dir.join("report");
    let _ = std::fs::remove_dir_all(&out);
    let mut options = Options::new(&submissions, &out);
    options.labs = vec![1];
    options.work_base = Some(base.join("work"));
    options.lab_timeout = std::time::Duration::from_secs(90);
    // One seed for the class, recorded in grades.json and the feedback.
    options.seed = Some(4242);
    // Three at once: every attack is graded alongside honest submissions
    // (and one at a time below, for the same reports byte for byte).
    options.jobs = 3;
    if !cfg!(target_os = "linux") {
        // No sandbox outside Linux: grading refuses, it never runs
        // submissions unsandboxed.
        let refused = grade::grade(&root, &info, &options).unwrap_err();
        assert!(
            format!("{refused:#}").contains("grading needs Linux"),
            "{refused:#}"
        );
        return;
    }
    // What no submission may change: the instructor's copy (its sources,
    // tests, snapshots, metadata and built programs).
    let instructor = [
        root.join("labs"),
        root.join("crates"),
        root.join("xtask/src"),
        root.join("Cargo.toml"),
        root.join("Cargo.lock"),
        xtask::runner::target_dir(&root).join("debug/lab01-server"),
    ];
    let before = file_states(&instructor);

    let grades = grade::grade(&root, &info, &options).unwrap();

    let ids: Vec<&str> = grades.iter().map(|g| g.student.as_str()).collect();
    assert_eq!(
        ids,
        [
            "alice-correct",
            "bob-partial",
            "carol-compile-error",
            "dave-infinite-loop",
            "dup",
            "dup-2",
            "dup.zip",
            "erin-panic",
            "frank-silent",
            "grace-flood",
            "heidi-orphans",
            "ivan-fixed-port",
            "judy-edited-tests",
            "kim-empty",
            "leo-corrupt",
            "mallory",
            "mike-forges-verdicts",
            "nina",
            "nora-kills-everything",
            "olga-poisons-target",
            "oscar-zipslip",
            "pat-bomb",
            "peggy-rewrites-snapshots",
            "quinn-daemon",
            "rita-writes-instructor",
            "sam-reads-solutions",
            "stray.txt",
            "tina-leaks-compile-error",
            "ulla-dot-slash",
            "vera-with-target",
            "victor-disk-bomb",
            "wim-non-utf8",
            "xavier-memory-bomb",
            "yara-build-script",
            "yuri-fork-bomb",
            "zz-correct-after-the-attacks",
        ]
    );

    let full = server_then_client(SERVER, CLIENT_PASS, "pass");
    assert_eq!(statuses(student(&grades, "alice-correct")), full);
    assert_eq!(statuses(student(&grades, "mallory")), full);
    assert_eq!(statuses(student(&grades, "heidi-orphans")), full);
    // judy edited the tests and snapshots to pass anything: the
    // instructor's were used, and her edits are listed as ignored.
    assert_eq!(statuses(student(&grades, "judy-edited-tests")), full);

    let client_todo = with_client_property(SERVER, ["fail"; 4], "pass", "fail");
    let bob = student(&grades, "bob-partial");
    assert_eq!(statuses(bob), client_todo);
    assert!(
        bob.labs[0].scenarios[6]
            .message
            .contains("not done yet: todo!()")
    );

    let carol = student(&grades, "carol-compile-error");
    assert_eq!(carol.labs[0].state.as_str(), "does not compile");
    assert!(
        carol.labs[0]
            .compile_error
            .as_deref()
            .unwrap_or("")
            .starts_with("error[E0308]"),
        "{:?}",
        carol.labs[0].compile_error
    );
    assert_eq!(statuses(carol), ["error"; SCENARIOS]);

    assert_eq!(
        statuses(student(&grades, "dave-infinite-loop")),
        // Its server spins: where a story first waits for it to sleep in
        // `recv` the harness reports a busy loop (a failure); where it
        // waits for a line, the step times out.
        server_then_client(
            ["fail", "fail", "fail", "fail", "timeout", "timeout"],
            CLIENT_PASS,
            "timeout"
        )
    );
    for id in ["erin-panic", "nina"] {
        let erin = student(&grades, id);
        // Its bug panics whenever a message arrives; a client that sends
        // nothing reads 0 bytes, and then the slice fits: a plain failure.
        // A reset is an error before any slice: that story passes.
        assert_eq!(
            statuses(erin),
            server_then_client(
                ["error", "error", "error", "error", "fail", "pass"],
                CLIENT_PASS,
                "error"
            ),
            "{id}"
        );
        assert!(
            erin.labs[0].scenarios[0]
                .message
                .starts_with("the program panicked"),
            "{id}"
        );
    }
    assert_eq!(
        statuses(student(&grades, "frank-silent")),
        server_then_client(["timeout"; 6], CLIENT_PASS, "timeout")
    );
    // grace's server prints 100 MB before it replies. The harness drains
    // and caps it, so the reply comes (a `fail`: the transcript shows the
    // cut output), unless the machine is so loaded that moving 100 MB
    // through a pipe takes longer than the 2 s step deadline (a `timeout`).
    // Both are a verdict worth 0 points, so grades.csv is the same.
    let grace = student(&grades, "grace-flood");
    let grace_statuses = statuses(grace);
    assert!(
        grace_statuses[..6]
            .iter()
            .chain(&grace_statuses[10..11])
            .all(|s| matches!(*s, "fail" | "timeout")),
        "{grace_statuses:?}"
    );
    assert_eq!(grace_statuses[6..10], CLIENT_PASS);
    assert_eq!(grace_statuses[11], "pass");
    assert_eq!(
        grace.labs[0].points, 7,
        "the client scenarios' points only (four stories, one property)"
    );
    // When the reply came (a `fail`), the whole flood went by and the
    // transcript says where it was cut; when the deadline passed first (a
    // loaded machine: the flooding program itself is starved of CPU), it
    // says what it was waiting for.
    let first = &grace.labs[0].scenarios[0];
    let expected_line = if grace_statuses[0] == "fail" {
        "more output on stdout was cut: the harness keeps 64 KiB"
    } else {
        "timed out after 2s waiting for 9 bytes from lab01-server"
    };
    assert!(
        first.diff_text().contains(expected_line),
        "{}",
        first.diff_text()
    );
    let ivan = student(&grades, "ivan-fixed-port");
    assert_eq!(
        statuses(ivan),
        server_then_client(["fail"; 6], CLIENT_PASS, "fail")
    );

    let judy = student(&grades, "judy-edited-tests");
    assert_eq!(
        judy.ignored_changes,
        [
            "changed labs/01-tcp-once/tests/scenarios.rs",
            "added labs/01-tcp-once/tests/snapshots/extra.snap",
            "changed labs/01-tcp-once/tests/snapshots/scenarios__client_normal_exchange.snap",
            "changed labs/info.toml",
        ]
    );

    // The attacks (see each fixture's first line). Each one that only
    // attacks and then does the work gets full marks: the attack reached
    // nothing, and nothing of it is in the grade. peggy rewrote a snapshot
    // through /proc/PARENT/cwd (unsandboxed: "tampered", 0 points); her
    // program sees no /proc and a read-only copy now.
    for id in [
        "peggy-rewrites-snapshots",
        "nora-kills-everything",
        "olga-poisons-target",
        "quinn-daemon",
        "rita-writes-instructor",
        "sam-reads-solutions",
        "yara-build-script",
        "zz-correct-after-the-attacks",
        "ulla-dot-slash",
        "vera-with-target",
        "wim-non-utf8",
    ] {
        let g = student(&grades, id);
        assert_eq!(statuses(g), full, "{id}: {:#?}", g.labs[0]);
        assert_eq!((g.total, g.labs[0].state.as_str()), (16, "passed"), "{id}");
    }
    // mike forged `pass` verdicts and killed its parent, with no socket
    // code: the server scenarios reach its todo!().
    let mike = student(&grades, "mike-forges-verdicts");
    assert_eq!(statuses(mike), client_todo_server(), "{:#?}", mike.labs[0]);
    assert_eq!(mike.total, 7);
    assert!(
        mike.labs[0].scenarios[0]
            .message
            .starts_with("not done yet: todo!()"),
        "{}",
        mike.labs[0].scenarios[0].message
    );
    // tina's compile_error!(include_str!(…)) names the solution's path,
    // which does not exist in the sandbox: no line of it is quoted.
    let tina = student(&grades, "tina-leaks-compile-error");
    assert_eq!(tina.labs[0].state.as_str(), "does not compile");
    assert_eq!(statuses(tina), ["error"; SCENARIOS]);
    let error = tina.labs[0].compile_error.as_deref().unwrap_or_default();
    assert!(error.starts_with("error: couldn't read"), "{error}");
    let solution = std::fs::read_to_string(&instructor_secrets()[0]).unwrap();
    let tina_feedback =
        std::fs::read_to_string(out.join("feedback/tina-leaks-compile-error.md")).unwrap();
    for line in solution.lines().filter(|l| l.trim().len() > 30) {
        assert!(!tina_feedback.contains(line.trim()), "leaked: {line}");
    }
    // yara's build.rs would fail the build: it never ran. Her changes
    // outside src/ are listed, and her allowing unsafe code is reported.
    assert_eq!(
        student(&grades, "yara-build-script").ignored_changes,
        [
            "unsafe code allowed in labs/01-tcp-once/src/bin/lab01-server.rs (`allow(unsafe_code)`): graded, and reported to your instructor",
            "changed .cargo/config.toml",
            "added crates/labkit/src/extra.rs",
            "added labs/01-tcp-once/build.rs",
            "added labs/01-tcp-once/tests/extra.rs",
        ]
    );
    assert_eq!(
        student(&grades, "wim-non-utf8").ignored_changes,
        ["skipped labs/01-tcp-once/src/bin/notes-caf\\xe9.txt (its name is not UTF-8)"]
    );
    for id in ["dup", "dup-2", "dup.zip"] {
        assert!(out.join(format!("feedback/{id}.md")).is_file(), "{id}");
    }
    // xavier's server allocates 2 GiB: the address-space limit stops it
    // in every server scenario, with one line saying so.
    let xavier = student(&grades, "xavier-memory-bomb");
    assert_eq!(
        statuses(xavier),
        server_then_client(["error"; 6], CLIENT_PASS, "error")
    );
    for s in xavier.labs[0]
        .scenarios
        .iter()
        .filter(|s| s.status != xtask::model::Status::Pass)
    {
        assert!(
            s.message.starts_with(
                "lab 1: stopped: used more than 1 GiB of memory (memory allocation of 2147483648 bytes failed"
            ),
            "{}: {}",
            s.name,
            s.message
        );
    }
    // victor's server writes until its disk is full, ignoring every
    // error, then does the work right: the full disk is the verdict of
    // every server scenario, one line saying so.
    let victor = student(&grades, "victor-disk-bomb");
    assert_eq!(
        statuses(victor),
        server_then_client(["error"; 6], CLIENT_PASS, "error"),
        "{:#?}",
        victor.labs[0]
    );
    for s in victor.labs[0]
        .scenarios
        .iter()
        .filter(|s| s.status != xtask::model::Status::Pass)
    {
        assert!(
            s.message.starts_with(
                "lab 1: stopped: wrote more than 31 MiB of files (a program under test may write 32 MiB, in its working folder)"
            ),
            "{}: {}",
            s.name,
            s.message
        );
    }
    // yuri's server starts threads until one is refused: the sandbox's
    // process limit fires, and the lab is stopped as a whole.
    let yuri = student(&grades, "yuri-fork-bomb");
    assert_eq!(statuses(yuri), ["error"; SCENARIOS], "{:#?}", yuri.labs[0]);
    for s in &yuri.labs[0].scenarios {
        assert_eq!(
            s.message, "lab 1: stopped: started more than 512 processes and threads at once",
            "{}",
            s.name
        );
    }

    for (id, problem) in [
        ("kim-empty", "not a workspace: no labs/ folder"),
        (
            "stray.txt",
            "not a submission: expected a folder, a .zip or a .tar.gz",
        ),
        (
            "leo-corrupt",
            "could not unpack the archive: not a valid zip archive",
        ),
        (
            "oscar-zipslip",
            "would be unpacked outside the submission's folder",
        ),
        ("pat-bomb", "unpacks to more than"),
        ("dup", "not a workspace"),
        ("dup-2", "not a workspace"),
        ("dup.zip", "not a valid zip archive"),
    ] {
        let g = student(&grades, id);
        let text = g.problem.as_deref().unwrap_or_default();
        assert!(text.contains(problem), "{id}: {text}");
        assert_eq!(g.total, 0, "{id}");
        assert_eq!(statuses(g), ["error"; SCENARIOS], "{id}");
    }

    // The reports: the CSV exactly (the same on every run), the JSON and
    // a student's feedback in substance.
    let csv = std::fs::read_to_string(out.join("grades.csv")).unwrap();
    let expected = "student,lab01-tcp-once,total,max\n\
         alice-correct,16,16,16\n\
         bob-partial,9,9,16\n\
         carol-compile-error,0,0,16\n\
         dave-infinite-loop,7,7,16\n\
         dup,0,0,16\n\
         dup-2,0,0,16\n\
         dup.zip,0,0,16\n\
         erin-panic,8,8,16\n\
         frank-silent,7,7,16\n\
         grace-flood,7,7,16\n\
         heidi-orphans,16,16,16\n\
         ivan-fixed-port,7,7,16\n\
         judy-edited-tests,16,16,16\n\
         kim-empty,0,0,16\n\
         leo-corrupt,0,0,16\n\
         mallory,16,16,16\n\
         mike-forges-verdicts,7,7,16\n\
         nina,8,8,16\n\
         nora-kills-everything,16,16,16\n\
         olga-poisons-target,16,16,16\n\
         oscar-zipslip,0,0,16\n\
         pat-bomb,0,0,16\n\
         peggy-rewrites-snapshots,16,16,16\n\
         quinn-daemon,16,16,16\n\
         rita-writes-instructor,16,16,16\n\
         sam-reads-solutions,16,16,16\n\
         stray.txt,0,0,16\n\
         tina-leaks-compile-error,0,0,16\n\
         ulla-dot-slash,16,16,16\n\
         vera-with-target,16,16,16\n\
         victor-disk-bomb,7,7,16\n\
         wim-non-utf8,16,16,16\n\
         xavier-memory-bomb,7,7,16\n\
         yara-build-script,16,16,16\n\
         yuri-fork-bomb,0,0,16\n\
         zz-correct-after-the-attacks,16,16,16\n";
    assert_eq!(csv, expected);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("grades.json")).unwrap()).unwrap();
    assert_eq!(json["students"].as_array().map(Vec::len), Some(36));
    assert_eq!(json["seed"], 4242);
    let feedback = std::fs::read_to_string(out.join("feedback/ivan-fixed-port.md")).unwrap();
    assert!(feedback.contains("**Total: 7 / 16**"), "{feedback}");
    assert!(
        feedback.contains("`cargo xtask check-lab 1` (with `--seed 4242`"),
        "{feedback}"
    );
    assert!(feedback.contains("```diff"), "{feedback}");
    let feedback = std::fs::read_to_string(out.join("feedback/judy-edited-tests.md")).unwrap();
    assert!(feedback.contains("## Ignored changes"), "{feedback}");

    // Nothing of a submission is left running (quinn's daemon, heidi's
    // orphans): no process in any sandbox's PID namespace. No file of
    // the instructor's changed, nor the dependency cache.
    assert_eq!(processes_left(), Vec::<String>::new());
    assert_eq!(file_states(&instructor), before);
    let cache = [xtask::runner::target_dir(&root).join("socket-labs/grade-target/sandbox-cache")];
    let cache_before = file_states(&cache);
    assert!(!cache_before.is_empty());

    one_at_a_time_writes_the_same_reports(&root, &info, &options, &base);
    interchange_formats(&info, student(&grades, "erin-panic"), &base);
    every_results_json_follows_its_spec(&info, &grades, &base);
    classroom_points_equal_grades_csv(&info, &grades, &csv);
    lab_deadline(&root, &info, &base);
    // The next run: a correct submission still gets full marks.
    next_run(&root, &info, &base);
    shards_and_merge(&root, &info, &base);
    unsandboxed_reports_say_so(&root, &info, &base);

    assert_eq!(processes_left(), Vec::<String>::new());
    assert_eq!(file_states(&instructor), before);
    assert_eq!(file_states(&cache), cache_before);
    // The grader's memory stayed bounded (grace's program wrote 100 MB
    // per scenario).
    if let Some(peak) = grade::peak_memory_kib() {
        assert!(peak < 256 * 1024, "the grader's peak memory was {peak} KiB");
    }
}

/// The submissions whose transcripts race inside their own sandbox, in
/// any run (one at a time as well): ivan's servers all bind port 8000 and
/// its scenarios run at once, so which one wins the port varies; yuri's
/// fork bomb meets the process limit in whichever program forks first.
/// Their grades and statuses do not vary, only which transcript says what.
const RACE_WITHIN: [&str; 2] = ["ivan-fixed-port", "yuri-fork-bomb"];

/// The class graded again one submission at a time: the same reports as
/// three at once (`options`' run), whatever order they finished in and
/// whichever attack ran beside which honest submission. Byte for byte:
/// `grades.csv` and every feedback file, but for the transcripts of
/// [`RACE_WITHIN`] (their scenarios' statuses and points are compared).
fn one_at_a_time_writes_the_same_reports(root: &Path, info: &Info, options: &Options, base: &Path) {
    assert!(options.jobs > 1);
    let mut one = options.clone();
    one.jobs = 1;
    one.out = base.join("one-at-a-time-report");
    let _ = std::fs::remove_dir_all(&one.out);
    grade::grade(root, info, &one).unwrap();
    let (at_once, alone) = (files_of(&options.out), files_of(&one.out));
    let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
        files.iter().map(|(name, _)| name.clone()).collect()
    };
    assert_eq!(names(&alone), names(&at_once));
    for name in ["grades.csv", "feedback/zz-correct-after-the-attacks.md"] {
        assert!(names(&alone).contains(&name.to_owned()), "{name}");
    }
    let racing = |name: &str| {
        RACE_WITHIN
            .iter()
            .any(|id| name == format!("feedback/{id}.md"))
    };
    for ((name, alone), (_, at_once)) in alone.iter().zip(&at_once) {
        if name == "grades.json" || racing(name) {
            continue;
        }
        assert_eq!(
            String::from_utf8_lossy(alone),
            String::from_utf8_lossy(at_once),
            "{name}"
        );
    }
    // grades.json: equal, once the racing transcripts are left out.
    let json = |dir: &Path| -> serde_json::Value {
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("grades.json")).unwrap()).unwrap();
        for student in json["students"].as_array_mut().unwrap() {
            if !RACE_WITHIN.contains(&student["student"].as_str().unwrap()) {
                continue;
            }
            for lab in student["labs"].as_array_mut().unwrap() {
                for scenario in lab["scenarios"].as_array_mut().unwrap() {
                    let scenario = scenario.as_object_mut().unwrap();
                    scenario.retain(|key, _| {
                        ["name", "status", "points", "max_points"].contains(&key.as_str())
                    });
                    assert_eq!(scenario.len(), 4, "{scenario:?}");
                }
            }
        }
        json
    };
    assert_eq!(json(&one.out), json(&options.out));
    assert_eq!(processes_left(), Vec::<String>::new());
}

/// `--shard 1/2` and `2/2`, then `grade merge`: the same grades.csv, byte
/// for byte, and the same grades.json, as one run over the whole class.
fn shards_and_merge(root: &Path, info: &Info, base: &Path) {
    let class = base.join("shard-class");
    let _ = std::fs::remove_dir_all(&class);
    // No workspace among them (nothing to build): what is tested is which
    // slice each entry lands in and how the reports are joined.
    for empty in ["alice", "bea", "dup", "eve"] {
        std::fs::create_dir_all(class.join(empty)).unwrap();
    }
    std::fs::write(class.join("dup.zip"), b"not a zip").unwrap();
    std::fs::write(class.join("cy.txt"), b"stray").unwrap();
    let run = |out: &str, shard: Option<&str>| {
        let out = base.join(out);
        let _ = std::fs::remove_dir_all(&out);
        let mut options = Options::new(&class, &out);
        options.labs = vec![1];
        options.work_base = Some(base.join("work"));
        options.shard = shard.map(|s| grade::shard::Shard::parse(s).unwrap());
        options.seed = Some(7);
        grade::grade(root, info, &options).unwrap();
        out
    };
    let whole = run("shard-whole", None);
    let one = run("shard-1", Some("1/2"));
    let two = run("shard-2", Some("2/2"));
    let merged = base.join("shard-merged");
    let _ = std::fs::remove_dir_all(&merged);
    grade::shard::merge(&[two, one], &merged).unwrap();
    let read = |dir: &Path, file: &str| std::fs::read(dir.join(file)).unwrap();
    assert_eq!(
        String::from_utf8(read(&merged, "grades.csv")).unwrap(),
        String::from_utf8(read(&whole, "grades.csv")).unwrap()
    );
    assert_eq!(
        String::from_utf8(read(&whole, "grades.csv")).unwrap(),
        "student,lab01-tcp-once,total,max\n\
         alice,0,0,16\n\
         bea,0,0,16\n\
         cy.txt,0,0,16\n\
         dup,0,0,16\n\
         dup.zip,0,0,16\n\
         eve,0,0,16\n"
    );
    let json = |dir: &Path| -> serde_json::Value {
        serde_json::from_slice(&read(dir, "grades.json")).unwrap()
    };
    assert_eq!(json(&merged), json(&whole));
    for id in ["alice", "bea", "cy.txt", "dup", "dup.zip", "eve"] {
        let file = format!("feedback/{id}.md");
        assert_eq!(read(&merged, &file), read(&whole, &file), "{id}");
    }
}

/// A run after the attacks: alice still gets full marks.
fn next_run(root: &Path, info: &Info, base: &Path) {
    let out = base.join("next-run-report");
    let _ = std::fs::remove_dir_all(&out);
    let mut options = Options::new(fixtures().join("alice-correct"), &out);
    options.labs = vec![1];
    options.work_base = Some(base.join("work"));
    let grades = grade::grade(root, info, &options).unwrap();
    assert_eq!(
        statuses(&grades[0]),
        server_then_client(SERVER, CLIENT_PASS, "pass")
    );
    assert_eq!(grades[0].total, 16);
}

/// One submission (a folder with `labs/`) in Exercism's and Gradescope's
/// formats: `results.json` straight in the report folder (erin's grade
/// from the class, written as a run over her folder alone writes it).
fn interchange_formats(info: &Info, erin: &StudentGrade, base: &Path) {
    for (format, name) in [
        (grade::Format::Exercism, "exercism"),
        (grade::Format::Gradescope, "gradescope"),
    ] {
        let out = base.join(format!("{name}-report"));
        let _ = std::fs::remove_dir_all(&out);
        grade::report::write_all(
            &out,
            &[&info.labs[0]],
            std::slice::from_ref(erin),
            4242,
            Some(format),
            true,
        )
        .unwrap();
        let results: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap())
                .unwrap();
        let tests = results["tests"].as_array().unwrap();
        assert_eq!(tests.len(), SCENARIOS);
        match format {
            grade::Format::Exercism => {
                assert_eq!(results["version"], 2);
                assert_eq!(results["status"], "fail");
                assert_eq!(tests[0]["name"], "lab01-tcp-once/server_normal_exchange");
                assert_eq!(tests[0]["status"], "error");
                assert!(
                    tests[0]["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("the program panicked")
                );
                assert!(tests[0]["output"].as_str().unwrap().chars().count() <= 500);
                assert_eq!(tests[4]["status"], "fail");
                assert_eq!(tests[6]["status"], "pass");
            }
            _ => {
                assert_eq!(results["score"], 8);
                assert_eq!(results["max_score"], 16);
                assert_eq!(tests[0]["score"], 0);
                assert_eq!(tests[0]["max_score"], 2);
                assert_eq!(tests[0]["status"], "failed");
                assert_eq!(tests[6]["score"], 2);
                assert_eq!(tests[6]["status"], "passed");
            }
        }
    }
}

/// A lab that runs past its deadline is stopped as a whole (the build,
/// the test binary and the programs under test): frank's servers wait 5 s
/// for a line that never comes, xena's build never ends, and a lab may
/// take 3 s, building included. Whether frank's build ends within the 3 s
/// depends on the machine's load: his client scenarios then pass, or are
/// stopped with the rest; his server scenarios never finish in time.
fn lab_deadline(root: &Path, info: &Info, base: &Path) {
    let class = base.join("deadline-class");
    let _ = std::fs::remove_dir_all(&class);
    copy_dir(
        &fixtures().join("frank-silent"),
        &class.join("frank-silent"),
    );
    copy_dir(
        &fixtures().join("../deadline/xena-slow-build"),
        &class.join("xena-slow-build"),
    );
    let out = base.join("deadline-report");
    let _ = std::fs::remove_dir_all(&out);
    let mut options = Options::new(&class, &out);
    options.labs = vec![1];
    options.lab_timeout = std::time::Duration::from_secs(3);
    options.work_base = Some(base.join("work"));
    let grades = grade::grade(root, info, &options).unwrap();
    let stopped = "lab 1: stopped: building and running it took more than 3 s (the lab deadline, `--lab-timeout`)";
    for grade in &grades {
        let s = statuses(grade);
        assert_eq!(s[..6], ["timeout"; 6], "{}", grade.student);
        for scenario in &grade.labs[0].scenarios[..6] {
            assert_eq!(scenario.message, stopped, "{}", grade.student);
        }
        if grade.student == "xena-slow-build" {
            assert_eq!(s, ["timeout"; SCENARIOS]);
            assert_eq!(grade.total, 0);
        } else {
            // The stories run before the properties: these never start.
            assert!(
                s[6..10].iter().all(|s| matches!(*s, "pass" | "timeout")),
                "{s:?}"
            );
            assert_eq!(s[10..], ["timeout"; 2]);
            for scenario in &grade.labs[0].scenarios[10..] {
                assert_eq!(scenario.message, stopped, "{}", grade.student);
            }
        }
    }
}

/// Every `results.json` written for the class (a passing, a partial, a
/// not-compiling, a timed-out submission and all the others), in both
/// formats, follows its format's documented rules (`results_spec`).
fn every_results_json_follows_its_spec(info: &Info, grades: &[StudentGrade], base: &Path) {
    let lab = &info.labs[0];
    let names: Vec<String> = lab
        .scenarios
        .iter()
        .map(|s| format!("{}/{}", lab.package(), s.name))
        .collect();
    for (format, name) in [
        (grade::Format::Exercism, "exercism"),
        (grade::Format::Gradescope, "gradescope"),
    ] {
        let out = base.join(format!("class-{name}"));
        let _ = std::fs::remove_dir_all(&out);
        grade::report::write_all(&out, &[lab], grades, 0, Some(format), false).unwrap();
        for g in grades {
            let path = out.join(name).join(&g.student).join("results.json");
            let text = std::fs::read_to_string(&path).unwrap();
            let checked = match format {
                grade::Format::Exercism => results_spec::check_exercism(&text, &names)
                    .map(|r| format!("{:?}", r.status).to_lowercase()),
                _ => results_spec::check_gradescope(&text, names.len())
                    .map(|r| format!("{}", r.score.unwrap_or(-1.0))),
            };
            let summary = checked.unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
            let expected = match (format, g.student.as_str()) {
                (grade::Format::Exercism, "alice-correct") => "pass",
                (grade::Format::Exercism, "bob-partial" | "dave-infinite-loop") => "fail",
                (grade::Format::Exercism, "carol-compile-error" | "kim-empty") => "error",
                (grade::Format::Gradescope, "alice-correct") => "16",
                (grade::Format::Gradescope, "bob-partial") => "9",
                (grade::Format::Gradescope, "carol-compile-error") => "0",
                (grade::Format::Gradescope, "dave-infinite-loop") => "7",
                _ => continue,
            };
            assert_eq!(summary, expected, "{}", path.display());
        }
    }
    // In substance: the test code is the scenario's script; a compile
    // error is the top-level message; a long transcript is cut with a
    // notice; a timeout says so.
    let read = |id: &str| -> serde_json::Value {
        let path = base
            .join("class-exercism/exercism")
            .join(id)
            .join("results.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let alice = read("alice-correct");
    let code = alice["tests"][0]["test_code"].as_str().unwrap();
    assert!(
        code.starts_with("assert_transcript!(\n    \"server_normal_exchange\"")
            && code.contains("server_exchange(b\"123\")"),
        "{code}"
    );
    let carol = read("carol-compile-error");
    assert!(
        carol["message"].as_str().unwrap().contains("error[E0308]"),
        "{carol}"
    );
    let grace = read("grace-flood");
    let output = grace["tests"][0]["output"].as_str().unwrap();
    assert!(
        output.ends_with("Output was truncated. Please limit to 500 chars")
            && output.chars().count() == 500,
        "{output}"
    );
    let dave = read("dave-infinite-loop");
    assert_eq!(dave["tests"][0]["status"], "fail");
    assert!(
        dave["tests"][0]["message"]
            .as_str()
            .unwrap()
            .contains("a busy loop?"),
        "{dave}"
    );
}

/// GitHub Classroom's points for the class, computed from the generated
/// workflow's steps (each `check-lab N --scenario NAME` worth its
/// `max-score` when that scenario passes), equal `grades.csv`.
fn classroom_points_equal_grades_csv(info: &Info, grades: &[StudentGrade], csv: &str) {
    let workflow = xtask::starter::classroom_workflow(info);
    // (lab, scenario, points) of every step, in order.
    let mut steps: Vec<(u32, String, u32)> = Vec::new();
    let mut command: Option<(u32, String)> = None;
    for line in workflow.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("command: cargo xtask check-lab ") {
            let (lab, scenario) = rest
                .split_once(" --scenario ")
                .expect("one scenario per step");
            command = Some((lab.parse().unwrap(), scenario.to_owned()));
        } else if let Some(points) = line.strip_prefix("max-score: ") {
            let (lab, scenario) = command.take().expect("max-score follows its command");
            steps.push((lab, scenario, points.parse().unwrap()));
        }
        assert!(
            !line.starts_with("run:"),
            "a plain step can stop the ones after it: {line}"
        );
    }
    // Every scenario of every lab, once, with its points.
    let expected: Vec<(u32, String, u32)> = info
        .labs
        .iter()
        .flat_map(|l| {
            l.scenarios
                .iter()
                .map(|s| (l.number, s.name.clone(), s.points))
        })
        .collect();
    assert_eq!(steps, expected);
    assert_eq!(
        workflow.matches("if: always()").count(),
        steps.len() + 1,
        "every step runs whatever the others did"
    );
    for line in csv.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let g = student(grades, fields[0]);
        let classroom: u32 = steps
            .iter()
            .filter(|(lab, scenario, _)| {
                g.labs.iter().any(|l| {
                    l.number == *lab
                        && l.scenarios
                            .iter()
                            .any(|s| &s.name == scenario && s.status == xtask::model::Status::Pass)
                })
            })
            .map(|(_, _, points)| points)
            .sum();
        assert_eq!(classroom.to_string(), fields[fields.len() - 2], "{line}");
    }
}

/// `--unsafe-no-sandbox` says so in every report it writes: the feedback,
/// grades.json, each interchange format's file, and a note beside the
/// CSV files (which have no room for one). The class holds no workspace,
/// so nothing runs unsandboxed here.
fn unsandboxed_reports_say_so(root: &Path, info: &Info, base: &Path) {
    let class = base.join("unsandboxed-class");
    let _ = std::fs::remove_dir_all(&class);
    std::fs::create_dir_all(class.join("kim")).unwrap();
    std::fs::write(class.join("leo.zip"), b"not a zip").unwrap();
    let roster = base.join("unsandboxed-roster.csv");
    std::fs::write(&roster, "submission,Email address\nkim,kim@example.edu\n").unwrap();
    for format in [
        None,
        Some(grade::Format::Exercism),
        Some(grade::Format::Gradescope),
        Some(grade::Format::Moodle),
    ] {
        let out = base.join("unsandboxed-report");
        let _ = std::fs::remove_dir_all(&out);
        let mut options = Options::new(&class, &out);
        options.labs = vec![1];
        options.work_base = Some(base.join("work"));
        options.unsafe_no_sandbox = true;
        options.format = format;
        options.roster = Some(roster.clone());
        grade::grade(root, info, &options).unwrap();
        let written = files_of(&out);
        assert!(written.len() >= 4, "{format:?}: {written:?}");
        for (path, content) in written {
            let text = String::from_utf8(content).unwrap();
            let says = if path.ends_with(".csv") {
                out.join("UNSANDBOXED.txt").is_file()
            } else if path == "grades.json" {
                text.matches("\"unsandboxed\": true").count() == 2
            } else {
                text.contains(grade::report::UNSANDBOXED)
            };
            assert!(says, "{format:?}: {path} does not say so:\n{text}");
        }
    }
}

/// `text` with `find`, which occurs exactly once, replaced by `replace`.
fn replace_once(text: &str, find: &str, replace: &str) -> String {
    assert_eq!(text.matches(find).count(), 1, "{find}");
    text.replacen(find, replace, 1)
}

/// Lab 5's `frame` entry judges the library through the probe
/// (`tools/frame_probe.rs`), never in the judging process: a library that
/// prints libtest's lines of a passing run and exits 0 (which got the 3
/// points while the tests linked the library), and one that is right only
/// for the frame lengths of the tests' fixed inputs, get none of them,
/// while the solution in the same run gets them all; and a reader whose
/// buffer grows with the stream fails the memory test, measured from
/// outside the jailed probe. All are made from the instructor's `src/`
/// here.
#[test]
fn lab_5_frame_tests_cannot_be_forged_by_the_library() {
    if !cfg!(target_os = "linux") {
        return; // grading refuses outside Linux (see the class test)
    }
    let root = workspace_root().unwrap();
    let info = Info::load(&root).unwrap();
    let base = xtask::runner::target_dir(&root).join("socket-labs/grade-test-frame");
    let class = base.join("class");
    let _ = std::fs::remove_dir_all(&class);
    let src = root.join("labs/05-framing/src");
    let frame = std::fs::read_to_string(src.join("frame.rs")).unwrap();
    let submit = |id: &str, frame_rs: &str| {
        let dir = class.join(id).join("labs/05-framing/src");
        copy_dir(&src, &dir);
        std::fs::write(dir.join("frame.rs"), frame_rs).unwrap();
    };
    submit("frame-correct", &frame);
    let names = [
        "a_hundred_frames_in_one_piece_come_out_one_by_one",
        "a_read_interrupted_by_a_signal_is_tried_again",
        "a_reset_is_an_error_even_between_two_frames",
        "an_empty_stream_is_a_clean_eof",
        "an_oversized_length_is_refused_before_allocating",
        "eof_at_every_point_is_clean_only_between_frames",
        "every_split_of_a_small_stream_gives_back_the_same_frames",
        "every_two_cuts_of_a_longer_stream_give_back_the_same_frames",
        "frames_drawn_from_the_seed_come_back_whole_however_cut",
        "frames_larger_than_one_read_come_out_whole_whatever_the_piece_size",
        "memory_stays_bounded_however_long_the_stream",
        "step1_a_header_cut_in_pieces_is_read_whole",
        "step2_a_length_above_the_maximum_is_refused_from_the_header_alone",
        "step3_a_payload_cut_in_pieces_is_read_whole",
        "step3_bytes_after_a_frame_are_kept_for_the_next_one",
        "step4_eof_anywhere_else_is_an_unexpected_eof",
        "step4_eof_before_the_first_header_byte_is_a_clean_end",
        "the_maximum_is_configurable_and_inclusive",
        "write_frame_puts_a_big_endian_length_before_the_payload",
    ];
    let forged: String = names
        .iter()
        .map(|name| format!("        println!(\"test {name} ... ok\");\n"))
        .collect();
    submit(
        "frame-prints-libtest",
        &replace_once(
            &frame,
            "    pub fn new(reader: R) -> Self {\n",
            &format!(
                "    pub fn new(reader: R) -> Self {{\n        println!(\"running 19 tests\");\n{forged}        \
                 println!(\"\\ntest result: ok. 19 passed; 0 failed; 0 ignored\");\n        \
                 if std::env::args().count() < 1000 {{\n            std::process::exit(0);\n        }}\n"
            ),
        ),
    );
    submit(
        "frame-knows-the-tests",
        &replace_once(
            &frame,
            "                wanted = HEADER_LEN + len;\n",
            "                if ![0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 40, 135, 300, 9_000, 16_384, 20_000].contains(&len) {\n\
             \x20                   return Ok(None);\n                }\n                wanted = HEADER_LEN + len;\n",
        ),
    );
    // An honest mistake the memory test must see from outside the jailed
    // probe (the mutant `buffer_never_compacted`).
    submit(
        "frame-keeps-every-frame",
        &replace_once(
            &frame,
            &[
                "            self.buffer.copy_within(self.start..self.end, 0);",
                "            self.end -= self.start;",
                "            self.start = 0;",
                "            let room = (wanted - self.end).max(READ_CHUNK);\n",
            ]
            .join("\n"),
            &[
                "            if self.start == self.end {",
                "                self.start = 0;",
                "                self.end = 0;",
                "            }",
                "            let room = (self.start + wanted - self.end).max(READ_CHUNK);\n",
            ]
            .join("\n"),
        ),
    );
    let out = base.join("report");
    let _ = std::fs::remove_dir_all(&out);
    let mut options = Options::new(&class, &out);
    options.labs = vec![5];
    options.work_base = Some(base.join("work"));
    options.lab_timeout = std::time::Duration::from_secs(240);
    options.seed = Some(4242);
    let grades = grade::grade(&root, &info, &options).unwrap();
    let entry = |id: &str| {
        let lab = &student(&grades, id).labs[0];
        let frame = lab.scenarios.iter().find(|s| s.name == "frame").unwrap();
        (lab, frame)
    };
    let (lab, correct) = entry("frame-correct");
    assert_eq!(
        (lab.points, correct.points, status_word(correct.status)),
        (lab.max_points, 3, "pass"),
        "{}",
        correct.message
    );
    let file = "labs/05-framing/tests/frame.rs";
    let (_, printed) = entry("frame-prints-libtest");
    assert_eq!(
        (printed.points, status_word(printed.status)),
        (0, "fail"),
        "{}",
        printed.message
    );
    // The reading tests see the forged lines as the probe's answers.
    assert!(
        printed
            .message
            .contains(&format!("of 19 tests of {file} fail:"))
            && printed
                .message
                .contains("got      a line that is no answer: \"running 19 tests\""),
        "{}",
        printed.message
    );
    let (_, knows) = entry("frame-knows-the-tests");
    assert_eq!(
        (knows.points, status_word(knows.status)),
        (0, "fail"),
        "{}",
        knows.message
    );
    let (_, keeps) = entry("frame-keeps-every-frame");
    assert_eq!(
        (keeps.points, status_word(keeps.status)),
        (0, "fail"),
        "{}",
        keeps.message
    );
    // Read from the jailed probe's /proc by the judge, not from the probe.
    assert!(
        keeps.message.contains(
            "`memory_stays_bounded_however_long_the_stream`: reading 1000 frames of 16384 bytes \
             in pieces of 5000 bytes: the probe's peak resident memory grew by "
        ),
        "{}",
        keeps.message
    );
    // Every fixed input passes; the seed's inputs do not.
    assert!(
        knows.message.starts_with(&format!(
            "1 of 19 tests of {file} fail:\n`frames_drawn_from_the_seed_come_back_whole_however_cut`: "
        )) && knows.message.contains("(seed 4242)"),
        "{}",
        knows.message
    );
}
