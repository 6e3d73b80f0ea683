//! Writes output files so that no reader ever sees a half-written one.
//!
//! Each file is written under a temporary name in the same folder, flushed, and renamed into
//! place (atomic on POSIX). A file whose bytes are unchanged is not rewritten at all, so its
//! mtime stays and HTTP caches and rsync see no change. If any write fails, the files already
//! in place stay as the previous run left them.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Errors from writing the output.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The output folder could not be created.
    #[error("cannot create output folder `{path}`")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An output turned off could not be deleted.
    #[error("cannot delete `{path}`, an output turned off")]
    Remove {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written or renamed into place.
    #[error("cannot write `{path}`")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Writes each (name, bytes) into `dir`; returns the names of the files that actually
/// changed (what the WebSub hubs are told of, when they are feeds).
pub fn publish(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<String>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Folder {
        path: dir.to_owned(),
        source: e,
    })?;
    let mut changed = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        if std::fs::read(&path).is_ok_and(|old| &old == bytes) {
            continue;
        }
        write_atomically(&path, bytes).map_err(|e| Error::Write {
            path: path.clone(),
            source: e,
        })?;
        changed.push(name.clone());
    }
    Ok(changed)
}

/// Deletes the outputs named that are in `dir` (ones the config turned off), so that readers
/// stop following a feed that would never change again; returns how many there were.
pub fn retire(dir: &Path, names: &[&str]) -> Result<usize, Error> {
    let mut gone = 0;
    for name in names {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => gone += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Remove { path, source: e }),
        }
    }
    Ok(gone)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_file_keeps_its_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![("a.txt".to_owned(), b"hello".to_vec())];
        assert_eq!(publish(dir.path(), &files).unwrap(), ["a.txt"]);
        let before = std::fs::metadata(dir.path().join("a.txt"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(publish(dir.path(), &files).unwrap().is_empty());
        let after = std::fs::metadata(dir.path().join("a.txt"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
    }

    #[test]
    fn leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        publish(dir.path(), &[("x".to_owned(), b"1".to_vec())]).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x"]);
    }
}
