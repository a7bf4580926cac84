//! A scenario's script as the student reads it: the body of its `#[test]`
//! function in the lab's test file (`tests/scenarios.rs` for a story,
//! `tests/properties.rs` for a property; the instructor's copy), found
//! through `syn`'s spans; for a unit entry, its whole test file
//! (`tests/NAME.rs`: all of its tests must pass). Exercism's `test_code`
//! is this text.

use crate::labs::{Kind, Lab};
use std::collections::HashMap;
use std::path::Path;

/// Each entry's test code by its name, for the lab's entries whose test
/// file can be read and parsed.
pub fn test_codes(root: &Path, lab: &Lab) -> HashMap<String, String> {
    let mut bodies: HashMap<&str, HashMap<String, String>> = HashMap::new();
    let mut out = HashMap::new();
    for scenario in &lab.scenarios {
        let file = scenario.test_file();
        let path = root
            .join(lab.dir())
            .join("tests")
            .join(format!("{file}.rs"));
        if scenario.kind == Kind::Unit {
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.insert(scenario.name.clone(), text.trim_end().to_owned());
            }
            continue;
        }
        let functions = bodies.entry(file).or_insert_with(|| functions(&path));
        if let Some(body) = functions.get(&scenario.name) {
            out.insert(scenario.name.clone(), body.clone());
        }
    }
    out
}

/// The body of every function of a file (also inside inline modules), by
/// name, dedented; empty when the file cannot be read or parsed.
fn functions(path: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let Ok(file) = syn::parse_file(&text) else {
        return HashMap::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = HashMap::new();
    collect(&file.items, &lines, &mut out);
    out
}

fn collect(items: &[syn::Item], lines: &[&str], out: &mut HashMap<String, String>) {
    for item in items {
        match item {
            syn::Item::Fn(f) => {
                let open = f.block.brace_token.span.open().start();
                let close = f.block.brace_token.span.close().start();
                out.insert(f.sig.ident.to_string(), body(lines, open, close));
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect(items, lines, out);
                }
            }
            _ => {}
        }
    }
}

/// The text strictly between the braces at `open` and `close` (1-based
/// lines, 0-based character columns), without its common indentation.
fn body(lines: &[&str], open: proc_macro2::LineColumn, close: proc_macro2::LineColumn) -> String {
    let line = |n: usize| lines.get(n.saturating_sub(1)).copied().unwrap_or("");
    if open.line == close.line {
        let text: String = line(open.line)
            .chars()
            .skip(open.column + 1)
            .take(close.column.saturating_sub(open.column + 1))
            .collect();
        return text.trim().to_owned();
    }
    let inner: Vec<&str> = (open.line + 1..close.line).map(line).collect();
    let indent = inner
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    inner
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_of_each_test_function_is_dedented() {
        let text = "#[test]\nfn a() {\n    let x = 1;\n\n    assert_eq!(x, 1);\n}\n\nmod m {\n    fn b() { g() }\n}\n";
        let file = syn::parse_file(text).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut out = HashMap::new();
        collect(&file.items, &lines, &mut out);
        assert_eq!(out["a"], "let x = 1;\n\nassert_eq!(x, 1);");
        assert_eq!(out["b"], "g()");
    }
}
