//! rustc's warnings about the lab's own `src/` files, shown after its
//! report: a few, as `FILE:LINE: message` (rustc's "unreachable
//! expression" explains a `loop {}`). Only the lab being checked is built,
//! so the `todo!()` stubs of labs not yet started say nothing here.

use super::Style;
use crate::labs::Lab;
use crate::lang::Lang;
use crate::runner::messages::Warning;
use std::fmt::Write as _;

/// How many of rustc's warnings are shown.
const WARNINGS: usize = 3;

/// rustc's warnings for the lab's own files: a few, as `FILE:LINE:
/// message`, and how to see them all.
pub fn render_warnings(lab: &Lab, warnings: &[Warning], style: Style) -> String {
    let mut out = String::new();
    if warnings.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "  {}",
        style.bold(style.pick(
            "rustc warns about your code (a warning often points at the bug):",
            "rustc 对你的代码给出了警告（警告常常指向错误所在）："
        ))
    );
    for w in warnings.iter().take(WARNINGS) {
        let _ = writeln!(out, "    {}:{}: {}", w.file, w.line, w.message);
    }
    if warnings.len() > WARNINGS {
        let more = warnings.len() - WARNINGS;
        let _ = writeln!(
            out,
            "    {}",
            style.dim(&match style.lang {
                Lang::En => format!(
                    "… and {more} more: `cargo build -p {}` shows them all",
                    lab.package()
                ),
                Lang::Zh => format!(
                    "……还有 {more} 条：`cargo build -p {}` 会显示全部",
                    lab.package()
                ),
            })
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> Lab {
        Lab {
            number: 1,
            name: "tcp-once".into(),
            ..Lab::default()
        }
    }

    #[test]
    fn a_few_warnings_are_shown_and_how_to_see_the_rest() {
        let w = |line| Warning {
            file: "labs/01-tcp-once/src/bin/lab01-server.rs".into(),
            line,
            message: "unreachable expression".into(),
        };
        let text = render_warnings(&lab(), &[w(1), w(2), w(3), w(4)], Style::plain());
        assert_eq!(
            text,
            "  rustc warns about your code (a warning often points at the bug):\n    \
             labs/01-tcp-once/src/bin/lab01-server.rs:1: unreachable expression\n    \
             labs/01-tcp-once/src/bin/lab01-server.rs:2: unreachable expression\n    \
             labs/01-tcp-once/src/bin/lab01-server.rs:3: unreachable expression\n    \
             … and 1 more: `cargo build -p lab01-tcp-once` shows them all\n"
        );
        assert_eq!(render_warnings(&lab(), &[], Style::plain()), "");
    }
}
