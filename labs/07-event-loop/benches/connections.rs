//! The cost of a connection: labs 2, 6 and 7 side by side, in one run.
//!
//! `cargo bench -p lab07-event-loop`. For each server (lab 2, serial; lab
//! 6, a thread per client; lab 6 with a pool; lab 7, one thread and a
//! readiness loop) the bench starts the release binary on `127.0.0.1:0`,
//! opens [`IDLE`] connections that never send anything and keeps them open,
//! then, for 1, 16, 256 and 1,000 concurrent clients (one thread each, each
//! with its own connection), counts the echo round trips (`hello`, then the
//! 9-byte `已收到`) done in [`PHASE`] once they are all connected. It reads the server's peak resident
//! memory (VmHWM) and its largest thread count in Linux's `/proc`
//! (elsewhere: unavailable), and compares each rate with lab 7's and with a
//! raw loopback round trip (a minimal echo thread inside the bench: the
//! physical limit of this machine). Everything is bounded: one phase lasts
//! [`PHASE`], a connect or read gives up at the phase's end.
//!
//! The servers of other labs are built here with `cargo build --release`
//! (through `CARGO`); a lab that is not in this copy is shown as "not
//! built".

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// Idle connections held open during every phase.
const IDLE: usize = 1000;
/// Concurrent clients doing the echo, one phase each.
const CLIENTS: [usize; 4] = [1, 16, 256, 1000];
/// How long each phase counts round trips.
const PHASE: Duration = Duration::from_millis(700);
/// How long one connect may take. Longer than Linux's first SYN
/// retransmission (1 s): a server that accepts slower than the bench
/// connects fills its backlog for a moment, the kernel drops the next SYN,
/// and the client sends it again a second later. A server that never
/// accepts (lab 2 with a client connected) still ends the opening: its
/// backlog stays full.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const MESSAGE: &[u8] = b"hello";
const REPLY_LEN: usize = "已收到".len();

struct Server {
    label: &'static str,
    package: &'static str,
    bin: &'static str,
    args: &'static [&'static str],
    /// Whether the idle connections are opened first.
    idle: bool,
}

const SERVERS: [Server; 5] = [
    Server {
        label: "lab 2, serial",
        package: "lab02-tcp-loop",
        bin: "lab02-server",
        args: &[],
        idle: true,
    },
    Server {
        label: "lab 2, serial, no idle connections",
        package: "lab02-tcp-loop",
        bin: "lab02-server",
        args: &[],
        idle: false,
    },
    Server {
        label: "lab 6, thread per client",
        package: "lab06-threads",
        bin: "lab06-server",
        args: &["--max-clients", "4096"],
        idle: true,
    },
    Server {
        label: "lab 6, pool of 8",
        package: "lab06-threads",
        bin: "lab06-server",
        args: &["--pool", "8"],
        idle: true,
    },
    Server {
        label: "lab 7, event loop",
        package: "lab07-event-loop",
        bin: "lab07-server",
        args: &[],
        idle: true,
    },
];

struct Row {
    label: &'static str,
    rates: Vec<Option<f64>>,
    peak_kib: Option<u64>,
    peak_threads: Option<u64>,
    note: String,
}

fn main() {
    let lab07 = PathBuf::from(env!("CARGO_BIN_EXE_lab07-server"));
    let bin_dir = lab07.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    println!(
        "the cost of a connection: {IDLE} idle connections held open; each cell counts echo \
         round trips in {} ms, loopback only",
        PHASE.as_millis()
    );
    let raw = raw_round_trips();
    println!("raw loopback round trip (an echo thread in this process, 1 client): {raw:.0} req/s");
    let mut rows = Vec::new();
    for server in &SERVERS {
        let built = root.join("labs").join(dir_of(server.package)).exists()
            && build(server.package, server.bin);
        if !built {
            rows.push(Row {
                label: server.label,
                rates: vec![None; CLIENTS.len()],
                peak_kib: None,
                peak_threads: None,
                note: "not built (no such lab in this copy)".into(),
            });
            continue;
        }
        rows.push(measure(server, &bin_dir.join(server.bin)));
    }
    print_table(&rows, raw);
}

