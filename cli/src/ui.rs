//! Talking to the person at the terminal: progress bars and `-v` notes, both
//! on stderr so that stdout stays clean for tables and JSON.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug)]
pub struct Ui {
    verbose: bool,
    progress: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Ui {
    /// Progress bars only on a terminal and never with `--json`.
    pub fn new(verbose: u8, json: bool) -> Ui {
        Ui {
            verbose: verbose > 0,
            progress: !json && std::io::stderr().is_terminal(),
            bar: Mutex::new(None),
        }
    }

    /// A `-v` note. Callers never pass the token (`github_packages::Token` has no `Display`).
    pub fn note(&self, message: impl AsRef<str>) {
        if self.verbose {
            self.say(message);
        }
    }

    /// A warning, always shown.
    pub fn warn(&self, message: impl AsRef<str>) {
        self.say(format!("warning: {}", message.as_ref()));
    }

    /// An error that does not end the command, always shown.
    pub fn error(&self, message: impl AsRef<str>) {
        self.say(format!("error: {}", message.as_ref()));
    }

    /// A line on stderr, always shown, around any progress bar.
    pub fn say(&self, message: impl AsRef<str>) {
        let line = message.as_ref();
        match self.current_bar() {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// A counter for work of unknown size (listing pages).
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner().with_message(message.to_string());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}: {pos}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        self.track(bar)
    }

    /// A bar for work of known size (deletions, restores).
    pub fn bar(&self, message: &str, total: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(total).with_message(message.to_string());
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        self.track(bar)
    }

    /// Removes the current bar from the screen.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).take() {
            bar.finish_and_clear();
        }
    }

    fn track(&self, bar: ProgressBar) -> ProgressBar {
        self.finish();
        *self.bar.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar.clone());
        bar
    }

    fn current_bar(&self) -> Option<ProgressBar> {
        self.bar.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
