//! The course book's consistency checks: each test names what is wrong and
//! how to fix it.
//!
//! The book has two editions with the same file names, `docs/zh/src` and
//! `docs/en/src`. Code and diagrams are never copied into them: a page pulls
//! them in with mdBook's `{{#include PATH}}` or `{{#include PATH:ANCHOR}}`,
//! where ANCHOR is a `// ANCHOR: name` … `// ANCHOR_END: name` region of a
//! lab's source, or a diagram in `docs/diagrams/`.
//!
//! Pages, above all the errata (`errata.md`), cite scenarios and tests as
//! evidence in backquotes, in one of two forms:
//!
//! - `` `lab01/server_message_of_1500_bytes` ``: a scenario of lab 1; it must
//!   be listed in `labs/info.toml` and have its committed snapshot;
//! - `` `crates/book-check/tests/partial_send.rs::a_send_takes_only_what_fits` ``:
//!   a `#[test]` function in that file (path from the repository root).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use pretty_assertions::assert_eq;
use serde::Deserialize;

const EDITIONS: [&str; 2] = ["zh", "en"];

/// Set to redraw the committed diagrams instead of comparing them.
const UPDATE_ENV: &str = "UPDATE_DIAGRAMS";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn src(edition: &str) -> PathBuf {
    root().join("docs").join(edition).join("src")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The Markdown pages of an edition, as paths relative to its `src/`.
fn pages(edition: &str) -> BTreeSet<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeSet<PathBuf>) {
        let entries =
            fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.insert(path.strip_prefix(base).expect("inside base").to_owned());
            }
        }
    }
    let base = src(edition);
    let mut out = BTreeSet::new();
    walk(&base, &base, &mut out);
    out
}

/// The link targets of `SUMMARY.md`, in order: `[Title](file.md)`.
fn summary_links(edition: &str) -> Vec<String> {
    let text = read(&src(edition).join("SUMMARY.md"));
    let mut links = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            links.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    links
}

/// One `{{#include …}}` directive of a page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Include {
    path: String,
    anchor: Option<String>,
}

fn includes(text: &str) -> Vec<Include> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("{{#include ") {
        rest = &rest[at + "{{#include ".len()..];
        let Some(end) = rest.find("}}") else { break };
        let arg = rest[..end].trim();
        let (path, anchor) = match arg.split_once(':') {
            Some((path, anchor)) => (path, Some(anchor.to_owned())),
            None => (arg, None),
        };
        out.push(Include {
            path: path.to_owned(),
            anchor,
        });
        rest = &rest[end..];
    }
    out
}

#[test]
fn both_editions_have_the_same_pages() {
    let [zh, en] = EDITIONS.map(pages);
    assert!(!zh.is_empty(), "docs/zh/src has no pages");
    assert_eq!(
        zh, en,
        "docs/zh/src and docs/en/src must hold the same pages: write the missing page in the other edition"
    );
    let [zh, en] = EDITIONS.map(summary_links);
    assert_eq!(
        zh, en,
        "the two SUMMARY.md files must list the same pages in the same order"
    );
    for link in &zh {
        let page = src("zh").join(link);
        assert!(
            page.is_file(),
            "SUMMARY.md links to {link}, which does not exist"
        );
    }
}

#[test]
fn both_editions_include_the_same_code_and_diagrams() {
    for page in pages("zh") {
        let [zh, en] = EDITIONS.map(|e| includes(&read(&src(e).join(&page))));
        assert_eq!(
            zh,
            en,
            "{}: the two editions must include the same files and anchors, in the same order",
            page.display()
        );
    }
}

