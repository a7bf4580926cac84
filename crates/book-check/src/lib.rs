//! The course book's machinery and checks (`docs/`), run by `cargo test
//! --workspace`.
//!
//! - [`diagram`]: draws a committed snapshot as a sequence diagram (SVG) for
//!   the book's pages.
//! - [`markers`]: removes the `// BEGIN SOLUTION`, `// END SOLUTION` and
//!   `// ANCHOR` lines from the code a page includes; the
//!   `mdbook-hide-markers` binary applies it as an mdBook preprocessor
//!   (`docs/*/book.toml`).
//!
//! The checks are tests in `tests/`:
//!
//! - `book.rs`: the Chinese and English editions have the same pages; every
//!   `{{#include FILE:ANCHOR}}` names a file and an anchor that exist; every
//!   scenario or test an errata row cites exists and mentions what the row
//!   is about; no full-width punctuation touches code, addresses or numbers;
//!   every sequence diagram in `docs/diagrams/` matches the snapshot it is
//!   drawn from (`UPDATE_DIAGRAMS=1 cargo test -p book-check` redraws them).
//! - `partial_send.rs`, `socket_facts.rs`: the socket behaviour the errata
//!   claims and no lab scenario shows, demonstrated on loopback.

pub mod diagram;
pub mod markers;
