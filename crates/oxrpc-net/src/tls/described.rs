//! A certificate described as Python's `ssl` module describes it.
//!
//! rpyc's `SSLAuthenticator` hands a server the client certificate as
//! `SSLSocket.getpeercert()` gives it: a dict of the subject and issuer (a
//! tuple of relative names, each a tuple of `(long name, value)` pairs),
//! the version, the serial number in hexadecimal, the validity dates as
//! OpenSSL prints them, and the subjectAltName, OCSP, caIssuers and CRL
//! entries when the certificate has them. Python code on an oxrpc server
//! (classic mode's `_config['credentials']`) reads the same values from
//! [`describe_certificate`], so code written against rpyc's dict keeps
//! working.

use x509_parser::asn1_rs::{Oid, Tag};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::time::ASN1Time;
use x509_parser::x509::X509Name;

/// A distinguished name: relative names in order, each its
/// `(attribute, value)` pairs, attributes under OpenSSL's long names
/// (`commonName`, `organizationName`, ...) or dotted when OpenSSL has none.
pub type NameDescription = Vec<Vec<(String, String)>>;

/// One subjectAltName entry, as Python's `getpeercert()` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AltNameDescription {
    /// `('DNS', ...)`, `('IP Address', ...)`, `('email', ...)`, and the
    /// other kinds OpenSSL prints as text.
    Text(&'static str, String),
    /// `('DirName', name)`: a directory name, described as a subject is.
    Directory(NameDescription),
}

/// What `SSLSocket.getpeercert()` gives for a verified certificate.
///
/// ```
/// # let der: &[u8] = &[];
/// if let Ok(described) = oxrpc_net::tls::describe_certificate(der) {
///     println!("{:?} serial {}", described.subject, described.serial_number);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDescription {
    /// `subject`.
    pub subject: NameDescription,
    /// `issuer`.
    pub issuer: NameDescription,
    /// `version`: 1 for an X.509 v1 certificate, 3 for v3.
    pub version: u32,
    /// `serialNumber`: upper-case hexadecimal, two digits a byte.
    pub serial_number: String,
    /// `notBefore`, as OpenSSL prints it (`Dec  3 12:24:08 2026 GMT`).
    pub not_before: String,
    /// `notAfter`, the same way.
    pub not_after: String,
    /// `subjectAltName` (absent from the dict when empty).
    pub subject_alt_names: Vec<AltNameDescription>,
    /// `OCSP`: the responders' URIs (absent when empty).
    pub ocsp: Vec<String>,
    /// `caIssuers`: where the issuer's certificate is (absent when empty).
    pub ca_issuers: Vec<String>,
    /// `crlDistributionPoints` (absent when empty).
    pub crl_distribution_points: Vec<String>,
}

