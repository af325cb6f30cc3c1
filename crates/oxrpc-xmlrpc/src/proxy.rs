//! HTTP proxies for the client: `HTTP_PROXY` and `NO_PROXY`, as curl,
//! Python's `urllib` and Go read them.
//!
//! CPython's `ServerProxy` ignores proxy settings; a client on a network
//! that only reaches out through a proxy needs them, so ours reads the
//! environment by default (and [`ClientBuilder::proxy`](crate::ClientBuilder::proxy)
//! sets or clears a proxy explicitly):
//!
//! * `http_proxy`, else `HTTP_PROXY` (the upper-case one is ignored under
//!   CGI, where `REQUEST_METHOD` is set and a request header could have
//!   set it), for `http://` servers. The request then goes to the proxy
//!   in absolute form (`POST http://server/RPC2`), with
//!   `Proxy-Authorization` when the proxy URL carries credentials.
//! * `no_proxy`, else `NO_PROXY`: comma-separated host names (matching
//!   the name and every name under it; a leading `.` or `*.` is allowed),
//!   IP addresses, CIDR blocks, each optionally with `:port`; `*` means
//!   no proxy at all.
//! * Loopback servers (`localhost`, `127.0.0.0/8`, `::1`) are never
//!   proxied, as Go does.
//! * `https://` servers are not proxied (that would take a `CONNECT`
//!   tunnel, which this client does not open).

use crate::error::Error;
use base64::Engine;
use hyper::header::HeaderValue;
use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::net::TcpStream;

/// An HTTP proxy the client sends its requests through.
///
/// ```
/// use oxrpc_xmlrpc::Proxy;
///
/// let proxy = Proxy::http("http://user:secret@proxy.example:3128").unwrap();
/// assert_eq!(proxy.to_string(), "http://proxy.example:3128/");
/// assert!(Proxy::http("socks5://proxy.example").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    uri: Uri,
    authorization: Option<HeaderValue>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({})", self.uri)
    }
}

impl std::fmt::Display for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.uri)
    }
}

impl Proxy {
    /// An HTTP proxy from its URL, `http://[user:password@]host[:port]`
    /// (port 80 by default; a bare `host:port` is taken as http).
    pub fn http(url: &str) -> Result<Proxy, Error> {
        let invalid = || Error::InvalidUrl(format!("proxy {url}"));
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => return Err(invalid()),
            None => url,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(invalid());
        }
        let uri: Uri = format!("http://{host}/").parse().map_err(|_| invalid())?;
        let port = uri.port_u16().unwrap_or(80);
        let host = uri.host().ok_or_else(invalid)?;
        let uri: Uri = format!("http://{host}:{port}/")
            .parse()
            .map_err(|_| invalid())?;
        let authorization = match userinfo {
            Some(info) => {
                let decoded = crate::url::percent_decode(info);
                let token = base64::engine::general_purpose::STANDARD.encode(decoded);
                Some(HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| invalid())?)
            }
            None => None,
        };
        Ok(Proxy { uri, authorization })
    }

    /// The proxy the environment sets for `target`, if any.
    pub(crate) fn from_env(target: &Uri) -> Option<Proxy> {
        Proxy::select(target, |name| std::env::var(name).ok())
    }

    /// The proxy `lookup` (an environment) sets for `target`.
    pub(crate) fn select(target: &Uri, lookup: impl Fn(&str) -> Option<String>) -> Option<Proxy> {
        if target.scheme_str() != Some("http") {
            return None;
        }
        let host = target.host()?;
        let port = target.port_u16().unwrap_or(80);
        if is_loopback(host) {
            return None;
        }
        let no_proxy = lookup("no_proxy").or_else(|| lookup("NO_PROXY"));
        if no_proxy.is_some_and(|list| bypasses(&list, host, port)) {
            return None;
        }
        let setting = lookup("http_proxy")
            .filter(|v| !v.trim().is_empty())
            .or_else(|| {
                if lookup("REQUEST_METHOD").is_some() {
                    None
                } else {
                    lookup("HTTP_PROXY")
                }
            })
            .filter(|v| !v.trim().is_empty())?;
        match Proxy::http(&setting) {
            Ok(proxy) => Some(proxy),
            Err(_) => {
                tracing::warn!(target: "oxrpc::xmlrpc::client", "ignoring unusable HTTP proxy setting {setting:?}");
                None
            }
        }
    }

    /// The `Proxy-Authorization` value, when the proxy URL had credentials.
    pub(crate) fn authorization(&self) -> Option<&HeaderValue> {
        self.authorization.as_ref()
    }
}

fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

