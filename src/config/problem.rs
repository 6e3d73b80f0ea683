//! What is wrong with a config, typed: a [`Problem`] per thing, with its line, and where each
//! key sits in the file ([`Lines`]), so every check words its problems the same way.

use std::collections::HashMap;
use std::fmt;

/// One thing wrong with the config, typed, so every command words it the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based line of the file it is on, when known.
    pub line: Option<usize>,
    /// Where it is: `[planet]`, `feed `URL``, `topic `NAME``; empty for the file as a whole.
    pub place: String,
    /// The key at fault, as written (`items_per_page`); empty when it is not one key's.
    pub key: String,
    /// What is wrong, for a person, naming the key.
    pub message: String,
    /// What to do about it, when there is something obvious to do.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem with a key, with no line (a check made on the loaded config).
    pub fn new(key: &str, message: impl Into<String>) -> Problem {
        Problem {
            line: None,
            place: String::new(),
            key: key.to_owned(),
            message: message.into(),
            hint: None,
        }
    }

    pub(super) fn at(mut self, line: Option<usize>, place: &str) -> Problem {
        self.line = line;
        self.place = place.to_owned();
        self
    }

    pub(super) fn hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if !self.place.is_empty() {
            write!(f, "{}: ", self.place)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Where each key's value sits in the file: `planet.KEY`, `feeds.N.KEY`, `topics.N.KEY` to the
/// line of its value and, for a list, of each item.
#[derive(Debug, Default)]
pub(super) struct Lines(pub(super) HashMap<String, Vec<usize>>);

impl Lines {
    /// The line of a key's value (`index` 0), or of one item of a list.
    pub(super) fn of(&self, path: &str, index: usize) -> Option<usize> {
        let lines = self.0.get(path)?;
        lines.get(index + 1).or(lines.first()).copied()
    }
}
