//! Sequence diagrams drawn from transcripts, for the course book.
//!
//! A diagram is read from the text of a rendered transcript (what a
//! committed snapshot holds; `harness::report::read_snapshot` reads it),
//! never from a live run, so the picture in the book is exactly the
//! behaviour the snapshot specifies. Two renderings of the same reading:
//!
//! - [`svg`]: a standalone SVG picture, which the book inlines into its
//!   pages. It needs no JavaScript and no network, so it shows in any
//!   browser, offline, and in both the light and dark mdBook themes.
//! - [`mermaid`]: the same diagram as Mermaid `sequenceDiagram` text, for
//!   places that draw Mermaid themselves (GitHub, the Mermaid live editor).
//!
//! How a transcript is read:
//!
//! - each `[actor]` prefix is a participant, in order of first mention
//!   (`[lab01-client stderr]` is the participant `lab01-client`);
//! - `connected to ADDR`, `accepted a connection from NAME (…)`,
//!   `sent N bytes to NAME: …`, `received N bytes from NAME: …` and
//!   `received EOF: NAME closed …` become arrows between participants (the
//!   address a `listening on ADDR` line announced names its owner);
//! - a read that failed with a reset becomes a crossed arrow from the peer
//!   that reset;
//! - everything else an actor says or prints becomes a note over it, and
//!   lines of the `harness` a note across all participants.
//!
//! The output is deterministic and ends with a newline, so it can be
//! committed and compared byte for byte (the `book-check` tests do).

use std::collections::HashMap;

/// The actor whose lines are notes across the whole diagram.
const HARNESS: &str = "harness";

/// One line of a transcript, taken apart.
struct Line<'a> {
    actor: &'a str,
    stderr: bool,
    text: &'a str,
}

fn parse_line(line: &str) -> Option<Line<'_>> {
    let rest = line.strip_prefix('[')?;
    let (actor, text) = rest.split_once("] ")?;
    let (actor, stderr) = match actor.strip_suffix(" stderr") {
        Some(actor) => (actor, true),
        None => (actor, false),
    };
    Some(Line {
        actor,
        stderr,
        text,
    })
}

/// What one line draws.
enum Step {
    Arrow {
        from: String,
        to: String,
        style: &'static str,
        label: String,
    },
    Note {
        over: String,
        text: String,
    },
    HarnessNote(String),
}

/// `N bytes` or `1 byte` at the start of `text`; returns the count and
/// the rest.
fn split_count(text: &str) -> Option<(usize, &str)> {
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let count = text[..digits].parse().ok()?;
    let rest = &text[digits..];
    let rest = rest
        .strip_prefix(" bytes ")
        .or_else(|| rest.strip_prefix(" byte "))?;
    Some((count, rest))
}

/// `VERB N bytes PREP NAME: PAYLOAD` (`sent 3 bytes to x: "123"`) taken
/// apart into the count, the name and the payload.
fn transfer<'a>(text: &'a str, verb: &str, prep: &str) -> Option<(usize, &'a str, &'a str)> {
    let (count, rest) = split_count(text.strip_prefix(verb)?)?;
    let (name, payload) = rest.strip_prefix(prep)?.split_once(": ")?;
    Some((count, name, payload))
}

