//! `cargo bench -p lab05-framing`: what framing costs, measured over
//! loopback, as ratios between three ways of sending the same messages.
//!
//! For payloads of 16 B, 1 KiB and 64 KiB, a client sends messages to an
//! echo server one at a time, each time waiting for the echo (request and
//! response, as in an RPC):
//!
//! - (a) framed, one write per frame: `write_frame`, header and payload
//!   handed to the socket in one call;
//! - (b) framed, two writes per frame: header, then payload, with
//!   TCP_NODELAY, so each write is a system call and leaves as a segment;
//! - (c) raw: the same payload bytes with no header, echoed by a server
//!   that copies whatever it reads: the ceiling.
//!
//! All three set TCP_NODELAY on both ends, so the only difference between
//! (a) and (b) is the number of writes. Each cell is the median of three
//! runs of about 0.3 s (the message count is calibrated first).
//!
//! Then it streams 1 GiB of 64 KiB frames through the real `lab05-server`
//! and reads the server's peak resident memory (VmHWM, Linux only), which
//! must stay far below 32 MiB: a `FrameReader` holds one frame at a time.
//!
//! A plain `harness = false` binary rather than criterion or divan: the
//! result that matters is a ratio between three variants of one workload
//! over real sockets, run once, in a bounded time (under 10 s here), and
//! the lab needs no extra dependencies for it.

use lab05_framing::frame::{FrameReader, HEADER_LEN, write_frame};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// No single step of the benchmark may take longer than this.
const IO_TIMEOUT: Duration = Duration::from_secs(20);
/// Each measured run aims at this duration.
const RUN_TARGET: Duration = Duration::from_millis(300);
const REPETITIONS: usize = 3;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    OneWrite,
    TwoWrites,
    Raw,
}

fn with_timeouts(stream: &TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)
}

/// Header, then payload: two calls, two system calls, two segments.
fn write_frame_in_two_writes(stream: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len()).map_err(io::Error::other)?;
    stream.write_all(&len.to_be_bytes())?;
    stream.write_all(payload)
}

/// An echo server for one connection, on a thread of this process.
fn echo_server(mode: Mode) -> io::Result<(SocketAddr, thread::JoinHandle<io::Result<()>>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let handle = thread::spawn(move || -> io::Result<()> {
        let (stream, _) = listener.accept()?;
        with_timeouts(&stream)?;
        let mut out = stream.try_clone()?;
        match mode {
            Mode::Raw => {
                let mut input = stream;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = input.read(&mut buf)?;
                    if n == 0 {
                        return Ok(());
                    }
                    out.write_all(&buf[..n])?;
                }
            }
            Mode::OneWrite | Mode::TwoWrites => {
                let mut frames = FrameReader::new(stream);
                while let Some(payload) = frames.read_frame()? {
                    if mode == Mode::OneWrite {
                        write_frame(&mut out, &payload)?;
                    } else {
                        write_frame_in_two_writes(&mut out, &payload)?;
                    }
                }
                Ok(())
            }
        }
    });
    Ok((addr, handle))
}

/// Sends `count` messages of `payload_len` bytes through an echo server,
/// one at a time (request, then wait for the echo: the pattern of an RPC),
/// and returns the time taken.
fn run(mode: Mode, payload_len: usize, count: usize) -> io::Result<Duration> {
    let (addr, server) = echo_server(mode)?;
    let stream = TcpStream::connect(addr)?;
    with_timeouts(&stream)?;
    let payload: Vec<u8> = (0..payload_len).map(|i| (i % 251) as u8).collect();
    let mut out = &stream;
    let mut input = &stream;
    let mut frames = FrameReader::new(&stream);
    let mut echo = vec![0u8; payload_len];
    let started = Instant::now();
    for _ in 0..count {
        match mode {
            Mode::OneWrite => write_frame(&mut out, &payload)?,
            Mode::TwoWrites => write_frame_in_two_writes(&mut out, &payload)?,
            Mode::Raw => out.write_all(&payload)?,
        }
        match mode {
            // The raw server echoes whatever each read gave it: collect
            // the payload's length back, however it was cut.
            Mode::Raw => input.read_exact(&mut echo)?,
            Mode::OneWrite | Mode::TwoWrites => {
                let got = frames.read_frame()?.ok_or(io::ErrorKind::UnexpectedEof)?;
                assert_eq!(got.len(), payload_len);
            }
        }
    }
    let elapsed = started.elapsed();
    stream.shutdown(Shutdown::Write)?;
    server.join().expect("the server thread panicked")?;
    Ok(elapsed)
}

