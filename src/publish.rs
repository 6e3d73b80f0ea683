//! Writes output files so that no reader ever sees a half-written one.
//!
//! Each file is written under a temporary name in the same folder and renamed into place
//! (atomic on POSIX). A file whose bytes are unchanged is not rewritten at all, so its mtime
//! stays and HTTP caches and rsync see no change. If any write fails, the files already in
//! place stay as the previous run left them.
//!
//! Pages are not flushed to the disk one by one (every output is made again from the cache):
//! the manifest alone is, after them, and a page a crash left empty is not current, so the
//! next run writes it again.

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
    /// An output turned off, or no longer made, could not be deleted.
    #[error("cannot delete `{path}`, an output no longer made")]
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

/// Writes each (name, bytes) into `dir` (names may hold folders: `archive/2026/11.html`);
/// returns how many files actually changed. Files are written by several threads.
pub fn publish(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<String>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Folder {
        path: dir.to_owned(),
        source: e,
    })?;
    let mut folders: Vec<PathBuf> = files
        .iter()
        .filter_map(|(name, _)| dir.join(name).parent().map(Path::to_owned))
        .collect();
    folders.sort();
    folders.dedup();
    for folder in folders {
        std::fs::create_dir_all(&folder).map_err(|e| Error::Folder {
            path: folder.clone(),
            source: e,
        })?;
    }
    // Whether the file changed.
    let write = |(name, bytes): &(String, Vec<u8>)| -> Result<bool, Error> {
        let path = dir.join(name);
        // A different length is a change without reading the old file.
        let same = std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64)
            && std::fs::read(&path).is_ok_and(|old| &old == bytes);
        if same {
            return Ok(false);
        }
        write_atomically(&path, bytes, false).map_err(|e| Error::Write {
            path: path.clone(),
            source: e,
        })?;
        Ok(true)
    };
    let changed: Vec<bool> = if files.len() < 8 {
        files.iter().map(write).collect::<Result<_, _>>()?
    } else {
        let chunk = files.len().div_ceil(WRITERS);
        std::thread::scope(|scope| {
            let workers: Vec<_> = files
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(write).collect::<Vec<_>>()))
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_default())
                .collect::<Result<Vec<bool>, Error>>()
        })?
    };
    Ok(files
        .iter()
        .zip(changed)
        .filter(|(_, changed)| *changed)
        .map(|((name, _), _)| name.clone())
        .collect())
}

/// A publish under way: files are written as they come, pages in batches (a first run makes
/// thousands of them, never held all at once), and what the planet publishes is recorded in a
/// new manifest.
pub struct Writer {
    dir: PathBuf,
    manifest: Manifest,
    batch: Vec<(String, Vec<u8>)>,
    batched: usize,
    changed: Vec<String>,
    /// The batch being written meanwhile, so the caller goes on rendering.
    writing: Option<std::thread::JoinHandle<Result<Vec<String>, Error>>>,
}

impl Drop for Writer {
    /// A publish left on an error still lets the batch being written finish: no temporary
    /// file is left behind by a process that exits under it.
    fn drop(&mut self) {
        if let Some(writing) = self.writing.take() {
            let _ = writing.join();
        }
    }
}

/// What a publish changed in `output_dir`.
#[derive(Debug, Default)]
pub struct Written {
    /// The files written because their bytes changed (or they are new).
    pub changed: Vec<String>,
    /// The files deleted: outputs turned off, pages no longer made.
    pub removed: usize,
}

impl Writer {
    /// A publish into `dir`.
    pub fn new(dir: &Path) -> Writer {
        Writer {
            dir: dir.to_owned(),
            manifest: Manifest {
                output_dir: dir.to_owned(),
                files: Default::default(),
            },
            batch: Vec::new(),
            batched: 0,
            changed: Vec::new(),
            writing: None,
        }
    }

