//! The digests `_hashlib` offers, by the names CPython 3.11 and OpenSSL 3
//! know them by, and their running states: plain, keyed (HMAC) and
//! extendable (SHAKE).
//!
//! A name is first a Python one, matched exactly (`sha3_256`,
//! `shake_128`, `sha512_224`), else one of OpenSSL's names for the
//! digest, matched without regard to case (`SHA256`, `sha-1`,
//! `SHA2-512/224`, `RMD160`, an OID), as `py_digest_by_name` reads it.

use digest::core_api::BlockSizeUser;
use digest::typenum::{U36, U64};
use digest::{Digest, ExtendableOutput, FixedOutput, HashMarker, Output, OutputSizeUser, Reset};
use digest::{KeyInit, Mac, Update, XofReader};
use hmac::{Hmac, SimpleHmac};

/// One of the digests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Algorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    Shake128,
    Shake256,
    Blake2b,
    Blake2s,
    Ripemd160,
    Sm3,
    Md5Sha1,
}

/// What a caller sees of a digest.
struct Description {
    algorithm: Algorithm,
    /// Its `name` in Python.
    python_name: &'static str,
    /// OpenSSL's names for it (case does not matter).
    openssl_names: &'static [&'static str],
    digest_size: usize,
    block_size: usize,
}

const DESCRIPTIONS: [Description; 19] = [
    Description {
        algorithm: Algorithm::Md5,
        python_name: "md5",
        openssl_names: &["MD5", "SSL3-MD5", "1.2.840.113549.2.5"],
        digest_size: 16,
        block_size: 64,
    },
    Description {
        algorithm: Algorithm::Sha1,
        python_name: "sha1",
        openssl_names: &["SHA1", "SHA-1", "SSL3-SHA1", "1.3.14.3.2.26"],
        digest_size: 20,
        block_size: 64,
    },
    Description {
        algorithm: Algorithm::Sha224,
        python_name: "sha224",
        openssl_names: &["SHA2-224", "SHA-224", "SHA224", "2.16.840.1.101.3.4.2.4"],
        digest_size: 28,
        block_size: 64,
    },
    Description {
        algorithm: Algorithm::Sha256,
        python_name: "sha256",
        openssl_names: &["SHA2-256", "SHA-256", "SHA256", "2.16.840.1.101.3.4.2.1"],
        digest_size: 32,
        block_size: 64,
    },
    Description {
        algorithm: Algorithm::Sha384,
        python_name: "sha384",
        openssl_names: &["SHA2-384", "SHA-384", "SHA384", "2.16.840.1.101.3.4.2.2"],
        digest_size: 48,
        block_size: 128,
    },
    Description {
        algorithm: Algorithm::Sha512,
        python_name: "sha512",
        openssl_names: &["SHA2-512", "SHA-512", "SHA512", "2.16.840.1.101.3.4.2.3"],
        digest_size: 64,
        block_size: 128,
    },
    Description {
        algorithm: Algorithm::Sha512_224,
        python_name: "sha512_224",
        openssl_names: &[
            "SHA2-512/224",
            "SHA-512/224",
            "SHA512-224",
            "2.16.840.1.101.3.4.2.5",
        ],
        digest_size: 28,
        block_size: 128,
    },
    Description {
        algorithm: Algorithm::Sha512_256,
        python_name: "sha512_256",
        openssl_names: &[
            "SHA2-512/256",
            "SHA-512/256",
            "SHA512-256",
            "2.16.840.1.101.3.4.2.6",
        ],
        digest_size: 32,
        block_size: 128,
    },
    Description {
        algorithm: Algorithm::Sha3_224,
        python_name: "sha3_224",
        openssl_names: &["SHA3-224", "2.16.840.1.101.3.4.2.7"],
        digest_size: 28,
        block_size: 144,
    },
    Description {
        algorithm: Algorithm::Sha3_256,
        python_name: "sha3_256",
        openssl_names: &["SHA3-256", "2.16.840.1.101.3.4.2.8"],
        digest_size: 32,
        block_size: 136,
    },
    Description {
        algorithm: Algorithm::Sha3_384,
        python_name: "sha3_384",
        openssl_names: &["SHA3-384", "2.16.840.1.101.3.4.2.9"],
        digest_size: 48,
        block_size: 104,
    },
    Description {
        algorithm: Algorithm::Sha3_512,
        python_name: "sha3_512",
        openssl_names: &["SHA3-512", "2.16.840.1.101.3.4.2.10"],
        digest_size: 64,
        block_size: 72,
    },
    Description {
        algorithm: Algorithm::Shake128,
        python_name: "shake_128",
        openssl_names: &["SHAKE-128", "SHAKE128", "2.16.840.1.101.3.4.2.11"],
        digest_size: 0,
        block_size: 168,
    },
    Description {
        algorithm: Algorithm::Shake256,
        python_name: "shake_256",
        openssl_names: &["SHAKE-256", "SHAKE256", "2.16.840.1.101.3.4.2.12"],
        digest_size: 0,
        block_size: 136,
    },
    Description {
        algorithm: Algorithm::Blake2b,
        python_name: "blake2b",
        openssl_names: &["BLAKE2B-512", "BLAKE2b512", "1.3.6.1.4.1.1722.12.2.1.16"],
        digest_size: 64,
        block_size: 128,
    },
    Description {
        algorithm: Algorithm::Blake2s,
        python_name: "blake2s",
        openssl_names: &["BLAKE2S-256", "BLAKE2s256", "1.3.6.1.4.1.1722.12.2.2.8"],
        digest_size: 32,
        block_size: 64,
    },
    Description {
        algorithm: Algorithm::Ripemd160,
        python_name: "ripemd160",
        openssl_names: &[
            "RIPEMD-160",
            "RIPEMD160",
            "RIPEMD",
            "RMD160",
            "1.3.36.3.2.1",
        ],
        digest_size: 20,
        block_size: 64,
    },
    Description {
        algorithm: Algorithm::Sm3,
        python_name: "sm3",
        openssl_names: &["SM3", "1.2.156.10197.1.401"],
        digest_size: 32,
        block_size: 64,
    },
    Description {
        algorithm: Algorithm::Md5Sha1,
        python_name: "md5-sha1",
        openssl_names: &["MD5-SHA1"],
        digest_size: 36,
        block_size: 64,
    },
];