/// Messages per second for one cell: calibrate a count, then the median of
/// [`REPETITIONS`] runs.
fn messages_per_second(mode: Mode, payload_len: usize) -> io::Result<f64> {
    let probe = 500;
    let took = run(mode, payload_len, probe)?;
    let rate = probe as f64 / took.as_secs_f64();
    let count = ((rate * RUN_TARGET.as_secs_f64()) as usize).clamp(1_000, 2_000_000);
    let mut rates = Vec::with_capacity(REPETITIONS);
    for _ in 0..REPETITIONS {
        let took = run(mode, payload_len, count)?;
        rates.push(count as f64 / took.as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    Ok(rates[REPETITIONS / 2])
}

fn human(rate: f64) -> String {
    if rate >= 1e6 {
        format!("{:.2} M", rate / 1e6)
    } else {
        format!("{:.0} k", rate / 1e3)
    }
}

fn throughput_table() -> io::Result<()> {
    println!(
        "| payload | (a) one write/frame | (b) two writes, TCP_NODELAY | (c) raw, no framing | a / b | a / c |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, len) in [("16 B", 16), ("1 KiB", 1024), ("64 KiB", 64 * 1024)] {
        let a = messages_per_second(Mode::OneWrite, len)?;
        let b = messages_per_second(Mode::TwoWrites, len)?;
        let c = messages_per_second(Mode::Raw, len)?;
        println!(
            "| {name} | {} msg/s | {} msg/s | {} msg/s | {:.2}x | {:.2}x |",
            human(a),
            human(b),
            human(c),
            a / b,
            a / c
        );
    }
    Ok(())
}

/// The peak resident memory of a process, from `/proc/PID/status`.
#[cfg(target_os = "linux")]
fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(not(target_os = "linux"))]
fn peak_memory_kib(_pid: u32) -> Option<u64> {
    None
}

/// Streams 1 GiB of 64 KiB frames through the real lab05-server.
fn server_memory() -> io::Result<()> {
    const FRAME: usize = 64 * 1024;
    const FRAMES: usize = 16 * 1024; // 16384 x 64 KiB = 1 GiB
    let mut child = Command::new(env!("CARGO_BIN_EXE_lab05-server"))
        .arg("127.0.0.1:0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let pid = child.id();
    // A thread drains the server's stdout (one line per message) and
    // reports the lines that matter: the address, and the end of a client.
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout is piped");
    let drain = thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("listening on ") || line.contains("closed the connection") {
                let _ = tx.send(line);
            }
        }
    });
    let result = (|| -> io::Result<()> {
        let first = rx.recv_timeout(IO_TIMEOUT).map_err(io::Error::other)?;
        let addr: SocketAddr = first
            .trim_start_matches("listening on ")
            .parse()
            .map_err(io::Error::other)?;
        let before = peak_memory_kib(pid);
        let stream = TcpStream::connect(addr)?;
        with_timeouts(&stream)?;
        let mut out = stream.try_clone()?;
        let started = Instant::now();
        let writer = thread::spawn(move || -> io::Result<()> {
            let payload = vec![b'x'; FRAME];
            for _ in 0..FRAMES {
                write_frame(&mut out, &payload)?;
            }
            out.shutdown(Shutdown::Write)
        });
        let mut frames = FrameReader::new(&stream);
        for _ in 0..FRAMES {
            frames.read_frame()?.ok_or(io::ErrorKind::UnexpectedEof)?;
        }
        let elapsed = started.elapsed();
        writer.join().expect("the writer thread panicked")?;
        drop(frames);
        drop(stream);
        // Wait until the server has finished with this client.
        let bye = rx.recv_timeout(IO_TIMEOUT).map_err(io::Error::other)?;
        println!(
            "1 GiB in {FRAMES} frames of 64 KiB echoed by lab05-server in {:.2} s ({:.0} MiB/s each way); server said: {bye}",
            elapsed.as_secs_f64(),
            1024.0 / elapsed.as_secs_f64()
        );
        match (before, peak_memory_kib(pid)) {
            (Some(before), Some(peak)) => {
                println!(
                    "lab05-server peak resident memory (VmHWM): {:.1} MiB after start, {:.1} MiB after 1 GiB (limit 32 MiB): {}",
                    before as f64 / 1024.0,
                    peak as f64 / 1024.0,
                    if peak < 32 * 1024 {
                        "bounded"
                    } else {
                        "TOO HIGH"
                    }
                );
            }
            _ => println!("peak memory: measured on Linux only (/proc/PID/status)"),
        }
        Ok(())
    })();
    // The server loops forever: stop the one we started.
    let _ = child.kill();
    let _ = child.wait();
    let _ = drain.join();
    result
}

fn main() -> io::Result<()> {
    // `cargo test --benches` runs bench targets with `--test`-like flags;
    // only measure under `cargo bench` (which passes `--bench`).
    if !std::env::args().any(|a| a == "--bench") {
        println!("echo benchmark: run it with `cargo bench -p lab05-framing`");
        return Ok(());
    }
    let started = Instant::now();
    println!(
        "framed echo over loopback, messages per second (median of {REPETITIONS} runs of ~{} ms; header {HEADER_LEN} bytes)\n",
        RUN_TARGET.as_millis()
    );
    // `cargo bench -p lab05-framing -- table` (or `-- memory`) runs one part.
    let only = |part: &str| {
        let filters: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        filters.is_empty() || filters.iter().any(|f| f == part)
    };
    if only("table") {
        throughput_table()?;
        println!();
    }
    if only("memory") {
        server_memory()?;
    }
    println!("\nbenchmark took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