fn is_loopback(host: &str) -> bool {
    let host = unbracket(host).to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether the `NO_PROXY` list exempts `host:port`.
fn bypasses(list: &str, host: &str, port: u16) -> bool {
    let host = unbracket(host).trim_end_matches('.').to_ascii_lowercase();
    let ip = host.parse::<IpAddr>().ok();
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let (pattern, entry_port) = split_port(entry);
            if entry_port.is_some_and(|p| p != port) {
                return false;
            }
            let pattern = unbracket(pattern).to_ascii_lowercase();
            if let Some(ip) = ip {
                if let Some((network, bits)) = pattern.split_once('/') {
                    return match (network.parse::<IpAddr>(), bits.parse::<u8>()) {
                        (Ok(network), Ok(bits)) => in_network(ip, network, bits),
                        _ => false,
                    };
                }
                return pattern.parse::<IpAddr>().is_ok_and(|p| p == ip);
            }
            let pattern = pattern
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .trim_end_matches('.');
            !pattern.is_empty()
                && (host == pattern
                    || (host.len() > pattern.len()
                        && host.ends_with(pattern)
                        && host.as_bytes()[host.len() - pattern.len() - 1] == b'.'))
        })
}

/// `name:port`, `[v6]:port`, or just a name / address.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((address, tail)) = rest.split_once(']') {
            let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
            return (address, port);
        }
    }
    match entry.rsplit_once(':') {
        // A bare IPv6 address has colons too.
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

/// Connects to the proxy instead of the server when there is one, and
/// tells hyper so (it then writes requests in absolute form).
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    inner: HttpConnector,
    proxy: Option<Uri>,
}

impl ProxyConnector {
    pub(crate) fn new(inner: HttpConnector, proxy: Option<&Proxy>) -> Self {
        ProxyConnector {
            inner,
            proxy: proxy.map(|p| p.uri.clone()),
        }
    }
}

/// A connection, to the server or to a proxy.
pub(crate) struct ProxyStream {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl tower_service::Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = <HttpConnector as tower_service::Service<Uri>>::Error;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, destination: Uri) -> Self::Future {
        let proxied = self.proxy.is_some();
        let target = self.proxy.clone().unwrap_or(destination);
        let connecting = self.inner.call(target);
        Box::pin(async move {
            let io = connecting.await?;
            Ok(ProxyStream { io, proxied })
        })
    }
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.proxied)
    }
}

impl hyper::rt::Read for ProxyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn pick(target: &str, vars: &[(&str, &str)]) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Proxy::select(&target.parse().unwrap(), |name| vars.get(name).cloned())
            .map(|p| p.to_string())
    }

    #[test]
    fn environment_rules() {
        let proxy = [("HTTP_PROXY", "http://proxy.test:3128")];
        assert_eq!(
            pick("http://api.example/RPC2", &proxy).as_deref(),
            Some("http://proxy.test:3128/")
        );
        // Lower case wins; CGI ignores the upper-case one.
        assert_eq!(
            pick(
                "http://api.example/",
                &[("HTTP_PROXY", "http://a:1"), ("http_proxy", "b:2")]
            )
            .as_deref(),
            Some("http://b:2/")
        );
        assert_eq!(
            pick(
                "http://api.example/",
                &[("HTTP_PROXY", "http://a:1"), ("REQUEST_METHOD", "GET")]
            ),
            None
        );
        // https and loopback are never proxied.
        assert_eq!(pick("https://api.example/", &proxy), None);
        assert_eq!(pick("http://localhost:9000/", &proxy), None);
        assert_eq!(pick("http://127.0.0.5:9000/", &proxy), None);
        assert_eq!(pick("http://[::1]:9000/", &proxy), None);
        // NO_PROXY forms.
        let with = |no: &'static str| {
            let mut vars = proxy.to_vec();
            vars.push(("NO_PROXY", no));
            vars
        };
        assert_eq!(pick("http://api.example/", &with("*")), None);
        assert_eq!(pick("http://api.example/", &with("other, example")), None);
        assert_eq!(pick("http://a.api.example/", &with(".api.example")), None);
        assert_eq!(pick("http://a.api.example/", &with("*.api.example")), None);
        assert!(pick("http://notexample/", &with("example")).is_some());
        assert_eq!(pick("http://10.1.2.3/", &with("10.0.0.0/8")), None);
        assert!(pick("http://11.1.2.3/", &with("10.0.0.0/8")).is_some());
        assert_eq!(
            pick("http://api.example:8080/", &with("api.example:8080")),
            None
        );
        assert!(pick("http://api.example:8081/", &with("api.example:8080")).is_some());
        assert_eq!(pick("http://[2001:db8::1]/", &with("2001:db8::/32")), None);
        assert!(pick("http://api.example/", &[("HTTP_PROXY", "")]).is_none());
        assert!(pick("http://api.example/", &[("HTTP_PROXY", "ftp://x")]).is_none());
    }

    #[test]
    fn proxy_urls() {
        let p = Proxy::http("http://us%40er:p%3Ass@proxy.test").unwrap();
        assert_eq!(p.to_string(), "http://proxy.test:80/");
        assert_eq!(
            p.authorization().unwrap(),
            // base64("us@er:p:ss")
            "Basic dXNAZXI6cDpzcw=="
        );
        assert!(Proxy::http("http://").is_err());
        assert!(Proxy::http("https://proxy.test").is_err());
    }
}