/// Reads one line's meaning. `owners` maps announced addresses
/// (`127.0.0.1:<server-port>`) to the actor listening there.
fn step_of(line: &Line<'_>, owners: &mut HashMap<String, String>) -> Step {
    let actor = line.actor.to_owned();
    let text = line.text;
    let note = || Step::Note {
        over: actor.clone(),
        text: if line.stderr {
            format!("stderr: {text}")
        } else {
            text.to_owned()
        },
    };
    if line.stderr {
        return note();
    }
    if actor == HARNESS {
        return Step::HarnessNote(text.to_owned());
    }
    if let Some(addr) = text.strip_prefix("listening on ") {
        owners.insert(addr.trim().to_owned(), actor.clone());
        return note();
    }
    if let Some(addr) = text.strip_prefix("connected to ") {
        if let Some(owner) = owners.get(addr.trim()) {
            return Step::Arrow {
                from: actor,
                to: owner.clone(),
                style: "->>",
                label: "connect".to_owned(),
            };
        }
        return note();
    }
    if let Some(rest) = text.strip_prefix("accepted a connection from ") {
        let from = rest.split_once(" (").map_or(rest, |(name, _)| name);
        return Step::Arrow {
            from: from.to_owned(),
            to: actor,
            style: "->>",
            label: "connect (accepted)".to_owned(),
        };
    }
    if let Some((count, to, payload)) = transfer(text, "sent ", "to ") {
        return Step::Arrow {
            from: actor,
            to: to.to_owned(),
            style: "->>",
            label: format!("{}: {payload}", labkit::byte_count(count)),
        };
    }
    if let Some(rest) = text.strip_prefix("received EOF: ") {
        let from = rest.split_once(" closed").map_or(rest, |(name, _)| name);
        return Step::Arrow {
            from: from.to_owned(),
            to: actor,
            style: "-->>",
            label: "close: EOF (a read of 0 bytes)".to_owned(),
        };
    }
    if let Some((count, from, payload)) = transfer(text, "received ", "from ") {
        return Step::Arrow {
            from: from.to_owned(),
            to: actor,
            style: "->>",
            label: format!("{}: {payload}", labkit::byte_count(count)),
        };
    }
    if let Some((from, _)) = text
        .strip_prefix("read failed: connection reset by peer (")
        .and_then(|rest| rest.split_once(" closed with RST"))
    {
        return Step::Arrow {
            from: from.to_owned(),
            to: actor,
            style: "-x",
            label: "RST: connection reset by peer".to_owned(),
        };
    }
    note()
}

/// Makes text safe inside a Mermaid message or note: characters Mermaid
/// reads as syntax or as HTML (`#`, `;`, `<`, `>`) become entity codes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Adds `name` to the participants if it is new (the harness is not one).
fn meet(name: &str, participants: &mut Vec<String>) {
    if name != HARNESS && !participants.iter().any(|p| p == name) {
        participants.push(name.to_owned());
    }
}

/// A transcript read as participants and the steps between them.
struct Diagram {
    participants: Vec<String>,
    steps: Vec<Step>,
}

impl Diagram {
    fn parse(transcript: &str) -> Diagram {
        let mut owners = HashMap::new();
        let mut participants: Vec<String> = Vec::new();
        let mut steps = Vec::new();
        for line in transcript.lines().filter_map(parse_line) {
            meet(line.actor, &mut participants);
            let step = step_of(&line, &mut owners);
            if let Step::Arrow { from, to, .. } = &step {
                meet(from, &mut participants);
                meet(to, &mut participants);
            }
            steps.push(step);
        }
        Diagram {
            participants,
            steps,
        }
    }

    fn column(&self, name: &str) -> usize {
        self.participants
            .iter()
            .position(|p| p == name)
            .unwrap_or(0)
    }
}

/// The Mermaid `sequenceDiagram` of a rendered transcript: the text form of
/// the diagram, which GitHub and the Mermaid live editor draw. Lines that
/// do not start with `[actor] ` are skipped.
pub fn mermaid(transcript: &str) -> String {
    let diagram = Diagram::parse(transcript);
    let id = |name: &str| format!("P{}", diagram.column(name));
    let mut out = String::from("sequenceDiagram\n");
    for (index, name) in diagram.participants.iter().enumerate() {
        out.push_str(&format!("    participant P{index} as {}\n", escape(name)));
    }
    let span = match (diagram.participants.first(), diagram.participants.last()) {
        (Some(first), Some(last)) if first != last => format!("{},{}", id(first), id(last)),
        (Some(first), _) => id(first),
        _ => String::new(),
    };
    for step in &diagram.steps {
        let line = match step {
            Step::Arrow {
                from,
                to,
                style,
                label,
            } => format!("{}{style}{}: {}", id(from), id(to), escape(label)),
            Step::Note { over, text } => format!("Note over {}: {}", id(over), escape(text)),
            Step::HarnessNote(text) if !span.is_empty() => {
                format!("Note over {span}: harness: {}", escape(text))
            }
            Step::HarnessNote(_) => continue,
        };
        out.push_str("    ");
        out.push_str(&line);
        out.push('\n');
    }
    out
}

// The geometry of the SVG drawing, in pixels. Text is 12 px monospace: an
// ASCII character is about 7.2 px wide, a CJK character about 12 px, so
// widths are counted in "cells" of 7.5 px with wide characters as 2.
const COLUMN: usize = 300;
const MARGIN: usize = 20;
const CELL: f64 = 7.5;
const LINE: usize = 16;
const HEAD: usize = 34;
const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Noto Sans Mono CJK SC', monospace";