#[test]
fn every_include_names_a_file_and_anchor_that_exist() {
    let mut problems = Vec::new();
    for edition in EDITIONS {
        for page in pages(edition) {
            let page_path = src(edition).join(&page);
            let dir = page_path.parent().expect("a page is in a directory");
            for include in includes(&read(&page_path)) {
                let target = dir.join(&include.path);
                let Ok(text) = fs::read_to_string(&target) else {
                    problems.push(format!(
                        "{edition}/src/{}: {{{{#include {}}}}}: no such file",
                        page.display(),
                        include.path
                    ));
                    continue;
                };
                let Some(anchor) = &include.anchor else {
                    continue;
                };
                if anchor.chars().all(|c| c.is_ascii_digit() || c == ':') {
                    problems.push(format!(
                        "{edition}/src/{}: include {}:{anchor} by line numbers drifts when the file changes: use an ANCHOR",
                        page.display(),
                        include.path
                    ));
                    continue;
                }
                // `// ANCHOR: x` in code; `<!-- ANCHOR: x -->` in Markdown
                // (a README's table), hidden where the file is shown.
                let has = |marker: &str| {
                    text.lines().any(|line| {
                        let line = line.trim();
                        line.strip_prefix("// ")
                            .or_else(|| {
                                line.strip_prefix("<!-- ")
                                    .and_then(|l| l.strip_suffix(" -->"))
                            })
                            .and_then(|l| l.strip_prefix(marker))
                            .is_some_and(|name| name.trim() == anchor)
                    })
                };
                if !has("ANCHOR: ") || !has("ANCHOR_END: ") {
                    problems.push(format!(
                        "{edition}/src/{}: {} has no `// ANCHOR: {anchor}` … `// ANCHOR_END: {anchor}` region",
                        page.display(),
                        include.path
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "broken includes:\n{}",
        problems.join("\n")
    );
}

#[derive(Deserialize)]
struct Info {
    lab: Vec<Lab>,
}

#[derive(Deserialize)]
struct Lab {
    number: u32,
    name: String,
    scenarios: Vec<Scenario>,
}

#[derive(Deserialize)]
struct Scenario {
    name: String,
}

fn info() -> Info {
    toml::from_str(&read(&root().join("labs/info.toml"))).expect("labs/info.toml parses")
}

/// The committed snapshot of scenario `scenario` of lab `number`.
fn snapshot_path(info: &Info, number: u32, scenario: &str) -> Option<PathBuf> {
    let lab = info.lab.iter().find(|lab| lab.number == number)?;
    Some(
        root()
            .join("labs")
            .join(format!("{number:02}-{}", lab.name))
            .join("tests/snapshots")
            .join(format!("scenarios__{scenario}.snap")),
    )
}

/// Reads `labNN/scenario` into (NN, scenario).
fn scenario_ref(text: &str) -> Option<(u32, &str)> {
    let (lab, scenario) = text.strip_prefix("lab")?.split_once('/')?;
    let valid = lab.len() == 2
        && lab.chars().all(|c| c.is_ascii_digit())
        && !scenario.is_empty()
        && scenario
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then(|| (lab.parse().expect("two digits"), scenario))
}

/// Reads `path/to/file.rs::test_name`.
fn test_ref(text: &str) -> Option<(&str, &str)> {
    let (path, name) = text.split_once("::")?;
    (path.ends_with(".rs") && !name.is_empty()).then_some((path, name))
}

/// The texts in backquotes of a page.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The scenarios and tests a page cites, in order.
fn citations(text: &str) -> Vec<String> {
    code_spans(text)
        .into_iter()
        .filter(|span| scenario_ref(span).is_some() || test_ref(span).is_some())
        .map(str::to_owned)
        .collect()
}

fn has_test_fn(source: &str, name: &str) -> bool {
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    lines.iter().enumerate().any(|(i, line)| {
        line.starts_with(&format!("fn {name}("))
            && lines[..i]
                .iter()
                .rev()
                .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
                .any(|l| *l == "#[test]")
    })
}

#[test]
fn every_cited_scenario_and_test_exists() {
    let info = info();
    let errata = citations(&read(&src("zh").join("errata.md")));
    assert!(!errata.is_empty(), "errata.md cites no scenario or test");
    let mut cited_anywhere = Vec::new();
    for page in pages("zh") {
        let [zh, en] = EDITIONS.map(|e| citations(&read(&src(e).join(&page))));
        assert_eq!(
            zh,
            en,
            "{}: the two editions must cite the same scenarios and tests, in the same order",
            page.display()
        );
        cited_anywhere.extend(zh);
    }
    cited_anywhere.sort();
    cited_anywhere.dedup();
    let mut problems = Vec::new();
    for cited in &cited_anywhere {
        if let Some((number, scenario)) = scenario_ref(cited) {
            let listed = info.lab.iter().any(|lab| {
                lab.number == number && lab.scenarios.iter().any(|s| s.name == scenario)
            });
            if !listed {
                problems.push(format!(
                    "`{cited}`: lab {number} has no scenario `{scenario}` in labs/info.toml"
                ));
            }
            match snapshot_path(&info, number, scenario) {
                Some(path) if path.is_file() => {}
                Some(path) => problems.push(format!("`{cited}`: no snapshot {}", path.display())),
                None => problems.push(format!("`{cited}`: no lab {number} in labs/info.toml")),
            }
        } else if let Some((path, name)) = test_ref(cited) {
            match fs::read_to_string(root().join(path)) {
                Ok(source) if has_test_fn(&source, name) => {}
                Ok(_) => problems.push(format!("`{cited}`: {path} has no #[test] fn {name}")),
                Err(_) => problems.push(format!("`{cited}`: no such file {path}")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the book cites scenarios or tests that do not exist:\n{}",
        problems.join("\n")
    );
}

/// The diagrams the pages include: `docs/diagrams/labNN-SCENARIO.svg`.
fn diagrams_used() -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for edition in EDITIONS {
        for page in pages(edition) {
            for include in includes(&read(&src(edition).join(&page))) {
                if let Some(name) = include.path.strip_prefix("../../diagrams/") {
                    used.insert(name.to_owned());
                }
            }
        }
    }
    used
}

#[test]
fn every_diagram_is_drawn_from_its_snapshot() {
    let info = info();
    let dir = root().join("docs/diagrams");
    let update = std::env::var_os(UPDATE_ENV).is_some_and(|v| !v.is_empty() && v != "0");
    let used = diagrams_used();
    let mut problems = Vec::new();
    for name in &used {
        let parsed = name
            .strip_suffix(".svg")
            .and_then(|stem| stem.split_once('-'))
            .and_then(|(lab, scenario)| {
                scenario_ref(&format!("{lab}/{scenario}")).map(|(n, s)| (n, s.to_owned()))
            });
        let Some((number, scenario)) = parsed else {
            problems.push(format!("docs/diagrams/{name}: name it labNN-SCENARIO.svg"));
            continue;
        };
        let Some(snapshot) = snapshot_path(&info, number, &scenario)
            .and_then(|path| harness::report::read_snapshot(&path))
        else {
            problems.push(format!(
                "docs/diagrams/{name}: lab {number} has no snapshot for `{scenario}`"
            ));
            continue;
        };
        let drawn = book_check::diagram::svg(&snapshot);
        let path = dir.join(name);
        if update {
            fs::create_dir_all(&dir).expect("create docs/diagrams");
            fs::write(&path, &drawn).expect("write a diagram");
        } else if fs::read_to_string(&path).ok().as_deref() != Some(drawn.as_str()) {
            problems.push(format!("docs/diagrams/{name} is missing or stale"));
        }
    }
    if let Ok(entries) = fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !used.contains(&name) {
                if update {
                    fs::remove_file(entry.path()).expect("remove a stray diagram");
                } else {
                    problems.push(format!("docs/diagrams/{name} is not included by any page"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\nredraw the diagrams from the snapshots with: {UPDATE_ENV}=1 cargo test -p book-check --test book",
        problems.join("\n")
    );
}

/// The full-width punctuation of Chinese prose. (`…` is not in the list: it
/// is also the ellipsis of English text and of the code's own strings.)
const FULL_WIDTH: &[char] = &[
    '，', '。', '．', '：', '；', '、', '（', '）', '！', '？', '“', '”', '‘', '’', '《', '》',
    '【', '】',
];

/// The full-width characters that, between two digits, break an address or
/// a number (`3c：22`, `127。0`). A full-width comma between two numbers is
/// a clause break of Chinese prose (`65536，65507 字节`), so it is allowed.
const INSIDE_NUMBERS: &[char] = &['：', '。', '．'];

/// The complaints about one line of prose (code spans already blanked out):
/// a full-width colon or full stop inside an address or a number
/// (`3c：22`, `58:91：…`), and an ASCII comma between digits that is not a
/// thousands separator (`65536,65507` reads as one number: Chinese prose
/// writes `65536，65507`).
fn prose_problems(prose: &str) -> Vec<String> {
    let chars: Vec<char> = prose.chars().collect();
    let mut out = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        if INSIDE_NUMBERS.contains(&c) {
            let hex_before = before.is_some_and(|b| b.is_ascii_hexdigit());
            let hex_after = after.is_some_and(|a| a.is_ascii_hexdigit() || a == '…');
            let a_digit = before.is_some_and(|b| b.is_ascii_digit())
                || after.is_some_and(|a| a.is_ascii_digit());
            if hex_before && hex_after && a_digit {
                out.push(format!(
                    "full-width `{c}` inside an address or number: `{}`",
                    chars[i.saturating_sub(6)..(i + 7).min(chars.len())]
                        .iter()
                        .collect::<String>()
                ));
            }
        }
        if c == ',' && before.is_some_and(|b| b.is_ascii_digit()) {
            let digits_before = chars[..i]
                .iter()
                .rev()
                .take_while(|d| d.is_ascii_digit())
                .count();
            let digits_after = chars[i + 1..]
                .iter()
                .take_while(|d| d.is_ascii_digit())
                .count();
            if digits_after > 0 && (digits_before > 3 || digits_after != 3) {
                out.push(format!(
                    "`{}`: a comma between two numbers reads as one number; in Chinese prose write `，` and a space",
                    chars[i - digits_before..i + 1 + digits_after]
                        .iter()
                        .collect::<String>()
                ));
            }
        }
    }
    out
}

/// Every complaint about the punctuation of one page: full-width
/// punctuation in code (code blocks, `code spans`, `<code>…</code>`), or
/// touching an address or a number in prose.
fn punctuation_problems(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut in_block = false;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let full_width_in = |code: &str, what: &str, problems: &mut Vec<String>| {
            if let Some(c) = code.chars().find(|c| FULL_WIDTH.contains(c)) {
                problems.push(format!("line {n}: full-width `{c}` in {what}: {code}"));
            }
        };
        if in_block {
            full_width_in(line, "a code block", &mut problems);
            continue;
        }
        let mut prose = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 1 {
                full_width_in(part, "a code span", &mut problems);
                prose.push(' ');
                continue;
            }
            let mut rest = part;
            while let Some(at) = rest.find("<code>") {
                prose.push_str(&rest[..at]);
                let inner = &rest[at + "<code>".len()..];
                let end = inner.find("</code>").unwrap_or(inner.len());
                full_width_in(&inner[..end], "<code>", &mut problems);
                prose.push(' ');
                rest = inner.get(end + "</code>".len()..).unwrap_or("");
            }
            prose.push_str(rest);
        }
        problems.extend(
            prose_problems(&prose)
                .into_iter()
                .map(|p| format!("line {n}: {p}")),
        );
    }
    problems
}

#[test]
fn no_full_width_punctuation_touches_code_addresses_or_numbers() {
    let mut problems = Vec::new();
    for edition in EDITIONS {
        for page in pages(edition) {
            for problem in punctuation_problems(&read(&src(edition).join(&page))) {
                problems.push(format!("{edition}/src/{}: {problem}", page.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "full-width punctuation belongs to Chinese prose only, never inside code, addresses or numbers:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_punctuation_check_catches_the_mistakes_it_is_for() {
    let page = "\
MAC 3c：22：… and `todo！（）` and <code>todo！（）</code>
MTU 是 65536,65507 字节；188,363 行，65536，65507 字节，`a`，`b`
```python
print('好，')
```
";
    let problems = punctuation_problems(page);
    assert_eq!(problems.len(), 6, "{problems:#?}");
    assert!(problems[0].starts_with("line 1: full-width `！` in a code span"));
    assert!(problems[1].starts_with("line 1: full-width `！` in <code>"));
    assert!(problems[2].starts_with("line 1: full-width `：` inside an address"));
    assert!(problems[3].starts_with("line 1: full-width `：` inside an address"));
    assert!(problems[4].starts_with("line 2: `65536,65507`"));
    assert!(problems[5].starts_with("line 4: full-width `，` in a code block"));
}

/// What each errata row with evidence is about. Every scenario or test the
/// row cites must mention at least one of these texts (its committed
/// snapshot, or the test function with its doc comment), and the row's
/// citations together must mention all of them. Compared in lowercase.
///
/// A new row with evidence needs an entry here: name the call or the
/// behaviour that the evidence must show.
const ROW_TOPICS: &[(u32, &[&str])] = &[
    (4, &["connect", ".send_to(", ".listen("]),
    (5, &["ip_local_port_range", "ip_unprivileged_port_start"]),
    (10, &["the server has not accepted"]),
    (11, &["received eof: lab01-server closed"]),
    (12, &["time_wait"]),
    (15, &["[client a] sent", "[client b] sent"]),
    (
        16,
        &[
            "received 3 bytes from lab03-server: \"one\"",
            "\"helloworld!\"",
        ],
    ),
    (17, &["tcp_nodelay is on", "\"helloworld!\""]),
    (18, &["\"helloworld!\"", "recv #3"]),
    (
        19,
        &["write returned 0", "closed the connection without sending"],
    ),
    (20, &["received 0 bytes"]),
    (21, &["the rest is lost"]),
    (22, &["recv #2", "from_utf8 fails", "pieces of 1 byte"]),
    (23, &["65507", "65508", "65527"]),
    (24, &["received 65507 bytes"]),
    (25, &["message 1:", "got 3 of 12 bytes"]),
    (30, &["type::dgram, none", "protocol::tcp"]),
    (31, &["listen backlog"]),
    (32, &["accepted a client"]),
    (33, &["connection refused"]),
    (34, &[".write("]),
    (35, &["write_all"]),
    (38, &["connect", "local_addr"]),
    (39, &["connection reset by peer"]),
    (40, &[".write(", "suspended"]),
    (41, &["recv returned 0 bytes", "connection reset by peer"]),
    (42, &["no reply within"]),
    (43, &["recv #1: 5 bytes \"hello\""]),
    (46, &[".recv(", ".recv_from("]),
    (47, &["has not accepted", "accepted a client"]),
    (48, &["connection reset by peer"]),
];

/// The rows of the errata's tables with the citations of each: `| N | …`.
fn errata_rows(text: &str) -> Vec<(u32, Vec<String>)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| ")?;
            let (number, _) = rest.split_once(' ')?;
            let number = number.parse().ok()?;
            Some((number, citations(line)))
        })
        .collect()
}

/// The text a citation stands for: a scenario's committed snapshot, or a
/// test function with its doc comment and attributes.
fn cited_text(info: &Info, cited: &str) -> Option<String> {
    if let Some((number, scenario)) = scenario_ref(cited) {
        return fs::read_to_string(snapshot_path(info, number, scenario)?).ok();
    }
    let (path, name) = test_ref(cited)?;
    let source = fs::read_to_string(root().join(path)).ok()?;
    let lines: Vec<&str> = source.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(&format!("fn {name}(")))?;
    let start = lines[..at]
        .iter()
        .rev()
        .take_while(|l| {
            let l = l.trim_start();
            l.starts_with("#[") || l.starts_with("///")
        })
        .count();
    let end = lines[at..].iter().position(|l| *l == "}")? + at;
    Some(lines[at - start..=end].join("\n"))
}

/// The complaints about the errata's evidence, given the rows and a topic
/// table.
fn evidence_problems(
    info: &Info,
    rows: &[(u32, Vec<String>)],
    topics: &[(u32, &[&str])],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (row, cited) in rows {
        let Some((_, terms)) = topics.iter().find(|(n, _)| n == row) else {
            if !cited.is_empty() {
                problems.push(format!(
                    "row {row} cites evidence but has no entry in ROW_TOPICS: say what it must show"
                ));
            }
            continue;
        };
        if cited.is_empty() {
            problems.push(format!(
                "row {row} has an entry in ROW_TOPICS but cites nothing"
            ));
            continue;
        }
        let mut covered = vec![false; terms.len()];
        for citation in cited {
            let Some(text) = cited_text(info, citation) else {
                problems.push(format!("row {row}: `{citation}` cannot be read"));
                continue;
            };
            let text = text.to_lowercase();
            let mut mentions = false;
            for (i, term) in terms.iter().enumerate() {
                if text.contains(&term.to_lowercase()) {
                    covered[i] = true;
                    mentions = true;
                }
            }
            if !mentions {
                problems.push(format!(
                    "row {row}: `{citation}` mentions none of {terms:?}: it is not evidence for this row"
                ));
            }
        }
        for (term, covered) in terms.iter().zip(covered) {
            if !covered {
                problems.push(format!("row {row}: no cited evidence mentions {term:?}"));
            }
        }
    }
    for (row, _) in topics {
        if !rows.iter().any(|(n, _)| n == row) {
            problems.push(format!(
                "ROW_TOPICS names row {row}, which the errata do not have"
            ));
        }
    }
    problems
}

#[test]
fn every_errata_row_cites_evidence_of_what_it_is_about() {
    let info = info();
    for edition in EDITIONS {
        let rows = errata_rows(&read(&src(edition).join("errata.md")));
        assert!(
            rows.len() >= 40,
            "{edition}/src/errata.md: the table rows were not found"
        );
        let problems = evidence_problems(&info, &rows, ROW_TOPICS);
        assert!(
            problems.is_empty(),
            "{edition}/src/errata.md: evidence that does not show what its row claims:\n{}",
            problems.join("\n")
        );
    }
}

#[test]
fn the_evidence_check_refuses_evidence_about_something_else() {
    let info = info();
    // Row 40 used to cite a normal exchange for a claim about partial sends.
    let rows = vec![(40, vec!["lab01/server_normal_exchange".to_owned()])];
    let problems = evidence_problems(&info, &rows, ROW_TOPICS);
    assert_eq!(
        problems[0],
        "row 40: `lab01/server_normal_exchange` mentions none of [\".write(\", \"suspended\"]: it is not evidence for this row"
    );
    let rows = vec![(99, vec!["lab01/server_normal_exchange".to_owned()])];
    assert!(evidence_problems(&info, &rows, &[])[0].contains("no entry in ROW_TOPICS"));
}
