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
    submissions
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

/// Processes still running `sleep 317` or `sleep 318` (heidi's children).
fn leftover_children() -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.starts_with("sleep 317") || cmdline.starts_with("sleep 318") {
                found.push(cmdline);
            }
        }
    }
    found
}

const SERVER: [&str; 5] = ["pass"; 5];
const CLIENT_PASS: [&str; 4] = ["pass"; 4];
/// Lab 1's scenarios: 5 server stories, 4 client stories, then the two
/// property scenarios (server, client).
const SCENARIOS: usize = 11;

/// The statuses of lab 1's stories, server then client, then of its
/// property scenarios: the server's as `server_property`, the client's
/// passing.
fn server_then_client(
    server: [&str; 5],
    client: [&str; 4],
    server_property: &str,
) -> Vec<&'static str> {
    with_client_property(server, client, server_property, "pass")
}

fn with_client_property(
    server: [&str; 5],
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

    let grades = grade::grade(&root, &info, &options).unwrap();

    let ids: Vec<&str> = grades.iter().map(|g| g.student.as_str()).collect();
    assert_eq!(
        ids,
        [
            "alice-correct",
            "bob-partial",
            "carol-compile-error",
            "dave-infinite-loop",
            "erin-panic",
            "frank-silent",
            "grace-flood",
            "heidi-orphans",
            "ivan-fixed-port",
            "judy-edited-tests",
            "kim-empty",
            "leo-corrupt",
            "mallory",
            "nina",
            "oscar-zipslip",
            "pat-bomb",
            "peggy-rewrites-snapshots",
            "stray.txt",
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
        bob.labs[0].scenarios[5]
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
            ["fail", "fail", "fail", "fail", "timeout"],
            CLIENT_PASS,
            "timeout"
        )
    );
    for id in ["erin-panic", "nina"] {
        let erin = student(&grades, id);
        // Its bug panics whenever a message arrives; a client that sends
        // nothing reads 0 bytes, and then the slice fits: a plain failure.
        assert_eq!(
            statuses(erin),
            server_then_client(
                ["error", "error", "error", "error", "fail"],
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
        server_then_client(["timeout"; 5], CLIENT_PASS, "timeout")
    );
    // grace's server prints 100 MB before it replies. The harness drains
    // and caps it, so the reply comes (a `fail`: the transcript shows the
    // cut output), unless the machine is so loaded that moving 100 MB
    // through a pipe takes longer than the 2 s step deadline (a `timeout`).
    // Both are a verdict worth 0 points, so grades.csv is the same.
    let grace = student(&grades, "grace-flood");
    let grace_statuses = statuses(grace);
    assert!(
        grace_statuses[..5]
            .iter()
            .chain(&grace_statuses[9..10])
            .all(|s| matches!(*s, "fail" | "timeout")),
        "{grace_statuses:?}"
    );
    assert_eq!(grace_statuses[5..9], CLIENT_PASS);
    assert_eq!(grace_statuses[10], "pass");
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
        server_then_client(["fail"; 5], CLIENT_PASS, "fail")
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

    let peggy = student(&grades, "peggy-rewrites-snapshots");
    if cfg!(target_os = "linux") {
        assert_eq!(peggy.labs[0].state.as_str(), "tampered");
        assert!(
            peggy.labs[0].scenarios[0].message.contains(
                "labs/01-tcp-once/tests/snapshots/scenarios__server_normal_exchange.snap"
            ),
            "{}",
            peggy.labs[0].scenarios[0].message
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
    let peggy_points = if cfg!(target_os = "linux") { 0 } else { 15 };
    let expected = format!(
        "student,lab01-tcp-once,total,max\n\
         alice-correct,15,15,15\n\
         bob-partial,8,8,15\n\
         carol-compile-error,0,0,15\n\
         dave-infinite-loop,7,7,15\n\
         erin-panic,7,7,15\n\
         frank-silent,7,7,15\n\
         grace-flood,7,7,15\n\
         heidi-orphans,15,15,15\n\
         ivan-fixed-port,7,7,15\n\
         judy-edited-tests,15,15,15\n\
         kim-empty,0,0,15\n\
         leo-corrupt,0,0,15\n\
         mallory,15,15,15\n\
         nina,7,7,15\n\
         oscar-zipslip,0,0,15\n\
         pat-bomb,0,0,15\n\
         peggy-rewrites-snapshots,{peggy_points},{peggy_points},15\n\
         stray.txt,0,0,15\n"
    );
    assert_eq!(csv, expected);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("grades.json")).unwrap()).unwrap();
    assert_eq!(json["students"].as_array().map(Vec::len), Some(18));
    assert_eq!(json["seed"], 4242);
    let feedback = std::fs::read_to_string(out.join("feedback/ivan-fixed-port.md")).unwrap();
    assert!(feedback.contains("**Total: 7 / 15**"), "{feedback}");
    assert!(
        feedback.contains("`cargo xtask check-lab 1` (with `--seed 4242`"),
        "{feedback}"
    );
    assert!(feedback.contains("```diff"), "{feedback}");
    let feedback = std::fs::read_to_string(out.join("feedback/judy-edited-tests.md")).unwrap();
    assert!(feedback.contains("## Ignored changes"), "{feedback}");

    interchange_formats(&root, &info, &base);
    every_results_json_follows_its_spec(&info, &grades, &base);
    classroom_points_equal_grades_csv(&info, &grades, &csv);
    lab_deadline(&root, &info, &base);

    // Nothing of a submission is left running, and memory stayed bounded
    // (grace's program wrote 100 MB per scenario).
    assert_eq!(leftover_children(), Vec::<String>::new());
    if let Some(peak) = grade::peak_memory_kib() {
        assert!(peak < 256 * 1024, "the grader's peak memory was {peak} KiB");
    }
}

/// One submission (a folder with `labs/`) in Exercism's and Gradescope's
/// formats: `results.json` straight in the report folder.
fn interchange_formats(root: &Path, info: &Info, base: &Path) {
    let one = fixtures().join("erin-panic");
    for (format, name) in [
        (grade::Format::Exercism, "exercism"),
        (grade::Format::Gradescope, "gradescope"),
    ] {
        let out = base.join(format!("{name}-report"));
        let _ = std::fs::remove_dir_all(&out);
        let mut options = Options::new(&one, &out);
        options.labs = vec![1];
        options.format = Some(format);
        options.work_base = Some(base.join("work"));
        grade::grade(root, info, &options).unwrap();
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
                assert_eq!(tests[5]["status"], "pass");
            }
            _ => {
                assert_eq!(results["score"], 7);
                assert_eq!(results["max_score"], 15);
                assert_eq!(tests[0]["score"], 0);
                assert_eq!(tests[0]["max_score"], 2);
                assert_eq!(tests[0]["status"], "failed");
                assert_eq!(tests[5]["score"], 2);
                assert_eq!(tests[5]["status"], "passed");
            }
        }
    }
}