/// Describes a DER certificate as Python's `getpeercert()` does; `Err` says
/// why it cannot be read.
pub fn describe_certificate(der: &[u8]) -> Result<CertificateDescription, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    let mut described = CertificateDescription {
        subject: describe_name(cert.subject())?,
        issuer: describe_name(cert.issuer())?,
        version: cert.version().0 + 1,
        serial_number: serial_in_hex(cert.raw_serial()),
        not_before: openssl_time(&cert.validity().not_before),
        not_after: openssl_time(&cert.validity().not_after),
        subject_alt_names: Vec::new(),
        ocsp: Vec::new(),
        ca_issuers: Vec::new(),
        crl_distribution_points: Vec::new(),
    };
    for extension in cert.iter_extensions() {
        match extension.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(names) => {
                for name in &names.general_names {
                    described.subject_alt_names.push(describe_alt_name(name)?);
                }
            }
            ParsedExtension::AuthorityInfoAccess(access) => {
                for description in access.iter() {
                    let GeneralName::URI(uri) = description.access_location else {
                        continue;
                    };
                    let method = description.access_method.to_id_string();
                    match method.as_str() {
                        "1.3.6.1.5.5.7.48.1" => described.ocsp.push(uri.to_owned()),
                        "1.3.6.1.5.5.7.48.2" => described.ca_issuers.push(uri.to_owned()),
                        _ => {}
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for point in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &point.distribution_point
                    {
                        described
                            .crl_distribution_points
                            .extend(names.iter().filter_map(|name| match name {
                                GeneralName::URI(uri) => Some((*uri).to_owned()),
                                _ => None,
                            }));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(described)
}

fn describe_name(name: &X509Name<'_>) -> Result<NameDescription, String> {
    name.iter()
        .map(|relative| {
            relative
                .iter()
                .map(|attribute| {
                    let value = attribute.attr_value();
                    Ok((
                        long_name(attribute.attr_type()),
                        string_value(value.tag(), value.as_bytes())?,
                    ))
                })
                .collect()
        })
        .collect()
}

fn describe_alt_name(name: &GeneralName<'_>) -> Result<AltNameDescription, String> {
    let text = |kind: &'static str, value: &str| AltNameDescription::Text(kind, value.to_owned());
    Ok(match name {
        GeneralName::DNSName(dns) => text("DNS", dns),
        GeneralName::RFC822Name(email) => text("email", email),
        GeneralName::URI(uri) => text("URI", uri),
        GeneralName::IPAddress(bytes) => text("IP Address", &address_text(bytes)),
        GeneralName::RegisteredID(oid) => text("Registered ID", &long_name(oid)),
        GeneralName::DirectoryName(directory) => {
            AltNameDescription::Directory(describe_name(directory)?)
        }
        GeneralName::OtherName(..) => text("othername", "<unsupported>"),
        GeneralName::X400Address(_) => text("X400Name", "<unsupported>"),
        GeneralName::EDIPartyName(_) => text("EdiPartyName", "<unsupported>"),
        GeneralName::Invalid(..) => return Err("a subjectAltName cannot be read".to_owned()),
    })
}

/// An address as Python writes it: dotted for IPv4; eight upper-case
/// hexadecimal groups for IPv6, none left out.
fn address_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => format!("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]),
        16 => bytes
            .chunks(2)
            .map(|pair| format!("{:X}", u16::from_be_bytes([pair[0], pair[1]])))
            .collect::<Vec<_>>()
            .join(":"),
        _ => "<invalid>".to_owned(),
    }
}

/// OpenSSL keeps an integer's magnitude: DER's sign byte goes.
fn serial_in_hex(der: &[u8]) -> String {
    let first = der.iter().position(|&b| b != 0).unwrap_or(der.len());
    let magnitude = &der[first.min(der.len().saturating_sub(1))..];
    if magnitude.is_empty() {
        return "00".to_owned();
    }
    magnitude.iter().map(|b| format!("{b:02X}")).collect()
}

/// `ASN1_TIME_print`: `Mon DD HH:MM:SS YYYY GMT`, the day padded with a
/// space.
fn openssl_time(time: &ASN1Time) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let at = time.to_datetime();
    let month = usize::from(u8::from(at.month())).saturating_sub(1);
    format!(
        "{} {:2} {:02}:{:02}:{:02} {} GMT",
        MONTHS.get(month).copied().unwrap_or("???"),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.year()
    )
}

/// `ASN1_STRING_to_UTF8`: each string type by its own encoding (T61 as
/// Latin-1, as OpenSSL reads it).
fn string_value(tag: Tag, bytes: &[u8]) -> Result<String, String> {
    let utf8 = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| "a name attribute is not valid UTF-8".to_owned())
    };
    match tag {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => utf8(bytes),
        Tag::T61String => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16(&units).map_err(|_| "a BMPString is not valid UTF-16".to_owned())
        }
        Tag::UniversalString => bytes
            .chunks_exact(4)
            .map(|quad| {
                char::from_u32(u32::from_be_bytes([quad[0], quad[1], quad[2], quad[3]]))
                    .ok_or_else(|| "a UniversalString holds no character".to_owned())
            })
            .collect(),
        _ => Err(format!("a name attribute of type {tag} is not a string")),
    }
}

/// OpenSSL's long name for an attribute or object, or the dotted OID.
fn long_name(oid: &Oid<'_>) -> String {
    let dotted = oid.to_id_string();
    let name = match dotted.as_str() {
        "2.5.4.3" => "commonName",
        "2.5.4.4" => "surname",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "countryName",
        "2.5.4.7" => "localityName",
        "2.5.4.8" => "stateOrProvinceName",
        "2.5.4.9" => "streetAddress",
        "2.5.4.10" => "organizationName",
        "2.5.4.11" => "organizationalUnitName",
        "2.5.4.12" => "title",
        "2.5.4.13" => "description",
        "2.5.4.15" => "businessCategory",
        "2.5.4.16" => "postalAddress",
        "2.5.4.17" => "postalCode",
        "2.5.4.18" => "postOfficeBox",
        "2.5.4.41" => "name",
        "2.5.4.42" => "givenName",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.45" => "x500UniqueIdentifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "1.2.840.113549.1.9.2" => "unstructuredName",
        "0.9.2342.19200300.100.1.1" => "userId",
        "0.9.2342.19200300.100.1.25" => "domainComponent",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionLocalityName",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionStateOrProvinceName",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionCountryName",
        _ => return dotted,
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_drop_the_sign_byte_and_keep_one_digit_pair() {
        assert_eq!(serial_in_hex(&[0x00, 0x8A, 0x01]), "8A01");
        assert_eq!(serial_in_hex(&[0x1A, 0x49]), "1A49");
        assert_eq!(serial_in_hex(&[0x00]), "00");
        assert_eq!(serial_in_hex(&[]), "00");
    }

    #[test]
    fn addresses_are_written_as_python_writes_them() {
        assert_eq!(address_text(&[127, 0, 0, 1]), "127.0.0.1");
        let v6: std::net::Ipv6Addr = "2001:db8::1"
            .parse()
            .unwrap_or(std::net::Ipv6Addr::LOCALHOST);
        assert_eq!(address_text(&v6.octets()), "2001:DB8:0:0:0:0:0:1");
        assert_eq!(address_text(&[1, 2, 3]), "<invalid>");
    }

    #[test]
    fn strings_are_read_by_their_type() {
        assert_eq!(string_value(Tag::T61String, b"M\xf3"), Ok("Mó".to_owned()));
        assert_eq!(
            string_value(Tag::BmpString, &[0, b'M', 0, 0xf3]),
            Ok("Mó".to_owned())
        );
        assert!(string_value(Tag::Integer, &[1]).is_err());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(describe_certificate(b"not a certificate").is_err());
    }
}
