//! Globs over tags and package names (`--tag`, `--keep-tag`, `--name`, a
//! policy file's `tag` and `name`): the one pattern type of the CLI.

use globset::{GlobBuilder, GlobMatcher};

/// A glob over tags (`--tag`, `--exclude-tag`, `--keep-tag`, e.g. `pr-*` or
/// `v1.*`) or package names (`--name`, `--exclude-name`, a policy file's
/// `name`, e.g. `app-*`); `*` matches `/` too.
#[derive(Clone, Debug)]
pub struct Glob {
    text: String,
    matcher: GlobMatcher,
}

impl Glob {
    /// Parses a glob; `*` also matches `/` since tags are not paths.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("empty glob".to_string());
        }
        let glob = GlobBuilder::new(text)
            .literal_separator(false)
            .build()
            .map_err(|error| error.kind().to_string())?;
        Ok(Glob {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    /// The glob as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `text` matches the glob.
    pub fn is_match(&self, text: &str) -> bool {
        self.matcher.is_match(text)
    }

    /// Whether the glob has no wildcard, so it matches only itself.
    pub fn is_literal(&self) -> bool {
        !self.text.contains(['*', '?', '[', ']', '{', '}', '\\'])
    }

    pub fn first_match<'t>(&self, tags: &'t [String]) -> Option<&'t str> {
        tags.iter()
            .find(|tag| self.matcher.is_match(tag.as_str()))
            .map(String::as_str)
    }
}
