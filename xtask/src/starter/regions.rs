//! Finds the solution regions of a source file and checks their rules
//! (see [`super`]). The markers are comments, found line by line; where
//! they sit in the code is read from `syn`'s parse of the file, by the
//! line numbers of its spans (proc-macro2's `span-locations`): which
//! function body holds a region, which statements, and where the body's
//! closing brace is. No lexer of our own.

use anyhow::{Result, bail};
use proc_macro2::Span;
use syn::spanned::Spanned;

/// The opening marker, alone on its line.
pub const BEGIN: &str = "// BEGIN SOLUTION";
/// The closing marker, alone on its line.
pub const END: &str = "// END SOLUTION";

/// One solution region of a source file.
#[derive(Debug, Clone)]
pub struct Region {
    /// 0-based line of `// BEGIN SOLUTION`.
    pub begin: usize,
    /// 0-based line of `// END SOLUTION`.
    pub end: usize,
    /// The function the region is the body of.
    pub function: String,
    /// The `todo!()` message: the first paragraph of its doc comment.
    pub hint: String,
}

/// A function body of the file, by 0-based lines.
struct Body {
    name: String,
    /// The line of the `fn` keyword.
    fn_line: usize,
    open: usize,
    close: usize,
    /// The column of the closing brace.
    close_column: usize,
    /// Each statement's first and last line.
    statements: Vec<(usize, usize)>,
    docs: Vec<String>,
}

/// The 0-based first line of a span.
fn first_line(span: Span) -> usize {
    span.start().line.saturating_sub(1)
}

/// The 0-based last line of a span.
fn last_line(span: Span) -> usize {
    span.end().line.saturating_sub(1)
}

fn body(attrs: &[syn::Attribute], sig: &syn::Signature, block: &syn::Block) -> Body {
    let docs = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value()),
            _ => None,
        })
        .collect();
    let close = block.brace_token.span.close();
    Body {
        name: sig.ident.to_string(),
        fn_line: first_line(sig.fn_token.span),
        open: first_line(block.brace_token.span.open()),
        close: first_line(close),
        close_column: close.start().column,
        // A lone `;` (an empty statement) has no span of its own; it holds
        // no braces either, so it is left out.
        statements: block
            .stmts
            .iter()
            .filter(|s| !matches!(s, syn::Stmt::Expr(syn::Expr::Verbatim(t), _) if t.is_empty()))
            .map(|s| (first_line(s.span()), last_line(s.span())))
            .collect(),
        docs,
    }
}

/// Every function body among `items`: free functions, methods, default
/// methods of traits, in inline modules too.
fn bodies(items: &[syn::Item], out: &mut Vec<Body>) {
    for item in items {
        match item {
            syn::Item::Fn(f) => out.push(body(&f.attrs, &f.sig, &f.block)),
            syn::Item::Impl(block) => {
                for item in &block.items {
                    if let syn::ImplItem::Fn(f) = item {
                        out.push(body(&f.attrs, &f.sig, &f.block));
                    }
                }
            }
            syn::Item::Trait(t) => {
                for item in &t.items {
                    if let syn::TraitItem::Fn(syn::TraitItemFn {
                        attrs,
                        sig,
                        default: Some(block),
                        ..
                    }) = item
                    {
                        out.push(body(attrs, sig, block));
                    }
                }
            }
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, items)),
                ..
            }) => bodies(items, out),
            _ => {}
        }
    }
}

/// The first paragraph of doc comment lines.
fn doc_paragraph(docs: &[String]) -> Option<String> {
    let lines: Vec<&str> = docs
        .iter()
        .flat_map(|d| d.split('\n'))
        .map(str::trim)
        .collect();
    let paragraph: Vec<&str> = lines
        .into_iter()
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    // Intra-doc links read as plain code in a panic message.
    (!paragraph.is_empty()).then(|| paragraph.join(" ").replace("[`", "`").replace("`]", "`"))
}

