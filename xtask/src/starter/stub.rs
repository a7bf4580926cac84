//! Writes a stub: each solution region of a file becomes `todo!("…")`
//! (see [`super`] for why this way).

use super::regions::{Region, regions};
use anyhow::Result;

/// The inner attribute added to each file with a stub.
const ALLOW: &str = "// Starter code: until every todo!() of this file is written, some\n\
// parameters and constants are unused. When none is left, delete this\n\
// comment and the next line to get the compiler's warnings back.\n\
#![allow(unused_variables, dead_code)]\n";

/// `todo!("…")` for `hint`, at `indent`, as rustfmt would lay it out.
pub(super) fn todo_call(indent: &str, hint: &str) -> String {
    let escaped = hint
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('{', "{{")
        .replace('}', "}}");
    let one_line = format!("{indent}todo!(\"{escaped}\")");
    if one_line.chars().count() <= 100 {
        one_line
    } else {
        format!("{indent}todo!(\n{indent}    \"{escaped}\"\n{indent})")
    }
}

/// The stubbed text of one file, or `None` if it has no region.
///
/// # Errors
///
/// See [`regions`].
pub fn stub_file(name: &str, text: &str) -> Result<Option<(String, Vec<Region>)>> {
    let found = regions(name, text)?;
    if found.is_empty() {
        return Ok(None);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    // The allow attribute goes after the `//!` header (inner doc comments
    // and inner attributes may mix, but both come before any item).
    let header_end = lines
        .iter()
        .position(|l| !(l.starts_with("//!") || l.trim().is_empty() || l.starts_with("#![")))
        .unwrap_or(lines.len());
    let header_end = (0..header_end)
        .rev()
        .find(|&i| !lines[i].trim().is_empty())
        .map_or(0, |i| i + 1);
    let mut regions_iter = found.iter().peekable();
    let mut n = 0;
    while n < lines.len() {
        if n == header_end {
            if n > 0 {
                out.push(String::new());
            }
            out.extend(ALLOW.lines().map(str::to_owned));
            if n == 0 {
                out.push(String::new());
            }
        }
        if let Some(region) = regions_iter.next_if(|r| r.begin == n) {
            let indent: String = lines[n].chars().take_while(|c| c.is_whitespace()).collect();
            out.push(todo_call(&indent, &region.hint));
            n = region.end + 1;
            continue;
        }
        out.push(lines[n].to_owned());
        n += 1;
    }
    let mut text_out = out.join("\n");
    text_out.push('\n');
    Ok(Some((text_out, found)))
}
