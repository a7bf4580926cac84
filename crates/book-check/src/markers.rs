//! The lab sources mark the student's part with `// BEGIN SOLUTION` and
//! `// END SOLUTION`, and the part a page shows with `// ANCHOR: name` and
//! `// ANCHOR_END: name`. Those lines are for the tools (the starter
//! generator, mdBook's `{{#include}}`), not for a reader: the book removes
//! them from the code it shows.

/// Whether `line` is a marker line: only the marker, indented or not.
pub fn is_marker(line: &str) -> bool {
    let line = line.trim();
    line == "// BEGIN SOLUTION"
        || line == "// END SOLUTION"
        || line.starts_with("// ANCHOR: ")
        || line.starts_with("// ANCHOR_END: ")
}

/// `text` without its marker lines; every other line is kept as it is.
pub fn hide_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if !is_marker(line) {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn marker_lines_go_and_everything_else_stays() {
        let included = "\
```rust,noplayground
    // BEGIN SOLUTION
    let listener = open()?; // BEGIN SOLUTION stays when it is not alone
    // ANCHOR: inner
    // ANCHOR_END: inner
    // END SOLUTION
```
The markers `// BEGIN SOLUTION` in prose stay.
";
        assert_eq!(
            hide_markers(included),
            "\
```rust,noplayground
    let listener = open()?; // BEGIN SOLUTION stays when it is not alone
```
The markers `// BEGIN SOLUTION` in prose stay.
"
        );
    }
}
