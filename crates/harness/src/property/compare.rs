//! What a property compares: the lines a program printed, two byte
//! strings (named by their first differing byte), and a stream sent cut
//! at chosen places.

use crate::transcript::{EventKind, Stream};
use crate::{STEP_TIMEOUT, Step, Stop, TcpPeer, Transcript};
use std::io::Write;

/// The lines `program` printed on stdout, in order (those read after the
/// story stopped included).
pub fn stdout_lines(transcript: &Transcript, program: &str) -> Vec<Vec<u8>> {
    let late = format!("{program}{}", crate::transcript::AFTER_THE_STOP);
    transcript
        .events
        .iter()
        .filter(|e| e.actor == program || e.actor == late)
        .filter_map(|e| match &e.kind {
            EventKind::Output {
                stream: Stream::Stdout,
                line,
            } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

/// Where two byte strings first differ, shown with [`labkit::preview`]
/// around that point (`…` where the shown part is cut).
pub fn difference(expected: &[u8], got: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(got.len()));
    let window = |bytes: &[u8]| {
        let start = at.saturating_sub(8).min(bytes.len());
        let end = (at + 24).min(bytes.len());
        format!(
            "{}{}{}",
            if start > 0 { "…" } else { "" },
            labkit::preview(&bytes[start..end]),
            if end < bytes.len() { "…" } else { "" }
        )
    };
    let sizes = if expected.len() == got.len() {
        format!("{} bytes each", expected.len())
    } else {
        format!("expected {} bytes, got {}", expected.len(), got.len())
    };
    if at == 0 {
        format!(
            "{sizes}: expected {}, got {}",
            labkit::preview(expected),
            labkit::preview(got)
        )
    } else {
        format!(
            "{sizes}, the first difference at byte {at}: expected {}, got {}",
            window(expected),
            window(got)
        )
    }
}

/// Writes `bytes` to `peer` as separate writes cut at `cuts` (offsets
/// from [`Rng::cuts`]), with TCP_NODELAY on so that each piece leaves as
/// its own segment; the program under test may read them one by one or
/// merged, and must give the same result either way. Recorded as one line.
///
/// # Errors
///
/// [`Stop`] when a write fails or times out (the transcript says so).
pub fn send_cut(peer: &mut TcpPeer, to: &str, bytes: &[u8], cuts: &[usize]) -> Step {
    let mut stream = peer.stream();
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(STEP_TIMEOUT));
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&bytes.len())) {
        if end <= start || end > bytes.len() {
            continue;
        }
        if let Err(e) = stream.write_all(&bytes[start..end]) {
            peer.say(format!(
                "could not send bytes {start}..{end} of {}: {}",
                bytes.len(),
                crate::describe_io_error(&e)
            ));
            return Err(Stop);
        }
        start = end;
    }
    peer.say(format!(
        "sent {} to {to} in {} separate writes (TCP_NODELAY on), cut after bytes {cuts:?}: {}",
        labkit::byte_count(bytes.len()),
        cuts.len() + 1,
        labkit::preview(bytes)
    ));
    Ok(())
}
