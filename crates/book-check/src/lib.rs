//! Checks of the course book in `docs/`, run by `cargo test --workspace`.
//! This crate has no code of its own; its tests are in `tests/`:
//!
//! - `book.rs`: the Chinese and English editions have the same pages; every
//!   `{{#include FILE:ANCHOR}}` names a file and an anchor that exist; every
//!   scenario or test an errata row cites exists; every sequence diagram in
//!   `docs/diagrams/` matches the snapshot it is drawn from
//!   (`UPDATE_DIAGRAMS=1 cargo test -p book-check` redraws them).
//! - `partial_send.rs`, `socket_facts.rs`: the socket behaviour the errata
//!   claims and no lab scenario shows, demonstrated on loopback.
