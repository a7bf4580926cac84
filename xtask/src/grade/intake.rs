//! Taking submissions in: one entry of the submissions folder per student
//! (a folder, a `.zip` or a `.tar.gz`), unpacked safely, and the files a
//! student may change picked out of it.
//!
//! An archive is untrusted input: an entry whose path leaves the target
//! folder (zip-slip: `../x`, `/etc/x`) makes the archive unusable, links
//! and devices are skipped, and the unpacked size and file count are
//! capped (an archive bomb is stopped at the cap, whatever its headers
//! claim).

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The most bytes unpacked from, or read out of, one submission.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// The most files taken from one submission.
pub const MAX_FILES: usize = 5_000;
/// The largest single file taken from a submission.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// One entry of the submissions folder.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The student's id: the entry's name without `.zip`/`.tar.gz`.
    pub student: String,
    pub path: PathBuf,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Folder,
    Zip,
    TarGz,
    /// Anything else: reported, never opened.
    Other,
}

/// The entries of `dir`, sorted by student id (hidden entries skipped).
/// Ids are made file-name safe, and unique (see the body).
///
/// # Errors
///
/// `dir` cannot be read.
pub fn entries(dir: &Path) -> Result<Vec<Entry>> {
    let mut found = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("could not read {}", dir.display()))?
    {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__MACOSX" {
            continue;
        }
        let path = entry.path();
        let lower = name.to_lowercase();
        let (stem, kind) = if path.is_dir() {
            (name.as_str(), Kind::Folder)
        } else if lower.ends_with(".zip") {
            (&name[..name.len() - 4], Kind::Zip)
        } else if lower.ends_with(".tar.gz") {
            (&name[..name.len() - 7], Kind::TarGz)
        } else if lower.ends_with(".tgz") {
            (&name[..name.len() - 4], Kind::TarGz)
        } else {
            (name.as_str(), Kind::Other)
        };
        found.push(Entry {
            student: safe_id(stem),
            path,
            kind,
        });
    }
    // Unique and stable ids: an id shared by several entries (`dup` and
    // `dup.zip`) becomes each one's whole name; what still collides
    // (names that differ only in characters made `_`) gets `~2`, `~3`…
    // in the order of the entries' own names. No id depends on which
    // other students exist beyond those sharing it.
    let shared = |found: &[Entry], id: &str| found.iter().filter(|e| e.student == id).count() > 1;
    let whole: Vec<bool> = found.iter().map(|e| shared(&found, &e.student)).collect();
    for (entry, whole) in found.iter_mut().zip(whole) {
        if whole {
            let name = entry
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            entry.student = safe_id(&name);
        }
    }
    found.sort_by(|a, b| a.student.cmp(&b.student).then(a.path.cmp(&b.path)));
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for entry in &mut found {
        let n = seen.entry(entry.student.clone()).or_default();
        *n += 1;
        if *n > 1 {
            entry.student = format!("{}~{n}", entry.student);
        }
    }
    Ok(found)
}

/// Letters, digits, `.`, `_` and `-`; anything else becomes `_`.
pub fn safe_id(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.is_empty() || id.starts_with('.') {
        format!("_{id}")
    } else {
        id
    }
}

/// A path inside an archive made relative and safe (empty for the folder
/// itself: `./`), or `None` if it would leave the folder it is unpacked
/// into.
fn safe_relative(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Whether an archive's entry is skipped: the folder itself, and what a
/// folder submission skips too (build output, version control, macOS
/// metadata).
fn skipped(rel: &Path) -> bool {
    rel.as_os_str().is_empty()
        || rel
            .components()
            .any(|c| SKIPPED_DIRS.iter().any(|d| c.as_os_str() == *d))
}

/// Folders never taken from a submission, at any depth.
const SKIPPED_DIRS: [&str; 3] = ["target", ".git", "__MACOSX"];

/// Counts what is unpacked, and stops at the caps.
struct Budget {
    bytes: u64,
    files: usize,
}

impl Budget {
    fn new() -> Budget {
        Budget { bytes: 0, files: 0 }
    }

    /// Copies at most what the caps allow from `reader` into `target`.
    fn write(&mut self, reader: &mut dyn Read, into: &Path, rel: &Path) -> Result<()> {
        let target = into.join(rel);
        self.files += 1;
        if self.files > MAX_FILES {
            bail!("more than {MAX_FILES} files: not a submission of source code");
        }
        let allowed = MAX_FILE_BYTES.min(MAX_TOTAL_BYTES - self.bytes);
        let mut content = Vec::new();
        reader
            .take(allowed + 1)
            .read_to_end(&mut content)
            .context("could not read the entry")?;
        let len = content.len() as u64;
        if len > allowed {
            bail!(
                "{} unpacks to more than {} bytes (files are capped at {MAX_FILE_BYTES} bytes, a submission at {MAX_TOTAL_BYTES})",
                rel.display(),
                allowed
            );
        }
        self.bytes += len;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, content)
            .with_context(|| format!("could not write {}", target.display()))
    }
}

