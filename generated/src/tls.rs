//! The TLS crypto provider reqwest needs with the default `rustls` feature
//! (see the crate's "Cargo features" for why and what an application that
//! builds its own reqwest clients should do).

/// reqwest's `rustls-no-provider` needs a process-wide crypto provider.
/// Install `ring` unless the application installed one already. With
/// `rustls-aws-lc` also enabled, reqwest falls back on aws-lc-rs by itself,
/// so nothing is installed.
#[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
pub(crate) fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc"))))]
pub(crate) fn install_crypto_provider() {}
