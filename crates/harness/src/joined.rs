//! A program that prints one line per `read` (lab 7's server): how many
//! lines one long write gives depends on how the kernel cuts the bytes
//! into reads, which a transcript must not depend on. This step waits for
//! lines until, joined, they are the whole of what was sent, and records
//! one transcript line whatever their number.

use crate::escape::quote_bytes;
use crate::transcript::{EventKind, Stream};
use crate::{Program, STEP_TIMEOUT, Step, Stop};

impl Program {
    /// Waits for lines (each within [`STEP_TIMEOUT`]) until, joined, they
    /// are `expected`, and returns how many there were. Records one line,
    /// `NAME printed lines that, joined, are EXPECTED`, not the lines. A line
    /// that does not continue `expected` is recorded as printed, and the
    /// scenario stops; so does a missing line, with how much of `expected`
    /// had been printed.
    pub fn expect_lines_joined(&mut self, expected: &[u8]) -> Step<usize> {
        let name = self.name();
        let log = self.0.borrow().log().clone();
        let mut printed = 0;
        let mut lines = 0;
        while printed < expected.len() {
            let Some(line) = self.try_take_line(STEP_TIMEOUT)? else {
                self.log_line_timeout(STEP_TIMEOUT);
                log.say(
                    "harness",
                    format!(
                        "{name} had printed {lines} lines holding {printed} of the {} bytes \
                         expected",
                        expected.len()
                    ),
                );
                return Err(Stop);
            };
            lines += 1;
            let continues = !line.is_empty() && expected[printed..].starts_with(&line);
            if !continues {
                log.push(
                    &name,
                    EventKind::Output {
                        stream: Stream::Stdout,
                        line,
                    },
                );
                log.say(
                    "harness",
                    format!(
                        "line {lines} of {name} does not continue what was sent: {printed} of \
                         the {} bytes expected had been printed before it",
                        expected.len()
                    ),
                );
                return Err(Stop);
            }
            printed += line.len();
        }
        log.say(
            "harness",
            format!(
                "{name} printed lines that, joined, are {} (one line per read: how many depends \
                 on how the kernel cut the bytes into reads)",
                quote_bytes(expected)
            ),
        );
        Ok(lines)
    }
}
