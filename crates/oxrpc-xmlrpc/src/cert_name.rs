//! The name a TLS client certificate gives its holder.
//!
//! A server that admits clients by certificate wants to tell handlers who
//! called, and the name people put in a certificate is the subject's
//! common name (`CN=ana`). Reading it takes a few steps into the DER
//! structure (certificate, to-be-signed part, subject, its attributes), so
//! this is a small reader of just those steps rather than a general X.509
//! parser. The certificate has been verified by TLS before this runs, but
//! its bytes still came from the peer: every length is checked, nothing
//! here can panic, and a certificate it cannot read is named by its
//! SHA-256 fingerprint instead.

/// The subject common name of a DER certificate, or `sha256:<hex>` of the
/// certificate when it has none (or cannot be read).
pub(crate) fn certificate_name(der: &[u8]) -> String {
    subject_common_name(der).unwrap_or_else(|| {
        let digest = ring::digest::digest(&ring::digest::SHA256, der);
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    })
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const INTEGER: u8 = 0x02;
const VERSION: u8 = 0xA0;
/// 2.5.4.3, `commonName`.
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

fn subject_common_name(der: &[u8]) -> Option<String> {
    let (tag, certificate, _) = tlv(der)?;
    expect(tag, SEQUENCE)?;
    let (tag, mut tbs, _) = tlv(certificate)?;
    expect(tag, SEQUENCE)?;
    // [0] version, serial number, signature algorithm, issuer, validity, subject.
    let (tag, _, rest) = tlv(tbs)?;
    if tag == VERSION {
        tbs = rest;
        let (tag, _, rest) = tlv(tbs)?;
        expect(tag, INTEGER)?;
        tbs = rest;
    } else {
        expect(tag, INTEGER)?;
        tbs = rest;
    }
    for _ in 0..3 {
        let (tag, _, rest) = tlv(tbs)?;
        expect(tag, SEQUENCE)?;
        tbs = rest;
    }
    let (tag, mut subject, _) = tlv(tbs)?;
    expect(tag, SEQUENCE)?;
    while !subject.is_empty() {
        let (tag, mut set, rest) = tlv(subject)?;
        expect(tag, SET)?;
        subject = rest;
        while !set.is_empty() {
            let (tag, attribute, rest) = tlv(set)?;
            expect(tag, SEQUENCE)?;
            set = rest;
            let (tag, oid, value) = tlv(attribute)?;
            expect(tag, OID)?;
            if oid == COMMON_NAME {
                let (tag, text, _) = tlv(value)?;
                return decode_string(tag, text);
            }
        }
    }
    None
}

fn expect(tag: u8, wanted: u8) -> Option<()> {
    (tag == wanted).then_some(())
}

/// One tag-length-value: the tag, the contents, and what follows.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        let length = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (length, rest)
    };
    if rest.len() < length {
        return None;
    }
    let (contents, rest) = rest.split_at(length);
    Some((tag, contents, rest))
}

/// The text of a directory string in any of the encodings X.509 allows.
fn decode_string(tag: u8, bytes: &[u8]) -> Option<String> {
    match tag {
        // UTF8String, PrintableString, IA5String, VisibleString.
        0x0C | 0x13 | 0x16 | 0x1A => String::from_utf8(bytes.to_vec()).ok(),
        // TeletexString: in practice Latin-1.
        0x14 => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        // BMPString: UTF-16BE.
        0x1E if bytes.len() % 2 == 0 => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        // UniversalString: UTF-32BE.
        0x1C if bytes.len() % 4 == 0 => bytes
            .chunks_exact(4)
            .map(|q| char::from_u32(u32::from_be_bytes([q[0], q[1], q[2], q[3]])))
            .collect(),
        _ => None,
    }
    .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_common_name_or_falls_back_to_a_fingerprint() {
        let mut params = rcgen::CertificateParams::new(vec!["client.test".into()]).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "oxrpc");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "ana ñandú");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        assert_eq!(certificate_name(cert.der()), "ana ñandú");

        let mut params = rcgen::CertificateParams::new(vec!["client.test".into()]).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        let cert = params.self_signed(&key).unwrap();
        assert!(certificate_name(cert.der()).starts_with("sha256:"));

        // Truncated or garbage input never panics.
        let der = cert.der().to_vec();
        for cut in 0..der.len() {
            let _ = certificate_name(&der[..cut]);
        }
        assert!(certificate_name(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).starts_with("sha256:"));
    }
}
