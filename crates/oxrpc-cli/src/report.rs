//! How a failed command tells the user why.
//!
//! An error is printed with the chain of its causes, as anyhow's `{:#}`
//! does, except for a cause whose text the message before it already
//! carries: library errors often show their source in their own message
//! (`invalid response: not well formed: ...`) and name it as their source
//! too, and the user should read each reason once.

/// The error and its causes, each said once, joined with `": "`.
///
/// ```
/// let cause = std::io::Error::other("connection refused");
/// let error = anyhow::Error::new(cause).context("cannot reach the registry");
/// assert_eq!(
///     oxrpc_cli::report::error_text(&error),
///     "cannot reach the registry: connection refused"
/// );
/// ```
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let said = cause.to_string();
        if said.is_empty() || text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that shows its source in its message and names it as its
    /// source as well (what thiserror's `#[error("...: {0}")] X(#[from] Y)`
    /// makes).
    #[derive(Debug)]
    struct Wrapping(std::io::Error);

    impl std::fmt::Display for Wrapping {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "invalid response: {}", self.0)
        }
    }

    impl std::error::Error for Wrapping {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let error = anyhow::Error::new(Wrapping(std::io::Error::other("not well formed")));
        assert_eq!(error_text(&error), "invalid response: not well formed");
        let error = error.context("calling add");
        assert_eq!(
            error_text(&error),
            "calling add: invalid response: not well formed"
        );
    }
}
