//! Checks on Python source before the embedded interpreter compiles it.
//!
//! RustPython's parser recurses once per nesting level on the native stack:
//! sixty thousand nested parentheses overflow it and take the whole process
//! down. CPython's tokenizer refuses more than 200 nested brackets with a
//! `SyntaxError` ("too many nested parentheses"); this module gives the
//! same answer before the source reaches the parser.

use oxrpc_rpyc::RemoteException;

/// CPython's `MAXLEVEL`: the deepest bracket nesting its tokenizer accepts.
pub(crate) const MAX_NESTING: usize = 200;

/// `SyntaxError: too many nested parentheses` when `code` nests brackets
/// deeper than [`MAX_NESTING`] (string literals and comments skipped):
/// `f((1, [2]))` passes, 201 opening parentheses do not.
pub(crate) fn check_nesting(code: &str) -> Result<(), RemoteException> {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            quote @ (b'\'' | b'"') => {
                let triple = bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote);
                let width = if triple { 3 } else { 1 };
                i += width;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'\n' if !triple => break,
                        b if b == quote
                            && (!triple
                                || (bytes.get(i + 1) == Some(&quote)
                                    && bytes.get(i + 2) == Some(&quote))) =>
                        {
                            i += width - 1;
                            break;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(RemoteException::syntax_error("too many nested parentheses"));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_nesting;

    #[test]
    fn counts_brackets_outside_strings_and_comments() {
        assert!(check_nesting("f((1, [2]), {'a': 3})").is_ok());
        assert!(check_nesting(&format!("{}{}", "(".repeat(200), ")".repeat(200))).is_ok());
        let err = check_nesting(&"(".repeat(201)).unwrap_err();
        assert_eq!(err.name, "SyntaxError");
        assert!(check_nesting(&format!("x = '{}'", "(".repeat(500))).is_ok());
        assert!(check_nesting(&format!("x = \"\"\"{}\n\"\"\"", "[".repeat(500))).is_ok());
        assert!(check_nesting(&format!("# {}\nx = 1", "{".repeat(500))).is_ok());
        assert!(check_nesting(&format!("x = 'it\\'s {}'", "(".repeat(500))).is_ok());
    }
}
