//! A submission's own target folder over the read-only dependency cache.

use anyhow::{Context, Result};
use std::path::Path;

/// Gives every file under `dir` write permission for its owner, or takes
/// every write permission away.
pub(super) fn set_read_only(dir: &Path, read_only: bool) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let kind = entry.file_type()?;
        if kind.is_dir() {
            set_read_only(&entry.path(), read_only)?;
        } else if kind.is_file() {
            let mut perms = entry.metadata()?.permissions();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = perms.mode();
                perms.set_mode(if read_only {
                    mode & !0o222
                } else {
                    mode | 0o200
                });
            }
            #[cfg(not(unix))]
            perms.set_readonly(read_only);
            std::fs::set_permissions(entry.path(), perms)?;
        }
    }
    Ok(())
}

/// How a cache entry goes into a submission's own target folder.
#[derive(Debug, PartialEq, Eq)]
enum Take {
    /// A hard link (read-only, shared).
    Link,
    /// A copy the submission's build may rewrite.
    Copy,
    /// Left out: the submission's build makes its own.
    Skip,
}

/// Whether `name` is a lab's own output (`lab01-server`, `lab01_server-…`,
/// `liblab05_framing-…`, `lab01-tcp-once-…`).
fn lab_named(name: &str) -> bool {
    let lab = |s: &str| {
        s.strip_prefix("lab").is_some_and(|rest| {
            rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_digit)
        })
    };
    lab(name) || name.strip_prefix("lib").is_some_and(lab)
}

/// What a submission's target folder takes of the cache entry `name` in
/// the folder `parent`. The programs (and library) of a lab are built
/// from the student's code, so the starter's are left out; the scenario
/// test is the instructor's and is linked, its fingerprints copied, so
/// cargo relinks it only when it must (a lab with a library); cargo's
/// lock is the build's own.
fn take(parent: &Path, name: &str) -> Take {
    if name == ".cargo-lock" {
        return Take::Skip;
    }
    let in_fingerprints = parent.file_name().is_some_and(|p| p == ".fingerprint");
    if in_fingerprints && lab_named(name) {
        // One folder per unit: the test's has `test-…` files.
        let test = std::fs::read_dir(parent.join(name)).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("test-"))
        });
        let debug = parent.parent().unwrap_or(parent);
        return if test && !rebuilt_with_student_code(debug, name) {
            Take::Copy
        } else {
            Take::Skip
        };
    }
    let in_deps = parent.file_name().is_some_and(|p| p == "deps");
    if let Some((_, hash)) = name
        .rsplit_once('-')
        .filter(|_| in_deps && !lab_named(name))
    {
        // A test binary of a lab (`scenarios-HASH`, `properties-HASH`,
        // `frame-HASH`): the cache's, unless it links the lab's library.
        let hash = hash.split('.').next().unwrap_or(hash);
        let debug = parent.parent().unwrap_or(parent);
        let unit = std::fs::read_dir(debug.join(".fingerprint"))
            .ok()
            .and_then(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .find(|n| lab_named(n) && n.ends_with(&format!("-{hash}")))
            });
        return match unit {
            Some(unit) if rebuilt_with_student_code(debug, &unit) => Take::Skip,
            _ => Take::Link,
        };
    }
    if lab_named(name) {
        Take::Skip
    } else {
        Take::Link
    }
}

/// Whether the lab of the unit `unit` (`lab05-framing-HASH`) has a library:
/// then its scenario test links the student's code and is rebuilt.
fn rebuilt_with_student_code(debug: &Path, unit: &str) -> bool {
    let package = unit.rsplit_once('-').map_or(unit, |(p, _)| p);
    let library = format!("lib{}-", package.replace('-', "_"));
    std::fs::read_dir(debug.join("deps")).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&library) && name.ends_with(".rlib")
        })
    })
}

/// A submission's own target folder: hard links to the cache's files,
/// without the labs' programs.
///
/// # Errors
///
/// The folder cannot be written.
pub fn private_target(cache: &Path, into: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(into);
    fn link(from: &Path, to: &Path, copy: bool) -> Result<()> {
        std::fs::create_dir_all(to)
            .with_context(|| format!("could not create {}", to.display()))?;
        for entry in std::fs::read_dir(from)?.flatten() {
            let name = entry.file_name();
            let how = if copy {
                Take::Copy
            } else {
                take(from, &name.to_string_lossy())
            };
            let (path, dest) = (entry.path(), to.join(&name));
            let kind = entry.file_type()?;
            match how {
                Take::Skip => {}
                _ if kind.is_dir() => link(&path, &dest, how == Take::Copy)?,
                Take::Link if kind.is_file() => std::fs::hard_link(&path, &dest)
                    .with_context(|| format!("could not link {}", path.display()))?,
                Take::Copy if kind.is_file() => {
                    std::fs::copy(&path, &dest)
                        .with_context(|| format!("could not copy {}", path.display()))?;
                    let mut perms = std::fs::metadata(&dest)?.permissions();
                    #[allow(clippy::permissions_set_readonly_false)]
                    perms.set_readonly(false);
                    std::fs::set_permissions(&dest, perms)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
    link(cache, into, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labs_programs_are_never_shared() {
        let deps = Path::new("cache/debug/deps");
        for name in [
            "lab01_server-0123.d",
            "lab01_server-0123",
            "liblab05_framing-99.rlib",
        ] {
            assert_eq!(take(deps, name), Take::Skip, "{name}");
        }
        assert_eq!(take(Path::new("cache/debug"), "lab01-server"), Take::Skip);
        assert_eq!(take(Path::new("cache/debug"), ".cargo-lock"), Take::Skip);
        for name in [
            "scenarios-72ac",
            "labkit-12.d",
            "liblabkit-1.rlib",
            "harness-3",
        ] {
            assert_eq!(take(deps, name), Take::Link, "{name}");
        }
        // A fingerprint folder that does not exist holds no test: a
        // program's, left out.
        let fingerprints = Path::new("cache/debug/.fingerprint");
        assert_eq!(take(fingerprints, "lab01-tcp-once-c9aa"), Take::Skip);
        assert_eq!(take(fingerprints, "labkit-c9aa"), Take::Link);
    }
}
