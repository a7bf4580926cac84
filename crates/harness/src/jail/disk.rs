//! A jailed program's disk: one of the size-capped folders the grader's
//! sandbox mounts (a tmpfs of [`SCRATCH_BYTES`] each, under the folder named
//! by [`SCRATCH_ENV`]), bound at the program's scratch folder. Unlike a
//! tmpfs of the jail's own, the judge sees it: once the program has ended,
//! how much it holds says whether the program filled it, and the verdict
//! says so in one line ([`FILLED`]); then it is emptied for the next
//! program.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Names the folder of the grader's size-capped folders `0`, `1`, … (set
/// by the grader inside its sandbox).
pub const SCRATCH_ENV: &str = "SOCKET_LABS_JAIL_SCRATCH";

/// How many size-capped folders the grader mounts: programs running at
/// once in one lab's sandbox (beyond that, a program gets a tmpfs of its
/// jail's own, of the same size, whose filling nothing reports).
pub const SLOTS: usize = 64;

/// The size of a jailed program's own writable folder.
pub const SCRATCH_BYTES: u64 = 32 << 20;

/// What a program's verdict says when it filled its disk.
pub const FILLED: &str = "stopped: wrote more than 31 MiB of files (a program under test may write 32 MiB, in its working folder)";

/// Which folders are in use (or lost: one that could not be emptied).
static IN_USE: Mutex<[bool; SLOTS]> = Mutex::new([false; SLOTS]);

/// A size-capped folder held by one program.
#[derive(Debug)]
pub(crate) struct Slot {
    index: usize,
    dir: PathBuf,
}

impl Slot {
    /// A free folder, if the grader mounted them and one is free.
    pub(crate) fn take() -> Option<Slot> {
        let root = std::env::var_os(SCRATCH_ENV)?;
        let mut in_use = IN_USE.lock().ok()?;
        let index = in_use.iter().position(|used| !used)?;
        in_use[index] = true;
        Some(Slot {
            index,
            dir: Path::new(&root).join(index.to_string()),
        })
    }

    /// The folder, as the judge sees it.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the program filled it (within 1 MiB of its size), then
    /// empties it for the next program. A folder that cannot be emptied
    /// is never used again.
    pub(crate) fn release(self) -> bool {
        let used = used_bytes(&self.dir);
        let mut emptied = true;
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                let gone = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    std::fs::remove_dir_all(&path)
                } else {
                    std::fs::remove_file(&path)
                };
                emptied &= gone.is_ok();
            }
        }
        if emptied {
            if let Ok(mut in_use) = IN_USE.lock() {
                in_use[self.index] = false;
            }
        }
        used + (1 << 20) > SCRATCH_BYTES
    }
}

/// The bytes the files under `dir` take on disk (blocks, so a sparse file
/// counts what it holds), counting at most [`MAX_ENTRIES`] entries.
fn used_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut seen = 0;
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                return total;
            }
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                total += meta.blocks() * 512;
            }
            #[cfg(not(unix))]
            {
                total += meta.len();
            }
            if meta.is_dir() {
                folders.push(entry.path());
            }
        }
    }
    total
}

/// The most entries [`used_bytes`] looks at.
const MAX_ENTRIES: usize = 100_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_counts_the_blocks_its_files_take() {
        let dir = std::env::temp_dir().join(format!("harness-disk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/a"), vec![1u8; 1 << 20]).unwrap();
        std::fs::write(dir.join("b"), vec![2u8; 1 << 20]).unwrap();
        let used = used_bytes(&dir);
        assert!((2 << 20..3 << 20).contains(&used), "{used}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(used_bytes(&dir), 0);
    }
}
