//! Whether a certificate names a host, by OpenSSL's rules as Python's `ssl`
//! sets them.
//!
//! Python checks a server's name with OpenSSL's `X509_check_host` (or
//! `X509_check_ip` for an address), under `X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS`
//! and with `hostname_checks_common_name` on. webpki reads only
//! subjectAltNames, so a certificate that names its host only in the
//! subject's common name (what `openssl req -subj /CN=localhost` makes) is
//! good to a Python client and refused by rustls. These rules are OpenSSL's:
//!
//! - an address matches the certificate's IP subjectAltNames, never its CN;
//! - a DNS name matches the DNS subjectAltNames; only when there is none does
//!   it match a common name instead (other kinds of subjectAltName do not
//!   count);
//! - names compare without regard to ASCII case; a pattern's `*` stands for
//!   one whole leftmost label of at least one character, in a pattern with at
//!   least two dots and no A-label (`xn--`) before the star; any other
//!   pattern compares literally.

use rustls::pki_types::ServerName;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

/// Whether `cert` is good for `name`, as Python's `ssl` decides it.
pub(crate) fn certificate_names(cert: &X509Certificate<'_>, name: &ServerName<'_>) -> bool {
    let alt_names = match cert.subject_alternative_name() {
        Ok(found) => found.map(|ext| ext.value.general_names.as_slice()),
        // A malformed extension names nothing.
        Err(_) => return false,
    };
    let alt_names = alt_names.unwrap_or_default();
    match name {
        ServerName::IpAddress(address) => {
            let wanted: Vec<u8> = match std::net::IpAddr::from(*address) {
                std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
                std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            alt_names
                .iter()
                .any(|alt| matches!(alt, GeneralName::IPAddress(bytes) if *bytes == wanted))
        }
        ServerName::DnsName(host) => {
            let host = host.as_ref();
            let dns_names: Vec<&str> = alt_names
                .iter()
                .filter_map(|alt| match alt {
                    GeneralName::DNSName(pattern) => Some(*pattern),
                    _ => None,
                })
                .collect();
            if !dns_names.is_empty() {
                return dns_names
                    .iter()
                    .any(|pattern| pattern_matches(pattern, host));
            }
            cert.subject()
                .iter_common_name()
                .filter_map(|cn| cn.as_str().ok())
                .any(|pattern| pattern_matches(pattern, host))
        }
        _ => false,
    }
}

/// OpenSSL's comparison of one certificate name with a host name.
fn pattern_matches(pattern: &str, host: &str) -> bool {
    if pattern.contains('\0') || host.contains('\0') {
        return false;
    }
    match wildcard_suffix(pattern) {
        Some(suffix) => {
            let Some(label_len) = host.len().checked_sub(suffix.len()) else {
                return false;
            };
            let Some((label, rest)) = host.split_at_checked(label_len) else {
                return false;
            };
            !label.is_empty()
                && rest.eq_ignore_ascii_case(suffix)
                && (label == "*"
                    || label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        }
        None => pattern.eq_ignore_ascii_case(host),
    }
}

/// For a valid full-label wildcard pattern (`*.example.com`), the part after
/// the star (`.example.com`); `None` when the pattern compares literally.
fn wildcard_suffix(pattern: &str) -> Option<&str> {
    let suffix = pattern.strip_prefix('*')?;
    if !suffix.starts_with('.') || suffix.contains('*') {
        return None;
    }
    // Every label after the star: non-empty, letters, digits and inner
    // hyphens only; at least two of them.
    let labels: Vec<&str> = suffix[1..].split('.').collect();
    let well_formed = labels.iter().all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    (well_formed && labels.len() >= 2).then_some(suffix)
}

#[cfg(test)]
mod tests {
    use super::pattern_matches;

    #[test]
    fn names_match_as_openssl_matches_them_for_python() {
        let cases = [
            ("localhost", "localhost", true),
            ("LocalHost", "localhost", true),
            ("localhost", "localhost.", false),
            ("*.oxrpc.test", "a.oxrpc.test", true),
            ("*.oxrpc.test", "A-1.OXRPC.TEST", true),
            ("*.oxrpc.test", "oxrpc.test", false),
            ("*.oxrpc.test", ".oxrpc.test", false),
            ("*.oxrpc.test", "a.b.oxrpc.test", false),
            ("*.oxrpc.test", "xn--bcher-kva.oxrpc.test", true),
            ("*.oxrpc.test", "a_b.oxrpc.test", false),
            ("*.oxrpc.test", "*.oxrpc.test", true),
            // Not a valid wildcard: compared literally.
            ("*.test", "a.test", false),
            ("*.test", "*.test", true),
            ("a*.oxrpc.test", "ab.oxrpc.test", false),
            ("*a.oxrpc.test", "ba.oxrpc.test", false),
            ("a.*.test", "a.b.test", false),
            ("*.-x.test", "a.-x.test", false),
        ];
        for (pattern, host, expected) in cases {
            assert_eq!(
                pattern_matches(pattern, host),
                expected,
                "{pattern} against {host}"
            );
        }
    }
}
