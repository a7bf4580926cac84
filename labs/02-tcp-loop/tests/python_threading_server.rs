//! `lab02-client` talks to a Python `socketserver.ThreadingTCPServer`
//! version of the echo server (`labs/06-threads/tools/threading_server.py`,
//! shown in the book beside lab 6): two clients connected at once, both
//! answered. Not a graded scenario: it needs `python3` and says so when
//! there is none.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

const CLIENT: &str = env!("CARGO_BIN_EXE_lab02-client");
/// The deadline of every wait: a line, an exit.
const DEADLINE: Duration = Duration::from_secs(5);

/// A program started with its stdin and stdout piped; stdout is read line
/// by line on a thread, so every wait has a deadline.
struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Running {
    fn start(command: &mut Command) -> Running {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the program");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Running {
            child,
            stdin,
            lines,
        }
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("write to stdin");
    }

    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(DEADLINE)
            .expect("a line within the deadline")
    }

    /// Closes stdin and returns the rest of stdout once the program exited.
    fn finish(mut self) -> Vec<String> {
        self.stdin = None;
        let mut rest = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(DEADLINE) {
            rest.push(line);
        }
        let status = self.child.wait().expect("wait for the program");
        assert!(status.success(), "exited with {status}");
        rest
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn lab02_client_talks_to_pythons_threading_server() {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("python3 not found: the Python ThreadingTCPServer was not run");
        return;
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../06-threads/tools/threading_server.py");
    let server = Running::start(Command::new("python3").arg("-u").arg(&script).arg("0"));
    let listening = server.next_line();
    let addr = listening
        .strip_prefix("listening on ")
        .expect("listening on IP:PORT")
        .to_owned();

    let mut first = Running::start(Command::new(CLIENT).arg(&addr));
    assert!(server.next_line().starts_with("accepted a client from "));
    first.type_line("hello from the first");
    assert_eq!(server.next_line(), "hello from the first");
    assert_eq!(first.next_line(), "服务器发送回来的内容:已收到");

    // The first client is still connected: the second is served anyway,
    // by a thread of its own.
    let mut second = Running::start(Command::new(CLIENT).arg(&addr));
    assert!(server.next_line().starts_with("accepted a client from "));
    second.type_line("你好 from the second");
    assert_eq!(server.next_line(), "你好 from the second");
    assert_eq!(second.next_line(), "服务器发送回来的内容:已收到");
    second.type_line("");
    assert_eq!(
        second.finish(),
        ["empty line: closing the connection (你自己终止了程序)"]
    );
    assert!(
        server
            .next_line()
            .ends_with("closed the connection (recv returned 0 bytes)")
    );

    first.type_line("the first, still served");
    assert_eq!(server.next_line(), "the first, still served");
    assert_eq!(
        first.finish(),
        [
            "服务器发送回来的内容:已收到",
            "end of input: closing the connection (你自己终止了程序)"
        ]
    );
    assert!(
        server
            .next_line()
            .ends_with("closed the connection (recv returned 0 bytes)")
    );
    assert_eq!(
        server.finish(),
        [
            "end of input: no new clients; waiting for the connected ones to leave",
            "every client has left: the server stops"
        ]
    );
}