/// The marker pairs of a file, 0-based `(begin, end)` lines.
fn markers(name: &str, lines: &[&str]) -> Result<Vec<(usize, usize)>> {
    let mut found = Vec::new();
    let mut open: Option<usize> = None;
    for (n, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let is_begin = trimmed == BEGIN;
        let is_end = trimmed == END;
        if !is_begin
            && !is_end
            && (line.contains("BEGIN SOLUTION") || line.contains("END SOLUTION"))
        {
            bail!(
                "{name}:{}: a solution marker must be alone on its line, exactly `{BEGIN}` or `{END}`",
                n + 1
            );
        }
        if is_begin {
            if let Some(b) = open {
                bail!(
                    "{name}:{}: `{BEGIN}` inside the region opened at line {}: regions do not nest",
                    n + 1,
                    b + 1
                );
            }
            open = Some(n);
        } else if is_end {
            let Some(b) = open.take() else {
                bail!("{name}:{}: `{END}` without a `{BEGIN}` before it", n + 1);
            };
            found.push((b, n));
        }
    }
    if let Some(b) = open {
        bail!("{name}:{}: `{BEGIN}` is never closed by `{END}`", b + 1);
    }
    Ok(found)
}

/// Finds and checks the solution regions of one file (`name` is how
/// messages call it).
///
/// # Errors
///
/// A marker not alone on its line, nested or unbalanced markers, a file
/// with regions that does not parse, a region outside a function body or
/// not ending it, braces that do not balance inside a region, a stubbed
/// function without a doc comment: each named FILE:LINE.
pub fn regions(name: &str, text: &str) -> Result<Vec<Region>> {
    let lines: Vec<&str> = text.lines().collect();
    let pairs = markers(name, &lines)?;
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let file = match syn::parse_file(text) {
        Ok(file) => file,
        Err(e) => bail!(
            "{name}:{}: the file does not parse as Rust ({e}); a region whose braces do not balance is one way to cause this",
            e.span().start().line
        ),
    };
    let mut all = Vec::new();
    bodies(&file.items, &mut all);
    pairs
        .into_iter()
        .map(|(begin, end)| check_region(name, &lines, &all, begin, end))
        .collect()
}

fn check_region(
    name: &str,
    lines: &[&str],
    bodies: &[Body],
    begin: usize,
    end: usize,
) -> Result<Region> {
    // The innermost body around the opening marker.
    let Some(body) = bodies
        .iter()
        .filter(|b| b.open < begin && begin < b.close)
        .max_by_key(|b| b.open)
    else {
        bail!(
            "{name}:{}: `{BEGIN}` must be inside a function body (the signature stays outside, so the starter compiles)",
            begin + 1
        );
    };
    let inside = |line: usize| {
        body.statements
            .iter()
            .any(|&(first, last)| first <= line && line <= last)
    };
    if inside(begin) {
        bail!(
            "{name}:{}: `{BEGIN}` must be directly inside a function body, not in a nested block (the starter replaces the region with todo!())",
            begin + 1
        );
    }
    let unbalanced = || {
        format!(
            "{name}:{}: the braces between `{BEGIN}` (line {}) and `{END}` do not balance: a region holds whole statements",
            end + 1,
            begin + 1
        )
    };
    if end > body.close {
        bail!(unbalanced());
    }
    // After END: only comments, then the `}` that closes the body.
    let only_comments = lines[end + 1..body.close].iter().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with("//")
    });
    let closing_alone = lines[body.close]
        .chars()
        .take(body.close_column)
        .all(char::is_whitespace);
    if !(only_comments && closing_alone) {
        bail!(
            "{name}:{}: a region must end its function body: only comments may come between `{END}` and the function's closing `}}`",
            end + 1
        );
    }
    // A statement that starts in the region and ends after it.
    if inside(end) {
        bail!(unbalanced());
    }
    let Some(hint) = doc_paragraph(&body.docs) else {
        bail!(
            "{name}:{}: `fn {}` has a solution region but no doc comment: its first paragraph is the starter's todo!() message",
            body.fn_line + 1,
            body.name
        );
    };
    Ok(Region {
        begin,
        end,
        function: body.name.clone(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_found_in_methods_and_refused_in_nested_blocks() {
        let method = "struct S;\nimpl S {\n    /// Says hi.\n    fn hi(&self) -> u8 {\n        // BEGIN SOLUTION\n        if true { 1 } else { 2 }\n        // END SOLUTION\n    }\n}\n";
        let found = regions("m.rs", method).unwrap();
        assert_eq!(
            (found[0].begin, found[0].end, found[0].function.as_str()),
            (4, 6, "hi")
        );
        assert_eq!(found[0].hint, "Says hi.");
        let nested = "/// F.\nfn f() {\n    if true {\n        // BEGIN SOLUTION\n        g();\n        // END SOLUTION\n    }\n}\n";
        let err = format!("{:#}", regions("n.rs", nested).unwrap_err());
        assert!(
            err.starts_with("n.rs:4: `// BEGIN SOLUTION` must be directly inside a function body"),
            "{err}"
        );
    }
}
