//! The tutorial's Python client talks to `lab06-server`: two of them
//! connected at once, both answered (against lab 2's server the second
//! would wait until the first leaves). Not a graded scenario: it needs
//! `python3` and says so when there is none.
//!
//! `tools/tutorial_client.py` is the tutorial's 链接循环 client as it is,
//! but for the port, which it takes from the command line.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

const SERVER: &str = env!("CARGO_BIN_EXE_lab06-server");
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

fn python3() -> Option<Command> {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("python3 not found: the tutorial's Python client was not run");
    }
    found.then(|| {
        let mut command = Command::new("python3");
        command.arg("-u");
        command
    })
}

#[test]
fn two_tutorial_clients_are_answered_at_once() {
    let Some(_) = python3() else { return };
    let client_py = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/tutorial_client.py");
    let server = Running::start(Command::new(SERVER).arg("127.0.0.1:0"));
    let listening = server.next_line();
    let port = listening
        .rsplit_once(':')
        .map(|(_, port)| port.to_owned())
        .expect("listening on IP:PORT");

    let mut first = Running::start(python3().unwrap().arg(&client_py).arg(&port));
    assert!(server.next_line().starts_with("accepted a client from "));
    first.type_line("hello from the first");
    assert_eq!(server.next_line(), "hello from the first");
    // input() writes its prompt without an end of line, so the prompt and
    // the reply share a line.
    assert_eq!(
        first.next_line(),
        "发送给服务器的内容:服务器发送回来的内容:已收到"
    );

    // The first client is still connected: the second is served anyway.
    let mut second = Running::start(python3().unwrap().arg(&client_py).arg(&port));
    assert!(server.next_line().starts_with("accepted a client from "));
    second.type_line("你好 from the second");
    second.type_line("");
    assert_eq!(server.next_line(), "你好 from the second");
    assert_eq!(
        second.finish(),
        [
            "发送给服务器的内容:服务器发送回来的内容:已收到",
            "发送给服务器的内容:你自己终止了程序"
        ]
    );
    assert!(
        server
            .next_line()
            .ends_with("closed the connection (recv returned 0 bytes)")
    );

    first.type_line("");
    assert_eq!(first.finish(), ["发送给服务器的内容:你自己终止了程序"]);
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
