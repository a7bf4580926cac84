//! An mdBook preprocessor (see `docs/*/book.toml`): after mdBook's `links`
//! preprocessor has expanded the `{{#include}}`s, removes the solution and
//! anchor marker lines from every chapter (`book_check::markers`).
//!
//! The protocol: mdBook first runs `mdbook-hide-markers supports RENDERER`
//! (exit status 0: yes), then runs it with `[context, book]` as JSON on
//! stdin and reads the book back as JSON on stdout.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use serde_json::Value;

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("supports") {
        return ExitCode::SUCCESS;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mdbook-hide-markers: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut input = String::new();
    io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("could not read the book from stdin: {e}"))?;
    let value: Value =
        serde_json::from_str(&input).map_err(|e| format!("stdin is not JSON: {e}"))?;
    let Value::Array(mut pair) = value else {
        return Err("expected [context, book] on stdin".to_owned());
    };
    if pair.len() != 2 {
        return Err("expected [context, book] on stdin".to_owned());
    }
    let mut book = pair.remove(1);
    hide_in(&mut book);
    let out = serde_json::to_string(&book).map_err(|e| e.to_string())?;
    io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| format!("could not write the book to stdout: {e}"))
}

/// Every chapter is an object with a `content` string, at any depth (parts,
/// sub-chapters): rewrite each.
fn hide_in(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(content)) = map.get_mut("content") {
                *content = book_check::markers::hide_markers(content);
            }
            for (_, child) in map.iter_mut() {
                hide_in(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(hide_in),
        _ => {}
    }
}