fn dir_of(package: &str) -> String {
    // lab07-event-loop -> 07-event-loop
    package.trim_start_matches("lab").to_owned()
}

fn build(package: &str, bin: &str) -> bool {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(["build", "--release", "-q", "-p", package, "--bin", bin])
        .status()
        .is_ok_and(|s| s.success())
}

fn measure(server: &Server, path: &Path) -> Row {
    let mut row = Row {
        label: server.label,
        rates: Vec::new(),
        peak_kib: None,
        peak_threads: None,
        note: String::new(),
    };
    let mut args = vec!["127.0.0.1:0"];
    args.extend_from_slice(server.args);
    let Some((mut child, addr)) = start(path, &args) else {
        row.rates = vec![None; CLIENTS.len()];
        row.note = format!("could not start `{} {}`", server.bin, args.join(" "));
        return row;
    };
    // A server that does not accept stops being connectable once its
    // backlog is full: the first connect that times out ends the opening.
    let mut idle: Vec<TcpStream> = Vec::with_capacity(IDLE);
    let wanted = if server.idle { IDLE } else { 0 };
    while idle.len() < wanted {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => idle.push(stream),
            Err(_) => break,
        }
    }
    if idle.len() < wanted {
        row.note = format!(
            "only {} of {IDLE} idle connections could connect (the server does not accept \
             them: its backlog is full)",
            idle.len()
        );
    }
    let pid = child.id();
    let mut threads = 0;
    let mut short = Vec::new();
    for &n in &CLIENTS {
        let (rate, connected, seen) = phase(addr, n, pid);
        threads = threads.max(seen.unwrap_or(0));
        row.rates.push(Some(rate));
        if connected < n {
            short.push(format!("{connected} of {n}"));
        }
    }
    if !short.is_empty() {
        let clients = format!("clients that could connect: {}", short.join(", "));
        row.note = if row.note.is_empty() {
            clients
        } else {
            format!("{}; {clients}", row.note)
        };
    }
    row.peak_threads = (threads > 0).then_some(threads);
    row.peak_kib = status_field(pid, "VmHWM:");
    drop(idle);
    let _ = child.kill();
    let _ = child.wait();
    row
}

/// Starts a server and reads its `listening on IP:PORT`; its other output
/// is drained (and dropped) by a thread. Its stdin is a pipe kept open in
/// the `Child` until the server is killed: lab 6 stops accepting at the end
/// of its input, which an empty stdin (`Stdio::null()`) would give at once.
fn start(path: &Path, args: &[&str]) -> Option<(Child, SocketAddr)> {
    let mut child = Command::new(path)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut out = BufReader::new(child.stdout.take()?);
    let mut line = String::new();
    out.read_line(&mut line).ok()?;
    let Some(addr) = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|a| a.parse().ok())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    };
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Some((child, addr))
}

/// `n` clients, one thread each: all connect first (each within
/// [`CONNECT_TIMEOUT`]), then together do echo round trips for [`PHASE`].
/// Returns the rate, how many connected, and the largest thread count of
/// the server seen while they ran (read when they start, and by each
/// client after its first round trip, when the server has accepted it and,
/// for lab 6, started its thread).
fn phase(addr: SocketAddr, n: usize, pid: u32) -> (f64, usize, Option<u64>) {
    let done = Arc::new(AtomicU64::new(0));
    let connected = Arc::new(AtomicU64::new(0));
    let threads = Arc::new(AtomicU64::new(0));
    // The clients that could connect and this thread start counting at
    // the same moment.
    let go = Arc::new(Barrier::new(n + 1));
    let workers: Vec<_> = (0..n)
        .map(|_| {
            let (done, connected, go, threads) = (
                Arc::clone(&done),
                Arc::clone(&connected),
                Arc::clone(&go),
                Arc::clone(&threads),
            );
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).ok();
                    if stream.is_some() {
                        connected.fetch_add(1, Ordering::SeqCst);
                    }
                    go.wait();
                    if let Some(stream) = stream {
                        client(stream, Instant::now() + PHASE, &done, || {
                            let seen = status_field(pid, "Threads:").unwrap_or(0);
                            threads.fetch_max(seen, Ordering::SeqCst);
                        });
                    }
                })
        })
        .collect();
    let spawned = workers.iter().filter(|w| w.is_ok()).count();
    // A client thread that could not start never reaches the barrier:
    // stand in for it.
    let stand_ins: Vec<_> = (spawned..n)
        .map(|_| {
            let go = Arc::clone(&go);
            std::thread::spawn(move || go.wait())
        })
        .collect();
    go.wait();
    let start = Instant::now();
    // A server that answers no one still has its threads.
    threads.fetch_max(status_field(pid, "Threads:").unwrap_or(0), Ordering::SeqCst);
    for worker in workers.into_iter().flatten() {
        let _ = worker.join();
    }
    for stand_in in stand_ins {
        let _ = stand_in.join();
    }
    let elapsed = start.elapsed().max(PHASE);
    let threads = threads.load(Ordering::SeqCst);
    (
        done.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64(),
        connected.load(Ordering::SeqCst) as usize,
        (threads > 0).then_some(threads),
    )
}

