//! Server URLs: `http[s]://[user:password@]host[:port][/path]`.
//!
//! Credentials in the URL become an HTTP basic `Authorization` header and are
//! removed from the request URI, as CPython's `ServerProxy` does.

use crate::error::Error;
use base64::Engine;
use hyper::header::HeaderValue;
use hyper::Uri;

/// A parsed server URL.
#[derive(Debug, Clone)]
pub(crate) struct ServerUrl {
    /// The URI requests go to (credentials stripped, `/RPC2` default path
    /// when none is given, as CPython does).
    pub uri: Uri,
    /// `Basic ...` when the URL carried credentials.
    pub authorization: Option<HeaderValue>,
}

impl ServerUrl {
    pub(crate) fn parse(url: &str) -> Result<ServerUrl, Error> {
        let invalid = || Error::InvalidUrl(url.to_owned());
        let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(invalid());
        }
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(invalid());
        }
        let path = if path.is_empty() { "/RPC2" } else { path };
        let uri: Uri = format!("{scheme}://{host}{path}")
            .parse()
            .map_err(|_| invalid())?;
        let authorization = match userinfo {
            Some(info) => {
                let decoded = percent_decode(info);
                let token = base64::engine::general_purpose::STANDARD.encode(decoded);
                Some(HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| invalid())?)
            }
            None => None,
        };
        Ok(ServerUrl { uri, authorization })
    }

    /// The URL for messages: no credentials.
    pub(crate) fn display(&self) -> String {
        self.uri.to_string()
    }
}

pub(crate) fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let u = ServerUrl::parse("http://localhost:9000").unwrap();
        assert_eq!(u.uri.to_string(), "http://localhost:9000/RPC2");
        assert!(u.authorization.is_none());
        let u = ServerUrl::parse("https://al%40ice:p%3Ass@example.org/xmlrpc").unwrap();
        assert_eq!(u.uri.to_string(), "https://example.org/xmlrpc");
        // base64("al@ice:p:ss")
        assert_eq!(u.authorization.unwrap(), "Basic YWxAaWNlOnA6c3M=");
        assert!(ServerUrl::parse("ftp://x").is_err());
        assert!(ServerUrl::parse("localhost:9000").is_err());
        assert_eq!(percent_decode("a%2"), b"a%2");
    }
}
