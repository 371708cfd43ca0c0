//! Content digests (`sha256:<64 hex>`): parsing, computing and verifying.
//!
//! A container package version's name is the digest of its manifest, so a
//! digest is both the key the registry is asked for and the proof that the
//! bytes it sent are the version's: [`Digest::verify`] recomputes it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// A `sha256:` content digest with 64 lower-case hex digits.
///
/// Only sha256 is accepted: it is what GitHub's registry names versions by,
/// and a digest this crate cannot recompute could not be verified.
///
/// ```
/// use github_packages_oci::registry::Digest;
///
/// let digest = Digest::of(b"{}");
/// assert_eq!(digest, digest.as_str().parse::<Digest>()?);
/// assert!(digest.verify(b"{}"));
/// assert!(!digest.verify(b"{ }"));
/// assert!("sha512:00".parse::<Digest>().is_err());
/// # Ok::<(), github_packages_oci::registry::InvalidDigest>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

/// Why a text is not a [`Digest`]; the text itself is kept, shortened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidDigest {
    text: String,
}

impl fmt::Display for InvalidDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a sha256 digest (expected sha256: and 64 lower-case hex digits)",
            self.text
        )
    }
}

impl std::error::Error for InvalidDigest {}

const PREFIX: &str = "sha256:";

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        let hash = Sha256::digest(bytes);
        let mut text = String::with_capacity(PREFIX.len() + 64);
        text.push_str(PREFIX);
        for byte in hash.iter() {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        Digest(text)
    }

    /// Whether `bytes` hash to this digest.
    pub fn verify(&self, bytes: &[u8]) -> bool {
        Digest::of(bytes) == *self
    }

    /// `sha256:<hex>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 64 hex digits, without `sha256:`.
    pub fn hex(&self) -> &str {
        &self.0[PREFIX.len()..]
    }

    /// The digest `sha256:<hex>` for 64 lower-case hex digits.
    pub fn from_hex(hex: &str) -> Result<Digest, InvalidDigest> {
        format!("{PREFIX}{hex}").parse()
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl FromStr for Digest {
    type Err = InvalidDigest;

    fn from_str(text: &str) -> Result<Digest, InvalidDigest> {
        let valid = text.strip_prefix(PREFIX).is_some_and(|hex| {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
        });
        if valid {
            Ok(Digest(text.to_string()))
        } else {
            Err(InvalidDigest {
                text: text.chars().take(80).collect(),
            })
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.0)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Digest, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // sha256 of the empty string.
        assert_eq!(
            Digest::of(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn refuses_what_is_not_a_sha256_digest() {
        let good = Digest::of(b"x");
        for bad in [
            "",
            "sha256:",
            "sha256:abc",
            &good.as_str().to_uppercase(),
            &format!("sha512:{}", good.hex()),
            &format!("{}0", good.as_str()),
            &good.as_str().replace("sha256:", "sha256-"),
        ] {
            assert!(bad.parse::<Digest>().is_err(), "{bad}");
        }
        assert_eq!(Digest::from_hex(good.hex()), Ok(good));
    }
}