    /// One file: its bytes (`None` for a page the last manifest says is current, left as it
    /// is), and the fingerprint of what a page shows.
    pub fn add(
        &mut self,
        name: String,
        fingerprint: Option<u64>,
        bytes: Option<Vec<u8>>,
    ) -> Result<(), Error> {
        self.manifest.add(&name, fingerprint);
        if let Some(bytes) = bytes {
            self.batched += bytes.len();
            self.batch.push((name, bytes));
            if self.batch.len() >= 256 || self.batched > 16 << 20 {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Starts writing the batch, once the one before is written.
    fn flush(&mut self) -> Result<(), Error> {
        self.wait()?;
        let (dir, batch) = (self.dir.clone(), std::mem::take(&mut self.batch));
        self.batched = 0;
        self.writing = Some(std::thread::spawn(move || publish(&dir, &batch)));
        Ok(())
    }

    /// Waits for the batch being written.
    fn wait(&mut self) -> Result<(), Error> {
        if let Some(writing) = self.writing.take() {
            let written = writing.join().map_err(|_| Error::Write {
                path: self.dir.clone(),
                source: std::io::Error::other("the thread writing pages stopped"),
            })??;
            self.changed.extend(written);
        }
        Ok(())
    }

    /// Writes what is left, deletes the outputs `turned_off` and the files `old` lists that
    /// this publish did not make, and keeps the new manifest in `cache_dir`.
    pub fn finish(
        mut self,
        old: &Manifest,
        turned_off: &[&str],
        cache_dir: &Path,
    ) -> Result<Written, Error> {
        self.flush()?;
        self.wait()?;
        let removed = retire(&self.dir, turned_off)? + self.manifest.retire_since(old)?;
        self.manifest.save(cache_dir)?;
        Ok(Written {
            changed: std::mem::take(&mut self.changed),
            removed,
        })
    }
}

/// Threads that write output files at once: mostly waiting for the disk, not computing. More
/// than a few only take turns on the lock of the folder they create files in.
const WRITERS: usize = 4;

/// What the planet published in `output_dir`, kept in the cache: each file's name and, for
/// the pages that have one, the fingerprint of what it shows. Pages whose fingerprint has not
/// changed are not rendered again; files the planet no longer makes (a month emptied, a
/// source removed, a topic deleted) are deleted, and files it never made are never touched.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// The folder the files are in.
    pub output_dir: PathBuf,
    /// Name → fingerprint (as hex; empty for files without one).
    pub files: std::collections::BTreeMap<String, String>,
}

/// The manifest's file in `cache_dir`.
const MANIFEST: &str = "published.json";

impl Manifest {
    /// The manifest of `output_dir` kept in `cache_dir`; empty when there is none, it cannot be
    /// read, or it is of another folder (then nothing there is the planet's to delete).
    pub fn load(cache_dir: &Path, output_dir: &Path) -> Manifest {
        let read = std::fs::read(cache_dir.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok());
        match read {
            Some(m) if m.output_dir == output_dir => m,
            _ => Manifest {
                output_dir: output_dir.to_owned(),
                files: Default::default(),
            },
        }
    }

    /// Whether the page at `name` is published with this fingerprint (and is still there, and
    /// not left empty by a crash before the disk had it).
    pub fn current(&self, name: &str, fingerprint: u64) -> bool {
        self.files.get(name) == Some(&format!("{fingerprint:016x}"))
            && std::fs::metadata(self.output_dir.join(name))
                .is_ok_and(|m| m.is_file() && m.len() > 0)
    }

    /// Records a file and its fingerprint.
    pub fn add(&mut self, name: &str, fingerprint: Option<u64>) {
        let fp = fingerprint.map(|f| format!("{f:016x}")).unwrap_or_default();
        self.files.insert(name.to_owned(), fp);
    }

    /// Deletes the files `old` lists that this manifest does not (with the folders they leave
    /// empty); returns how many went.
    pub fn retire_since(&self, old: &Manifest) -> Result<usize, Error> {
        if old.output_dir != self.output_dir {
            return Ok(0);
        }
        let gone: Vec<&str> = old
            .files
            .keys()
            .filter(|n| !self.files.contains_key(*n))
            .map(String::as_str)
            .collect();
        let count = retire(&self.output_dir, &gone)?;
        for name in gone {
            let mut folder = Path::new(name).parent();
            while let Some(f) = folder.filter(|f| !f.as_os_str().is_empty()) {
                // Only an empty folder goes: one holding the operator's files stays.
                if std::fs::remove_dir(self.output_dir.join(f)).is_err() {
                    break;
                }
                folder = f.parent();
            }
        }
        Ok(count)
    }

    /// Writes the manifest into `cache_dir`.
    pub fn save(&self, cache_dir: &Path) -> Result<(), Error> {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        let path = cache_dir.join(MANIFEST);
        // Flushed, unlike the pages: later runs trust it. A page a crash left empty is caught
        // by `current`.
        write_atomically(&path, &bytes, true).map_err(|e| Error::Write { path, source: e })
    }
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

/// Writes `bytes` under a temporary name and renames it to `path`; `flush` waits for the disk
/// to have the bytes first.
fn write_atomically(path: &Path, bytes: &[u8], flush: bool) -> std::io::Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if flush {
            f.sync_all()?;
        }
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
    fn a_publish_left_on_an_error_finishes_the_batch_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Writer::new(dir.path());
        // The 256th page starts a batch on the writing thread.
        for i in 0..256 {
            let page = format!("sources/{i}.html");
            writer.add(page, Some(1), Some(vec![b'x'; 4096])).unwrap();
        }
        drop(writer);
        let names: Vec<String> = std::fs::read_dir(dir.path().join("sources"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 256, "{names:?}");
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

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
