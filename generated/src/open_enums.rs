//! Forward-compatible enums for values GitHub may extend.
//!
//! The generator swaps these in for the spec's `PackageType` and
//! `PackageVisibility` schemas. A value this crate does not know yet decodes
//! into `Unknown(String)` instead of failing the whole response, and is sent
//! back to GitHub unchanged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$variant_meta:meta])* $variant:ident => $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A value GitHub sent that this version of the crate does not know.
            Unknown(String),
        }

        impl $name {
            /// Every known value, in GitHub's documented order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as GitHub spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            /// Never fails: an unknown value becomes `Unknown`.
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(match value {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown(other.to_string()),
                })
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value.parse() {
                    Ok(parsed) => parsed,
                    Err(never) => match never {},
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                $name::from(value.as_str())
            }
        }

        impl From<&$name> for $name {
            fn from(value: &$name) -> Self {
                value.clone()
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok($name::from(text))
            }
        }
    };
}

open_enum! {
    /// A package's ecosystem. Gradle packages are `Maven`; images in the
    /// Container registry (ghcr.io) are `Container`.
    PackageType {
        /// `npm`
        Npm => "npm",
        /// `maven` (also Gradle)
        Maven => "maven",
        /// `rubygems`
        Rubygems => "rubygems",
        /// `docker`: images pushed to the former Docker registry
        Docker => "docker",
        /// `nuget`
        Nuget => "nuget",
        /// `container`: the Container registry (ghcr.io)
        Container => "container",
    }
}

open_enum! {
    /// Who can see a package.
    PackageVisibility {
        /// `public`
        Public => "public",
        /// `private`
        Private => "private",
        /// `internal`: visible to the enterprise's members (registries with
        /// granular permissions only)
        Internal => "internal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip() {
        for kind in PackageType::KNOWN {
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(&serde_json::from_str::<PackageType>(&json).unwrap(), kind);
        }
    }

    #[test]
    fn unknown_values_are_kept() {
        let kind: PackageType = serde_json::from_str("\"cargo\"").unwrap();
        assert_eq!(kind, PackageType::Unknown("cargo".to_string()));
        assert_eq!(serde_json::to_string(&kind).unwrap(), "\"cargo\"");
        assert_eq!(
            "secret".parse::<PackageVisibility>().unwrap(),
            PackageVisibility::Unknown("secret".to_string())
        );
    }
}
