//! How `ghpkg` ends: an [`ExitStatus`] and, unless already reported, one
//! line on stderr.

use std::process::ExitCode;

/// The process's exit status; `ghpkg --help` lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything asked for was done.
    Success,
    /// A request, or some of the deletions or restores, failed.
    Failed,
    /// Bad input: nothing was sent.
    Usage,
    /// Ctrl-C: deletions not yet started were not attempted.
    Interrupted,
}

impl ExitStatus {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failed => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// How a command ends when it does not succeed.
#[derive(Debug, PartialEq, Eq)]
pub struct Exit {
    pub status: ExitStatus,
    /// The line for stderr; `None` when the output already said it.
    pub message: Option<String>,
}

impl Exit {
    /// Bad input: nothing was sent.
    pub fn usage(message: impl Into<String>) -> Exit {
        Exit {
            status: ExitStatus::Usage,
            message: Some(message.into()),
        }
    }

    /// A failure while working.
    pub fn failed(message: impl Into<String>) -> Exit {
        Exit {
            status: ExitStatus::Failed,
            message: Some(message.into()),
        }
    }

    /// Stopped by Ctrl-C.
    pub fn interrupted(message: impl Into<String>) -> Exit {
        Exit {
            status: ExitStatus::Interrupted,
            message: Some(message.into()),
        }
    }

    /// Failures already reported (e.g. per version in a table).
    pub fn reported(status: ExitStatus) -> Exit {
        Exit {
            status,
            message: None,
        }
    }
}