/// Echo round trips on one connection until `end`; `first` runs after
/// the first one.
fn client(mut stream: TcpStream, end: Instant, done: &AtomicU64, first: impl FnOnce()) {
    let mut first = Some(first);
    let _ = stream.set_nodelay(true);
    let mut reply = [0u8; REPLY_LEN];
    loop {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        let _ = stream.set_read_timeout(Some(left));
        if stream.write_all(MESSAGE).is_err() || stream.read_exact(&mut reply).is_err() {
            return;
        }
        done.fetch_add(1, Ordering::Relaxed);
        if let Some(first) = first.take() {
            first();
        }
    }
}

/// The physical limit: one client and an echo thread in this process.
fn raw_round_trips() -> f64 {
    let Ok(listener) = TcpListener::bind("127.0.0.1:0") else {
        return 0.0;
    };
    let Ok(addr) = listener.local_addr() else {
        return 0.0;
    };
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let _ = conn.set_nodelay(true);
            let mut buf = [0u8; 64];
            while let Ok(n) = conn.read(&mut buf) {
                if n == 0 || conn.write_all(&[b'x'; REPLY_LEN]).is_err() {
                    break;
                }
            }
        }
    });
    let done = AtomicU64::new(0);
    let Ok(stream) = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) else {
        return 0.0;
    };
    let start = Instant::now();
    client(stream, start + PHASE, &done, || {});
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// A field of `/proc/PID/status` (`VmHWM:` in kB, `Threads:`); `None`
/// where there is no `/proc`.
fn status_field(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

fn print_table(rows: &[Row], raw: f64) {
    let lab7: Vec<Option<f64>> = rows
        .iter()
        .find(|r| r.label.starts_with("lab 7"))
        .map(|r| r.rates.clone())
        .unwrap_or_default();
    println!();
    let head: Vec<String> = CLIENTS
        .iter()
        .map(|&n| format!("{n} client{}", if n == 1 { "" } else { "s" }))
        .collect();
    println!(
        "| server | {} | peak RSS | threads | note |",
        head.join(" | ")
    );
    println!("|---|{}---|---|---|", "---|".repeat(CLIENTS.len()));
    for row in rows {
        let cells: Vec<String> = row
            .rates
            .iter()
            .enumerate()
            .map(|(i, rate)| match rate {
                None => "-".to_owned(),
                Some(r) => {
                    let vs7 = lab7
                        .get(i)
                        .copied()
                        .flatten()
                        .filter(|l| *l > 0.0)
                        .map_or("-".to_owned(), |l| format!("{:.2}x", r / l));
                    let vs_raw = if raw > 0.0 {
                        format!("{:.2}x", r / raw)
                    } else {
                        "-".to_owned()
                    };
                    format!("{:.0} req/s ({vs7} of lab 7, {vs_raw} of raw)", r)
                }
            })
            .collect();
        let rss = row.peak_kib.map_or("unavailable".to_owned(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        });
        let threads = row
            .peak_threads
            .map_or("unavailable".to_owned(), |t| t.to_string());
        println!(
            "| {} | {} | {rss} | {threads} | {} |",
            row.label,
            cells.join(" | "),
            row.note
        );
    }
}
