//! Did a server bind the address it was given?
//!
//! The harness starts servers on `127.0.0.1:0`, so the kernel picks a free
//! port from its ephemeral range. A program that ignores its `ADDR`
//! argument and binds the tutorial's fixed `127.0.0.1:8000` would still
//! pass a scenario that runs alone, and then fail on a machine where that
//! port is taken, or when two scenarios run at once. Its `listening on`
//! line gives it away: a port outside the ephemeral range, or another IP
//! than the one asked for.

use std::net::SocketAddr;
use std::ops::RangeInclusive;

/// The ports the kernel hands out for port 0, if known on this system:
/// Linux's `ip_local_port_range`; macOS and Windows use IANA's
/// 49152–65535 unless reconfigured.
fn ephemeral_ports() -> Option<RangeInclusive<u16>> {
    if cfg!(target_os = "linux") {
        let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
        let mut parts = text.split_whitespace().map(str::parse::<u16>);
        match (parts.next(), parts.next()) {
            (Some(Ok(low)), Some(Ok(high))) => Some(low..=high),
            _ => None,
        }
    } else if cfg!(any(target_os = "macos", windows)) {
        Some(49152..=65535)
    } else {
        None
    }
}

/// Why the server's `printed` address shows it did not bind `requested`
/// (the first argument it was given), or `None` if it looks right.
pub(crate) fn ignored_addr(program: &str, requested: &str, printed: SocketAddr) -> Option<String> {
    let requested: SocketAddr = requested.parse().ok()?;
    let wrong_ip = requested.ip() != printed.ip();
    let wrong_port = if requested.port() == 0 {
        ephemeral_ports().is_some_and(|range| !range.contains(&printed.port()))
    } else {
        requested.port() != printed.port()
    };
    (wrong_ip || wrong_port).then(|| {
        format!(
            "{program} was given {requested} but listens on {printed}: bind the address of the first argument \
             (with port 0 the kernel picks a free port), not a fixed one"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_port_or_another_ip_is_caught() {
        let fixed: SocketAddr = "127.0.0.1:8000".parse().unwrap();
        if cfg!(target_os = "linux") {
            assert!(ignored_addr("s", "127.0.0.1:0", fixed).is_some());
        }
        let any: SocketAddr = "0.0.0.0:8000".parse().unwrap();
        assert!(ignored_addr("s", "127.0.0.1:8000", any).is_some());
        assert!(ignored_addr("s", "127.0.0.1:8000", fixed).is_none());
    }

    #[test]
    fn a_port_the_kernel_picked_is_fine() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(ignored_addr("s", "127.0.0.1:0", addr), None);
    }
}