/// The digests with a constructor of their own (`openssl_sha256`), in
/// CPython's order.
pub(super) const CONSTRUCTED: [Algorithm; 12] = [
    Algorithm::Md5,
    Algorithm::Sha1,
    Algorithm::Sha224,
    Algorithm::Sha256,
    Algorithm::Sha384,
    Algorithm::Sha512,
    Algorithm::Sha3_224,
    Algorithm::Sha3_256,
    Algorithm::Sha3_384,
    Algorithm::Sha3_512,
    Algorithm::Shake128,
    Algorithm::Shake256,
];

impl Algorithm {
    /// The digest `name` names, if any.
    pub(super) fn by_name(name: &str) -> Option<Algorithm> {
        DESCRIPTIONS
            .iter()
            .find(|d| d.python_name == name)
            .or_else(|| {
                DESCRIPTIONS.iter().find(|d| {
                    d.openssl_names
                        .iter()
                        .any(|known| known.eq_ignore_ascii_case(name))
                })
            })
            .map(|d| d.algorithm)
    }

    /// Every digest's Python name (`openssl_md_meth_names`).
    pub(super) fn python_names() -> impl Iterator<Item = &'static str> {
        DESCRIPTIONS.iter().map(|d| d.python_name)
    }

    fn description(self) -> &'static Description {
        // Every variant has its row.
        let row = DESCRIPTIONS.iter().position(|d| d.algorithm == self);
        &DESCRIPTIONS[row.unwrap_or(0)]
    }

    pub(super) fn python_name(self) -> &'static str {
        self.description().python_name
    }

    pub(super) fn digest_size(self) -> usize {
        self.description().digest_size
    }

    pub(super) fn block_size(self) -> usize {
        self.description().block_size
    }

    /// Whether it is extendable (SHAKE): its output is as long as asked.
    pub(super) fn is_xof(self) -> bool {
        matches!(self, Algorithm::Shake128 | Algorithm::Shake256)
    }
}

/// OpenSSL's `MD5-SHA1`: both digests of the same input, side by side
/// (the TLS 1.0 handshake's hash), with MD5's block size.
#[derive(Clone, Default)]
pub(super) struct Md5Sha1 {
    md5: md5::Md5,
    sha1: sha1::Sha1,
}

impl HashMarker for Md5Sha1 {}

impl OutputSizeUser for Md5Sha1 {
    type OutputSize = U36;
}

impl BlockSizeUser for Md5Sha1 {
    type BlockSize = U64;
}

impl Update for Md5Sha1 {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.md5, data);
        Digest::update(&mut self.sha1, data);
    }
}

impl FixedOutput for Md5Sha1 {
    fn finalize_into(self, out: &mut Output<Self>) {
        let (md5, sha1) = out.split_at_mut(16);
        md5.copy_from_slice(&self.md5.finalize());
        sha1.copy_from_slice(&self.sha1.finalize());
    }
}

impl Reset for Md5Sha1 {
    fn reset(&mut self) {
        *self = Md5Sha1::default();
    }
}

