//! The TLS crypto provider reqwest needs with the default `rustls` feature
//! (see the crate's "Cargo features" for why and what an application that
//! builds its own reqwest clients should do).

/// Installs the process-wide rustls crypto provider that reqwest needs with
/// this crate's default `rustls` feature, unless one is installed already.
///
/// The feature turns on reqwest's `rustls-no-provider`, so every
/// `reqwest::Client` in the process, this crate's or not, needs a
/// process-wide provider (see the crate's "Cargo features"). Building a
/// [`Client`] calls this itself; code that builds a `reqwest::Client` of its
/// own, perhaps before any [`Client`], calls it first (`github-packages-oci`
/// does for its registry client). With `rustls-aws-lc` or `native-tls`
/// reqwest brings its own provider and this does nothing. Calling it more
/// than once, or from several threads at once, is fine.
///
/// ```
/// github_packages::install_crypto_provider();
/// let http = reqwest::Client::builder().build();
/// ```
///
/// [`Client`]: crate::Client
#[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Installs the process-wide rustls crypto provider that reqwest needs with
/// this crate's default `rustls` feature, unless one is installed already.
///
/// In this build `rustls` is off or `rustls-aws-lc` is on: reqwest brings
/// its own provider, so this does nothing.
#[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc"))))]
pub fn install_crypto_provider() {}
