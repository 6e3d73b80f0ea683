//! One planet at a time per cache: an advisory lock on `cache_dir/planet.lock`.
//!
//! The lock is the operating system's file lock (`flock` on Unix, through std's `File::try_lock`),
//! so it is released the moment its holder exits, however it exits: a lock left by a killed
//! process is simply taken over, with no stale-pid guessing. The file also carries the holder's
//! pid, only so the message can name the other process. This module neither waits nor retries:
//! cron will start the next run soon enough.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside `cache_dir`.
pub const FILE_NAME: &str = "planet.lock";

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process holds it.
    #[error("another planet (pid {}) is using the cache `{}`", .pid.map_or_else(|| "unknown".to_owned(), |p| p.to_string()), .path.display())]
    Held {
        /// The holder's pid, as it wrote it.
        pid: Option<u32>,
        /// The lock file.
        path: PathBuf,
    },
    /// The lock file could not be created or written.
    #[error("cannot use lock file `{}`", .path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock of the cache in `dir` (created if needed), or says who holds it.
    pub fn acquire(dir: &Path) -> Result<Lock, Error> {
        let path = dir.join(FILE_NAME);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(Error::Held {
                    pid: text.trim().parse().ok(),
                    path,
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path()).unwrap();
        match Lock::acquire(dir.path()) {
            Err(Error::Held { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        assert!(Lock::acquire(dir.path()).is_ok(), "released on drop");
    }

    #[test]
    fn stale_pid_file_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "999999999").unwrap();
        assert!(Lock::acquire(dir.path()).is_ok());
        let pid = std::fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(pid, std::process::id().to_string());
    }
}
