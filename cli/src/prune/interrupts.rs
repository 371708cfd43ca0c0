//! Ctrl-C during deletions: the first stops new ones, the second quits.

use std::sync::atomic::{AtomicBool, Ordering};

/// Ctrl-C, listened for from the moment this exists (so a signal that
/// arrives right after the first request is not missed), and whether one
/// came. One value can serve several `execute` calls (several packages):
/// once interrupted, each of them starts nothing.
pub struct Interrupts {
    pub(super) listener: Listener,
    pub(super) interrupted: AtomicBool,
}

impl Interrupts {
    pub fn listen() -> Interrupts {
        Interrupts {
            listener: Listener {
                #[cfg(unix)]
                signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                    .ok(),
            },
            interrupted: AtomicBool::new(false),
        }
    }

    /// Whether a Ctrl-C came while deletions ran.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
}

/// The signal itself.
pub(super) struct Listener {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Listener {
    /// Waits for the next Ctrl-C; `false` if none can come.
    pub(super) async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            match &mut self.signal {
                Some(signal) => signal.recv().await.is_some(),
                None => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}
