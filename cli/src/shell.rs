//! Shell conventions: completion scripts (`ghpkg completions SHELL`) and
//! the man page (`ghpkg man`), both generated from the clap definitions in
//! [`crate::args`], so they never disagree with `--help`.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::{Cli, ShellArg};
use crate::exit::Exit;

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: ShellArg) -> Result<(), Exit> {
    print(&completion_script(shell))
}

/// Prints the man page on stdout.
pub fn man() -> Result<(), Exit> {
    let page =
        man_page().map_err(|error| Exit::failed(format!("cannot render the man page: {error}")))?;
    print(&page)
}

fn completion_script(shell: ShellArg) -> Vec<u8> {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ghpkg", &mut script);
    script
}

/// The man page (roff): the command and its options, then each
/// subcommand with its own (clap_mangen renders one command a page).
fn man_page() -> std::io::Result<Vec<u8>> {
    let command = Cli::command();
    let mut page = Vec::new();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let name = sub.get_name();
        let sub = clap_mangen::Man::new(sub.clone().bin_name(format!("ghpkg {name}")));
        writeln!(page, ".SH \"GHPKG {}\"", name.to_uppercase())?;
        sub.render_synopsis_section(&mut page)?;
        sub.render_description_section(&mut page)?;
        sub.render_options_section(&mut page)?;
    }
    man.render_extra_section(&mut page)?;
    man.render_version_section(&mut page)?;
    Ok(page)
}

fn print(bytes: &[u8]) -> Result<(), Exit> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|error| Exit::failed(format!("cannot write to stdout: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shell_completes_the_subcommands_and_their_flags() {
        for shell in [
            ShellArg::Bash,
            ShellArg::Zsh,
            ShellArg::Fish,
            ShellArg::Powershell,
        ] {
            let script = String::from_utf8(completion_script(shell)).unwrap();
            for word in ["prune", "restore", "keep-referenced", "completions"] {
                assert!(script.contains(word), "{shell:?} lacks {word}");
            }
        }
    }

    #[test]
    fn the_man_page_documents_every_subcommand() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(
            page.starts_with(".ie \\n(.g .ds Aq \\(aq"),
            "{}",
            &page[..80]
        );
        assert!(page.contains(".TH ghpkg 1"), "{page}");
        for section in [
            ".SH \"GHPKG PRUNE\"",
            ".SH \"GHPKG RESTORE\"",
            ".SH \"GHPKG MAN\"",
        ] {
            assert!(page.contains(section), "{section}");
        }
        assert!(page.contains("keep\\-referenced"));
    }
}