/// A lab that runs past its deadline is stopped as a whole (cargo, the
/// test binaries and the programs under test): frank's servers wait 5 s
/// for a line that never comes, and the lab may take 3 s.
fn lab_deadline(root: &Path, info: &Info, base: &Path) {
    let out = base.join("deadline-report");
    let _ = std::fs::remove_dir_all(&out);
    let mut options = Options::new(fixtures().join("frank-silent"), &out);
    options.labs = vec![1];
    options.lab_timeout = std::time::Duration::from_secs(3);
    options.work_base = Some(base.join("work"));
    let grades = grade::grade(root, info, &options).unwrap();
    let frank = &grades[0];
    // Cargo runs the test files in name order: `properties` first. Its
    // client scenario passes at once; its server scenario waits 5 s for
    // the listening line, so the deadline stops the run there, before any
    // story has run.
    assert_eq!(
        statuses(frank),
        with_client_property(["timeout"; 5], ["timeout"; 4], "timeout", "pass")
    );
    assert!(
        frank.labs[0].scenarios[0]
            .message
            .contains("did not finish within 3 s"),
        "{}",
        frank.labs[0].scenarios[0].message
    );
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
                (grade::Format::Gradescope, "alice-correct") => "15",
                (grade::Format::Gradescope, "bob-partial") => "8",
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