/// Stamps out the running states over each fixed-size digest: plain and
/// keyed, and PBKDF2 over each one's HMAC. An HMAC is `Hmac`, which keeps
/// both padded keys hashed, where the digest's state allows it (block
/// digests); `SimpleHmac` otherwise.
macro_rules! fixed_digests {
    ($($variant:ident => $digest:ty, $mac:ty),* $(,)?) => {
        /// A running plain digest.
        #[derive(Clone)]
        pub(super) enum FixedState {
            $($variant($digest),)*
        }

        impl FixedState {
            fn new(algorithm: Algorithm) -> Option<Self> {
                match algorithm {
                    $(Algorithm::$variant => Some(FixedState::$variant(<$digest>::default())),)*
                    _ => None,
                }
            }

            fn update(&mut self, data: &[u8]) {
                match self {
                    $(FixedState::$variant(state) => Digest::update(state, data),)*
                }
            }

            fn digest(&self) -> Vec<u8> {
                match self {
                    $(FixedState::$variant(state) => state.clone().finalize().to_vec(),)*
                }
            }
        }

        /// A running HMAC.
        #[derive(Clone)]
        pub(super) enum MacState {
            $($variant($mac),)*
        }

        impl MacState {
            /// The HMAC of `algorithm` under `key`, if it has one (an
            /// extendable digest has none).
            pub(super) fn new(algorithm: Algorithm, key: &[u8]) -> Option<Self> {
                match algorithm {
                    $(Algorithm::$variant => {
                        <$mac as KeyInit>::new_from_slice(key)
                            .ok()
                            .map(MacState::$variant)
                    })*
                    _ => None,
                }
            }

            pub(super) fn update(&mut self, data: &[u8]) {
                match self {
                    $(MacState::$variant(state) => Mac::update(state, data),)*
                }
            }

            pub(super) fn digest(&self) -> Vec<u8> {
                match self {
                    $(MacState::$variant(state) => state.clone().finalize().into_bytes().to_vec(),)*
                }
            }
        }

        /// Fills `out` with PBKDF2-HMAC of `algorithm`; false for a digest
        /// without an HMAC.
        pub(super) fn pbkdf2_hmac(
            algorithm: Algorithm,
            password: &[u8],
            salt: &[u8],
            rounds: u32,
            out: &mut [u8],
        ) -> bool {
            match algorithm {
                $(Algorithm::$variant => {
                    pbkdf2::pbkdf2::<$mac>(password, salt, rounds, out).is_ok()
                })*
                _ => false,
            }
        }
    };
}

fixed_digests! {
    Md5 => md5::Md5, Hmac<md5::Md5>,
    Sha1 => sha1::Sha1, Hmac<sha1::Sha1>,
    Sha224 => sha2::Sha224, Hmac<sha2::Sha224>,
    Sha256 => sha2::Sha256, Hmac<sha2::Sha256>,
    Sha384 => sha2::Sha384, Hmac<sha2::Sha384>,
    Sha512 => sha2::Sha512, Hmac<sha2::Sha512>,
    Sha512_224 => sha2::Sha512_224, Hmac<sha2::Sha512_224>,
    Sha512_256 => sha2::Sha512_256, Hmac<sha2::Sha512_256>,
    Sha3_224 => sha3::Sha3_224, Hmac<sha3::Sha3_224>,
    Sha3_256 => sha3::Sha3_256, Hmac<sha3::Sha3_256>,
    Sha3_384 => sha3::Sha3_384, Hmac<sha3::Sha3_384>,
    Sha3_512 => sha3::Sha3_512, Hmac<sha3::Sha3_512>,
    Blake2b => blake2::Blake2b512, SimpleHmac<blake2::Blake2b512>,
    Blake2s => blake2::Blake2s256, SimpleHmac<blake2::Blake2s256>,
    Ripemd160 => ripemd::Ripemd160, Hmac<ripemd::Ripemd160>,
    Sm3 => sm3::Sm3, Hmac<sm3::Sm3>,
    Md5Sha1 => Md5Sha1, SimpleHmac<Md5Sha1>,
}

/// A running digest of any kind.
#[derive(Clone)]
pub(super) enum State {
    Fixed(FixedState),
    Shake128(sha3::Shake128),
    Shake256(sha3::Shake256),
}

impl State {
    pub(super) fn new(algorithm: Algorithm) -> State {
        match algorithm {
            Algorithm::Shake128 => State::Shake128(sha3::Shake128::default()),
            Algorithm::Shake256 => State::Shake256(sha3::Shake256::default()),
            fixed => match FixedState::new(fixed) {
                Some(state) => State::Fixed(state),
                // Every other algorithm is a fixed-size one.
                None => State::Shake128(sha3::Shake128::default()),
            },
        }
    }

    pub(super) fn update(&mut self, data: &[u8]) {
        match self {
            State::Fixed(state) => state.update(data),
            State::Shake128(state) => Update::update(state, data),
            State::Shake256(state) => Update::update(state, data),
        }
    }

    /// The digest so far (a fixed-size one's whole output; `length`
    /// bytes of an extendable one's), or None where the memory for that
    /// many bytes cannot be had.
    pub(super) fn digest(&self, length: usize) -> Option<Vec<u8>> {
        match self {
            State::Fixed(state) => Some(state.digest()),
            State::Shake128(state) => read_xof(state.clone().finalize_xof(), length),
            State::Shake256(state) => read_xof(state.clone().finalize_xof(), length),
        }
    }
}

fn read_xof(mut reader: impl XofReader, length: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    out.try_reserve_exact(length).ok()?;
    out.resize(length, 0);
    reader.read(&mut out);
    Some(out)
}
