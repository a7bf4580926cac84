//! Exclusive use of a shared target directory, by an OS file lock.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::time::Duration;

/// Exclusive use of a shared target directory by this process.
///
/// The grader decides what cargo must rebuild by writing each lab's files
/// with a fresh modification time; two graders (or `check-solutions`)
/// building labs in the same target directory at once could each get the
/// other's binaries. So whoever uses the grader's target directory holds
/// this lock: an OS lock on a file in it (`flock` on Unix, `LockFileEx` on
/// Windows, through `fs4`). The OS releases it when the holder exits, even
/// by a crash, so a stale lock cannot exist; dropping this releases it.
#[derive(Debug)]
pub struct TargetLock {
    _file: std::fs::File,
}

impl TargetLock {
    /// Takes the lock of `target`, waiting for it while another process
    /// holds it (saying so), at most `patience`.
    ///
    /// # Errors
    ///
    /// Another process still holds it after `patience`, or the lock file
    /// cannot be opened or locked.
    pub fn acquire(target: &Path, patience: Duration) -> Result<TargetLock> {
        std::fs::create_dir_all(target)
            .with_context(|| format!("could not create {}", target.display()))?;
        let path = target.join("socket-labs-grader.lock");
        let file = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("could not open {}", path.display()))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => return Ok(TargetLock { _file: file }),
            Err(fs4::TryLockError::WouldBlock) => {}
            Err(fs4::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("could not lock {}", path.display()));
            }
        }
        eprintln!(
            "waiting for another grader (or check-solutions) to finish with {} …",
            target.display()
        );
        // The blocking lock call waits in a thread of its own; the deadline
        // is a receive timeout. If it passes, the thread gets the lock
        // later and drops it at once (the receiver is gone).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let locked = fs4::FileExt::lock(&file).map(|()| file);
            let _ = tx.send(locked);
        });
        match rx.recv_timeout(patience) {
            Ok(Ok(file)) => Ok(TargetLock { _file: file }),
            Ok(Err(e)) => Err(e).with_context(|| format!("could not lock {}", path.display())),
            Err(_) => bail!(
                "another grader is still using {} after {} s; wait for it to finish",
                target.display(),
                patience.as_secs()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_for_the_first_and_then_gets_the_lock() {
        let dir = std::env::temp_dir().join(format!("xtask-lock-test-{}", std::process::id()));
        let first = TargetLock::acquire(&dir, Duration::from_secs(5)).unwrap();
        // flock locks belong to the open file, so a second open in this
        // process contends like another process would.
        let err = TargetLock::acquire(&dir, Duration::from_millis(50)).unwrap_err();
        assert!(format!("{err:#}").contains("still using"), "{err:#}");
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter_dir = dir.clone();
        let waiter = std::thread::spawn(move || {
            let second = TargetLock::acquire(&waiter_dir, Duration::from_secs(20));
            let _ = tx.send(());
            second.map(|_| ())
        });
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
        drop(first);
        rx.recv_timeout(Duration::from_secs(20)).unwrap();
        waiter.join().unwrap().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