/// Unpacks the archive `entry` into the empty folder `into`.
///
/// # Errors
///
/// The archive is corrupt, has an entry that escapes `into`, or is over
/// the caps.
pub fn unpack(entry: &Entry, into: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(into);
    std::fs::create_dir_all(into)
        .with_context(|| format!("could not create {}", into.display()))?;
    let file = std::fs::File::open(&entry.path)
        .with_context(|| format!("could not open {}", entry.path.display()))?;
    let mut budget = Budget::new();
    match entry.kind {
        Kind::Zip => {
            let mut archive = zip::ZipArchive::new(file).context("not a valid zip archive")?;
            for i in 0..archive.len() {
                let mut item = archive.by_index(i).context("a corrupt zip entry")?;
                let name = item.name().to_owned();
                let Some(rel) = safe_relative(Path::new(&name)) else {
                    bail!("the entry `{name}` would be unpacked outside the submission's folder");
                };
                if skipped(&rel) {
                    continue;
                }
                if item.is_dir() {
                    std::fs::create_dir_all(into.join(&rel))?;
                } else if item.is_file() {
                    budget.write(&mut item, into, &rel)?;
                }
                // Symbolic links are skipped: a submission is plain files.
            }
        }
        Kind::TarGz => {
            let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
            for item in archive.entries().context("not a valid .tar.gz archive")? {
                let mut item = item.context("a corrupt .tar.gz entry")?;
                let path = item
                    .path()
                    .context("an entry with a bad path")?
                    .into_owned();
                let Some(rel) = safe_relative(&path) else {
                    bail!(
                        "the entry `{}` would be unpacked outside the submission's folder",
                        path.display()
                    );
                };
                if skipped(&rel) {
                    continue;
                }
                match item.header().entry_type() {
                    tar::EntryType::Directory => std::fs::create_dir_all(into.join(&rel))?,
                    tar::EntryType::Regular | tar::EntryType::Continuous => {
                        budget.write(&mut item, into, &rel)?;
                    }
                    // Links, devices, fifos: skipped.
                    _ => {}
                }
            }
        }
        Kind::Folder | Kind::Other => bail!("{} is not an archive", entry.path.display()),
    }
    Ok(())
}

/// The workspace inside a submission: `dir` if it has a `labs/` folder,
/// else the one folder inside it (archives often wrap everything in one
/// top folder), at most three levels down.
pub fn find_workspace(dir: &Path) -> Option<PathBuf> {
    let mut dir = dir.to_path_buf();
    for _ in 0..4 {
        if dir.join("labs").is_dir() {
            return Some(dir);
        }
        let subdirs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .ok()?
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                !name.starts_with('.') && name != "__MACOSX" && e.path().is_dir()
            })
            .map(|e| e.path())
            .collect();
        if subdirs.len() != 1 {
            return None;
        }
        dir = subdirs.into_iter().next()?;
    }
    None
}

/// Every regular file under `root` (relative, `/`-separated, sorted),
/// skipping `target/`, `.git/` and `__MACOSX/`; symbolic links are not
/// followed. Stops at the caps.
///
/// # Errors
///
/// More than [`MAX_FILES`] files.
pub fn list_files(root: &Path) -> Result<Vec<String>> {
    let skip = |rel: &str| SKIPPED_DIRS.contains(&crate::files::file_name(rel));
    let mut out = Vec::new();
    // A folder that cannot be read holds nothing to grade.
    for path in crate::files::walk(root, skip).flatten() {
        // A name that is not UTF-8 comes out of the walk with U+FFFD in
        // place of its bytes, and names no file: listed escaped, never read.
        let path = if path.contains('\u{FFFD}') && !root.join(&path).exists() {
            format!("{NOT_UTF8}{}", escaped_path(root, &path))
        } else {
            path
        };
        out.push(path);
        if out.len() > MAX_FILES {
            bail!("more than {MAX_FILES} files: not a submission of source code");
        }
    }
    out.sort();
    Ok(out)
}

/// Marks an entry of [`list_files`] whose name is not UTF-8 (shown
/// escaped after the marker); such a file is never read.
pub const NOT_UTF8: &str = "\u{0}not-utf8:";

/// The relative path `lossy` (as the walk shows it) with its bytes that are
/// not UTF-8 shown as `\xNN`, read from the folders themselves.
fn escaped_path(root: &Path, lossy: &str) -> String {
    let mut dir = root.to_path_buf();
    let mut shown = Vec::new();
    for part in lossy.split('/') {
        let raw = std::fs::read_dir(&dir).ok().and_then(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name())
                .find(|name| name.to_string_lossy() == part)
        });
        match raw {
            Some(name) => {
                shown.push(escaped_name(&name));
                dir.push(name);
            }
            None => shown.push(part.to_owned()),
        }
    }
    shown.join("/")
}

/// A file name with its bytes that are not UTF-8 shown as `\xNN`.
fn escaped_name(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// Reads a submitted file, at most [`MAX_FILE_BYTES`].
///
/// # Errors
///
/// The file cannot be read or is too large.
pub fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("could not read {}", path.display()))?;
    let mut content = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut content)?;
    if content.len() as u64 > MAX_FILE_BYTES {
        bail!("{} is larger than {MAX_FILE_BYTES} bytes", path.display());
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_folder_are_refused() {
        assert_eq!(
            safe_relative(Path::new("a/./b.rs")),
            Some(PathBuf::from("a/b.rs"))
        );
        assert_eq!(safe_relative(Path::new("../evil.rs")), None);
        assert_eq!(safe_relative(Path::new("a/../../evil.rs")), None);
        assert_eq!(safe_relative(Path::new("/etc/passwd")), None);
        assert_eq!(safe_relative(Path::new("./")), Some(PathBuf::new()));
        assert!(skipped(Path::new("")));
        assert!(skipped(Path::new("w/target/debug/x")));
        assert!(!skipped(Path::new("labs/01-tcp-once/src/bin/x.rs")));
    }

    #[test]
    fn student_ids_are_safe_file_names() {
        assert_eq!(safe_id("alice"), "alice");
        assert_eq!(safe_id("Zhang San/x"), "Zhang_San_x");
        assert_eq!(safe_id("..x"), "_..x");
        assert_eq!(safe_id("张三"), "张三");
    }
}