/// How many cells a character takes: 2 for East Asian wide characters.
fn cells(c: char) -> usize {
    let wide = matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    if wide { 2 } else { 1 }
}

/// Breaks `text` into lines of at most `width` cells, at spaces when it
/// can and anywhere when a word is longer than a line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split(' ') {
        let word_cells: usize = word.chars().map(cells).sum();
        if used > 0 && used + 1 + word_cells <= width {
            line.push(' ');
            line.push_str(word);
            used += 1 + word_cells;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for c in word.chars() {
            if used + cells(c) > width && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cells(c);
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn text_lines(out: &mut String, x: usize, top: usize, anchor: &str, lines: &[String]) {
    for (i, line) in lines.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>\n",
            top + LINE * (i + 1) - 4,
            xml(line)
        ));
    }
}

/// The 64-bit FNV-1a hash: small, stable across platforms and releases
/// (unlike `std`'s `DefaultHasher`), enough to tell diagrams apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The sequence diagram of a rendered transcript as a standalone SVG
/// picture: one column per participant, arrows for bytes, connections and
/// closes, notes for what programs print. It has no blank line, so it can
/// be pasted into Markdown as one HTML block, and it draws its own white
/// background so it reads the same in light and dark themes.
pub fn svg(transcript: &str) -> String {
    let diagram = Diagram::parse(transcript);
    // Marker ids are page-wide in HTML: a page with two diagrams needs two
    // sets, so each diagram names its own after a hash of its transcript.
    let tag = format!("{:08x}", fnv1a(transcript.as_bytes()) as u32);
    let columns = diagram.participants.len().max(1);
    let width = MARGIN * 2 + COLUMN * columns;
    let center = |name: &str| MARGIN + COLUMN * diagram.column(name) + COLUMN / 2;
    let fits = |px: usize| ((px as f64) / CELL).floor() as usize;
    let mut body = String::new();
    let mut y = MARGIN + HEAD + 10;
    for step in &diagram.steps {
        match step {
            Step::Arrow {
                from,
                to,
                style,
                label,
            } => {
                let (x1, x2) = (center(from), center(to));
                let span = x1.abs_diff(x2).max(COLUMN);
                let lines = wrap(label, fits(span - 16));
                text_lines(&mut body, x1.midpoint(x2), y, "middle", &lines);
                y += LINE * lines.len() + 4;
                let dash = if style.starts_with("--") {
                    " stroke-dasharray=\"6 4\""
                } else {
                    ""
                };
                let head = if style.ends_with('x') {
                    "cross"
                } else {
                    "arrow"
                };
                body.push_str(&format!(
                    "<line x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#333\" stroke-width=\"1.5\"{dash} marker-end=\"url(#{head}-{tag})\"/>\n"
                ));
                y += 14;
            }
            Step::Note { over, text } => {
                let lines = wrap(text, fits(COLUMN - 24));
                let longest = lines
                    .iter()
                    .map(|l| l.chars().map(cells).sum::<usize>())
                    .max()
                    .unwrap_or(0);
                let w = ((longest as f64) * CELL).ceil() as usize + 16;
                let h = LINE * lines.len() + 8;
                let x = center(over);
                body.push_str(&format!(
                    "<rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"3\" fill=\"#fff8c4\" stroke=\"#b59f3b\"/>\n",
                    x - w / 2
                ));
                text_lines(&mut body, x, y + 4, "middle", &lines);
                y += h + 8;
            }
            Step::HarnessNote(text) => {
                let inner = width - 2 * MARGIN - 16;
                let lines = wrap(&format!("harness: {text}"), fits(inner));
                let h = LINE * lines.len() + 8;
                body.push_str(&format!(
                    "<rect x=\"{MARGIN}\" y=\"{y}\" width=\"{}\" height=\"{h}\" rx=\"3\" fill=\"#e8eef7\" stroke=\"#7a8ca8\"/>\n",
                    width - 2 * MARGIN
                ));
                text_lines(&mut body, width / 2, y + 4, "middle", &lines);
                y += h + 8;
            }
        }
    }
    let height = y + 6 + HEAD + MARGIN;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"{FONT}\" font-size=\"12\" fill=\"#222\" role=\"img\" style=\"max-width: 100%; height: auto\">\n"
    );
    out.push_str("<defs>\n");
    out.push_str(&format!("<marker id=\"arrow-{tag}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>\n"));
    out.push_str(&format!("<marker id=\"cross-{tag}\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\"><path d=\"M1,1 L9,9 M9,1 L1,9\" stroke=\"#b00\" stroke-width=\"2\"/></marker>\n"));
    out.push_str("</defs>\n");
    out.push_str(&format!(
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"
    ));
    let bottom = height - MARGIN - HEAD;
    for name in &diagram.participants {
        let x = center(name);
        out.push_str(&format!(
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n",
            MARGIN + HEAD
        ));
        for top in [MARGIN, bottom] {
            out.push_str(&format!(
                "<rect x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{HEAD}\" rx=\"4\" fill=\"#dde7f5\" stroke=\"#4a6fa5\"/>\n",
                x - COLUMN / 2 + 30,
                COLUMN - 60
            ));
            out.push_str(&format!(
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n",
                top + HEAD / 2 + 4,
                xml(name)
            ));
        }
    }
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_server_exchange_becomes_arrows_and_notes() {
        let transcript = "\
[lab01-server] started the program under test with arguments: 127.0.0.1:0
[lab01-server] listening on 127.0.0.1:<server-port>
[client] connected to 127.0.0.1:<server-port>
[client] sent 3 bytes to lab01-server: \"123\"
[lab01-server] 123
[client] received 9 bytes from lab01-server: \"已收到\"
[client] received EOF: lab01-server closed the connection (a read of 0 bytes)
[lab01-server] exited with status 0";
        assert_eq!(
            mermaid(transcript),
            "\
sequenceDiagram
    participant P0 as lab01-server
    participant P1 as client
    Note over P0: started the program under test with arguments: 127.0.0.1:0
    Note over P0: listening on 127.0.0.1:#lt;server-port#gt;
    P1->>P0: connect
    P1->>P0: 3 bytes: \"123\"
    Note over P0: 123
    P0->>P1: 9 bytes: \"已收到\"
    P0-->>P1: close: EOF (a read of 0 bytes)
    Note over P0: exited with status 0
"
        );
    }

    #[test]
    fn accepts_resets_stderr_and_harness_lines() {
        let transcript = "\
[server] listening on 127.0.0.1:<server-port>
[harness] typed into lab01-client's stdin: \"1;2#\"
[server] accepted a connection from lab01-client (127.0.0.1:<lab01-client-port>)
[server] received 1 byte from lab01-client: \"x\"
[server] read failed: connection reset by peer (lab01-client closed with RST instead of FIN)
[lab01-client stderr] error: oops";
        assert_eq!(
            mermaid(transcript),
            "\
sequenceDiagram
    participant P0 as server
    participant P1 as lab01-client
    Note over P0: listening on 127.0.0.1:#lt;server-port#gt;
    Note over P0,P1: harness: typed into lab01-client's stdin: \"1#59;2#35;\"
    P1->>P0: connect (accepted)
    P1->>P0: 1 byte: \"x\"
    P1-xP0: RST: connection reset by peer
    Note over P1: stderr: error: oops
"
        );
    }
    #[test]
    fn the_svg_is_one_html_block_with_escaped_text() {
        let transcript = "\
[lab01-server] listening on 127.0.0.1:<server-port>
[client] connected to 127.0.0.1:<server-port>
[client] sent 9 bytes to lab01-server: \"已收到\"
[client] received EOF: lab01-server closed the connection (a read of 0 bytes)";
        let svg = svg(transcript);
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>\n"));
        // Markdown ends an HTML block at a blank line.
        assert!(!svg.contains("\n\n"));
        assert!(svg.contains("127.0.0.1:&lt;server-port&gt;"));
        assert!(svg.contains("&quot;已收到&quot;"));
        assert!(svg.contains("marker-end=\"url(#arrow-"));
        assert!(svg.contains("stroke-dasharray=\"6 4\""), "EOF is dashed");
    }

    #[test]
    fn wrapping_counts_wide_characters_twice() {
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
        assert_eq!(wrap("已收到已收到", 6), ["已收到", "已收到"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), [""]);
    }
}
