//! The error of the serde bridge, which says where in the value it failed.
//!
//! A struct that does not fit says which member did not
//! (`address.zip: invalid type: string "x", expected i32`), however deep:
//! each level of the value adds its step on the way out.

use std::fmt;

/// A value that does not fit the Rust type (or a Rust value that XML-RPC
/// cannot carry), and where in it the trouble is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerdeError {
    /// Steps from the top, innermost last once [`SerdeError::path`] has
    /// put them in order; stored innermost first while the error bubbles up.
    steps: Vec<Step>,
    message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Member(String),
    Index(usize),
}

impl SerdeError {
    pub(crate) fn new(message: impl fmt::Display) -> Self {
        SerdeError {
            steps: Vec::new(),
            message: message.to_string(),
        }
    }

    /// The error, one struct member further out.
    pub(crate) fn in_member(mut self, name: &str) -> Self {
        self.steps.push(Step::Member(name.to_owned()));
        self
    }

    /// The error, one array item further out.
    pub(crate) fn in_item(mut self, index: usize) -> Self {
        self.steps.push(Step::Index(index));
        self
    }

    /// Where the error is, as `address.zip` or `items[2].name`; empty when
    /// the value as a whole did not fit.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for step in self.steps.iter().rev() {
            match step {
                Step::Member(name) if is_identifier(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Step::Member(name) => {
                    out.push('[');
                    out.push_str(&oxrpc_pyfmt::str_repr(name));
                    out.push(']');
                }
                Step::Index(index) => {
                    out.push_str(&format!("[{index}]"));
                }
            }
        }
        out
    }

    /// What went wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

impl fmt::Display for SerdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{path}: {}", self.message)
        }
    }
}

impl std::error::Error for SerdeError {}

impl serde::ser::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerdeError::new(msg)
    }
}

impl serde::de::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerdeError::new(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_from_the_top() {
        let e = SerdeError::new("boom")
            .in_member("zip")
            .in_item(2)
            .in_member("addresses");
        assert_eq!(e.to_string(), "addresses[2].zip: boom");
        let e = SerdeError::new("boom").in_member("a b").in_member("x");
        assert_eq!(e.path(), "x['a b']");
        assert_eq!(SerdeError::new("top").to_string(), "top");
    }
}
