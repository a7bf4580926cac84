//! The tutorial's Python programs meet the labs' Rust ones: the tutorial's
//! 链接循环 client against lab 6's and lab 7's servers, lab 2's client
//! against Python's `socketserver.ThreadingTCPServer`. Not graded: they
//! need `python3`, and say so on stderr when there is none.
//!
//! One copy, included by path from the tests of labs 2, 6 and 7. Every
//! program runs on the harness's process API ([`harness::Program`]): each
//! wait has the harness's step deadline, and whatever way a scenario ends
//! every program it started is stopped. The script checks each line as it
//! arrives; a line that is not the expected one stops the scenario, and the
//! test fails with the whole transcript.

use harness::{EventKind, ExitHow, Program, Scenario, ServerUnderTest, Step, Stop};
use std::path::Path;

/// The tutorial client's line for a reply: `input()` writes its prompt
/// without an end of line, so the prompt and the reply share a line.
const REPLY_LINE: &str = "发送给服务器的内容:服务器发送回来的内容:已收到";
/// What the tutorial client prints when the user types an empty line.
const EMPTY_LINE: &str = "发送给服务器的内容:你自己终止了程序";

/// Whether the Python side could run.
pub enum Python {
    Ran,
    Missing,
}

/// What a line must be.
#[derive(Debug, Clone, Copy)]
pub enum Line<'a> {
    Is(&'a str),
    StartsWith(&'a str),
    EndsWith(&'a str),
}

/// `labs/06-threads/tools/NAME`, from the tests of any lab.
pub fn tool(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../06-threads/tools")
        .join(name)
        .display()
        .to_string()
}

/// Starts `python3 -u SCRIPT ARGS...` with a stdin the script writes
/// (`-u`: each line reaches the pipe when Python writes it). `None` when
/// `python3` cannot be started (the transcript says why).
pub fn start_python(s: &mut Scenario, script: &str, args: &[&str]) -> Option<Program> {
    let mut all = vec!["-u", script];
    all.extend_from_slice(args);
    s.start_with_stdin("python3", &all).ok()
}

/// Waits for a program's next line and checks it.
pub fn expect(s: &Scenario, program: &mut Program, want: Line<'_>) -> Step<String> {
    let line = String::from_utf8_lossy(&program.expect_line()?).into_owned();
    let good = match want {
        Line::Is(text) => line == text,
        Line::StartsWith(text) => line.starts_with(text),
        Line::EndsWith(text) => line.ends_with(text),
    };
    if good {
        Ok(line)
    } else {
        s.say(format!("expected a line that {want:?}"));
        Err(Stop)
    }
}

/// Runs the scenario. The test fails, showing the transcript, unless the
/// script ran to its end and every program that exited by itself exited
/// with status 0; with no `python3` it says so and passes.
pub fn run(script: impl FnOnce(&mut Scenario) -> Step<Python>) {
    let mut outcome = None;
    let transcript = harness::run(|s| {
        outcome = Some(script(s)?);
        Ok(())
    });
    let shown = transcript.render();
    match outcome {
        Some(Python::Missing) => {
            eprintln!("python3 could not be started: the Python side was not run\n{shown}");
        }
        Some(Python::Ran) => {
            let failed = transcript.events.iter().any(|e| {
                matches!(
                    &e.kind,
                    EventKind::Exited {
                        how: ExitHow::Signal(_) | ExitHow::KilledAfter(_)
                    }
                ) || matches!(&e.kind, EventKind::Exited { how: ExitHow::Code(c) } if *c != 0)
            });
            assert!(!failed, "a program failed:\n{shown}");
        }
        None => panic!("the scenario stopped:\n{shown}"),
    }
}

/// Two of the tutorial's clients connected to `server` at once: the second
/// is answered while the first is still connected (against lab 2's server
/// it would wait in the backlog until the first leaves), then both leave.
pub fn two_tutorial_clients(s: &mut Scenario, server: &mut ServerUnderTest) -> Step<Python> {
    let port = server.addr.port().to_string();
    let client = tool("tutorial_client.py");
    let Some(mut first) = start_python(s, &client, &[&port]) else {
        return Ok(Python::Missing);
    };
    let server = &mut server.program;
    expect(s, server, Line::StartsWith("accepted a client from "))?;
    first.type_line("hello from the first")?;
    expect(s, server, Line::Is("hello from the first"))?;
    expect(s, &mut first, Line::Is(REPLY_LINE))?;

    // The first client is still connected: the second is served anyway.
    let mut second = start_python(s, &client, &[&port]).ok_or(Stop)?;
    expect(s, server, Line::StartsWith("accepted a client from "))?;
    second.type_line("你好 from the second")?;
    expect(s, server, Line::Is("你好 from the second"))?;
    expect(s, &mut second, Line::Is(REPLY_LINE))?;
    second.type_line("")?;
    expect(s, &mut second, Line::Is(EMPTY_LINE))?;
    second.expect_exit()?;
    let closed = "closed the connection (recv returned 0 bytes)";
    expect(s, server, Line::EndsWith(closed))?;

    first.type_line("the first, still served")?;
    expect(s, server, Line::Is("the first, still served"))?;
    expect(s, &mut first, Line::Is(REPLY_LINE))?;
    first.type_line("")?;
    expect(s, &mut first, Line::Is(EMPTY_LINE))?;
    first.expect_exit()?;
    expect(s, server, Line::EndsWith(closed))?;
    Ok(Python::Ran)
}
