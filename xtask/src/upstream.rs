//! The `upstream` task: the curated spec against GitHub's OpenAPI
//! description (a file, or the newest published one), and moving the
//! pinned packages part of it (`project::UPSTREAM_PIN`) to a newer one.
//!
//! Whatever the source, what is compared is its packages part
//! (`upstream::packages_subset`), so `--latest` compares exactly what
//! `--refresh` would pin.

use std::fs;
use std::path::Path;

use github_packages_codegen::project::{SPEC, UPSTREAM_PIN};
use github_packages_codegen::upstream::{Report, compare, packages_subset};

use crate::{Outcome, USAGE, npm};

/// Where the description comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file on disk: a whole description or a packages part of one.
    File(String),
    /// The newest `@octokit/openapi` on the npm registry.
    Latest,
}

/// What `cargo xtask upstream ARGS` does.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Task {
    Help,
    Check(Source),
    Refresh(Source),
}

fn parse(args: &[String]) -> Result<Task, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["-h" | "--help"] => Ok(Task::Help),
        ["--latest"] => Ok(Task::Check(Source::Latest)),
        ["--refresh"] => Ok(Task::Refresh(Source::Latest)),
        ["--refresh", file] if !file.starts_with('-') => {
            Ok(Task::Refresh(Source::File(file.to_string())))
        }
        [file] if !file.starts_with('-') => Ok(Task::Check(Source::File(file.to_string()))),
        _ => Err(format!(
            "error: `upstream` takes FILE, `--latest` or `--refresh [FILE]`\n{USAGE}"
        )),
    }
}

/// `cargo xtask upstream ARGS` in the workspace at `root`: the report on
/// stdout; [`Outcome::Failed`] when it is not clean (or, refreshing, when
/// the pin was not moved because of it), [`Outcome::BadInput`] when a file
/// or the newest description cannot be read.
pub fn run(root: &Path, args: &[String]) -> Outcome {
    let result = match parse(args) {
        Err(message) => return Outcome::BadInput(message),
        Ok(Task::Help) => {
            println!("{USAGE}");
            return Outcome::Done;
        }
        Ok(Task::Check(source)) => check(root, &source),
        Ok(Task::Refresh(source)) => refresh(root, &source),
    };
    result.unwrap_or_else(|outcome| outcome)
}

/// A description's name (as reports show it) and text.
struct Description {
    name: String,
    text: String,
}

fn load(source: &Source) -> Result<Description, Outcome> {
    match source {
        Source::File(file) => match fs::read_to_string(file) {
            Ok(text) => Ok(Description {
                name: file.clone(),
                text,
            }),
            Err(e) => Err(Outcome::BadInput(format!("error: cannot read {file}: {e}"))),
        },
        Source::Latest => {
            let fetched = npm::fetch_latest().map_err(Outcome::BadInput)?;
            // The first line, so that a script (the scheduled workflow) can
            // name what it checked even when the comparison fails.
            println!("newest description: {}@{}", npm::PACKAGE, fetched.version);
            Ok(Description {
                name: fetched.name(),
                text: fetched.text,
            })
        }
    }
}

/// The packages part of `description` and the report on it against the
/// spec in `root`.
fn compared(root: &Path, description: &Description) -> Result<(String, Report), Outcome> {
    let spec = fs::read_to_string(root.join(SPEC))
        .map_err(|e| Outcome::BadInput(format!("error: cannot read {SPEC}: {e}")))?;
    let nothing_compared = |e| Outcome::BadInput(format!("{e}\nerror: nothing was compared"));
    let subset = packages_subset(&description.name, &description.text).map_err(nothing_compared)?;
    let report = compare(SPEC, &spec, &description.name, &subset).map_err(nothing_compared)?;
    Ok((subset, report))
}

fn check(root: &Path, source: &Source) -> Result<Outcome, Outcome> {
    let description = load(source)?;
    let (_, report) = compared(root, &description)?;
    println!("{report}");
    if report.is_clean() {
        return Ok(Outcome::Done);
    }
    Ok(Outcome::Failed(format!(
        "error: {SPEC} differs from {} in ways it does not declare (see above)",
        description.name
    )))
}

/// Replaces the pin with the packages part of the description, provided the
/// spec declares every difference from it (else the pinned comparison in
/// the tests would fail): the pin only moves to a description the spec is
/// known to agree with.
fn refresh(root: &Path, source: &Source) -> Result<Outcome, Outcome> {
    let description = load(source)?;
    let (subset, report) = compared(root, &description)?;
    if !report.is_clean() {
        println!("{report}");
        return Ok(Outcome::Failed(format!(
            "error: {UPSTREAM_PIN} was left as it was: {SPEC} differs from {} in ways it does \
             not declare (see above); change the spec or declare the departures, then refresh",
            description.name
        )));
    }
    let pin = root.join(UPSTREAM_PIN);
    let previous = fs::read_to_string(&pin).ok();
    let new_version = &report.upstream_version;
    if previous.as_deref() == Some(subset.as_str()) {
        println!(
            "{UPSTREAM_PIN} already holds {} (version {new_version})",
            description.name
        );
        return Ok(Outcome::Done);
    }
    write_replacing(&pin, &subset).map_err(Outcome::BadInput)?;
    println!(
        "wrote {UPSTREAM_PIN}: the packages part of {} (version {new_version})\n\
         next: review `git diff {UPSTREAM_PIN}`, run `cargo test -p github-packages-tests upstream` \
         and `cargo insta review` (the report's snapshot names the version)",
        description.name
    );
    Ok(Outcome::Done)
}

/// Writes `text` to `path` through a temporary file beside it, so that a
/// failed write leaves the previous file whole.
fn write_replacing(path: &Path, text: &str) -> Result<(), String> {
    let temporary = path.with_extension("json.tmp");
    fs::write(&temporary, text)
        .and_then(|()| fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = fs::remove_file(&temporary);
            format!("error: cannot write {}: {e}", path.display())
        })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use github_packages_codegen::project::{self, Freshness, GENERATED};

    use super::*;
    use crate::workspace_root;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|arg| arg.to_string()).collect()
    }

    fn pin() -> String {
        workspace_root().join(UPSTREAM_PIN).display().to_string()
    }

    #[test]
    fn arguments_name_a_file_the_newest_description_or_a_refresh() {
        let file = |name: &str| Source::File(name.to_string());
        assert_eq!(parse(&args(&["a.json"])), Ok(Task::Check(file("a.json"))));
        assert_eq!(parse(&args(&["--latest"])), Ok(Task::Check(Source::Latest)));
        assert_eq!(
            parse(&args(&["--refresh"])),
            Ok(Task::Refresh(Source::Latest))
        );
        assert_eq!(
            parse(&args(&["--refresh", "a.json"])),
            Ok(Task::Refresh(file("a.json")))
        );
        for bad in [
            &[][..],
            &["--latest", "a.json"],
            &["--refresh", "--latest"],
            &["-x"],
        ] {
            let error = parse(&args(bad)).expect_err("refused");
            assert!(
                error.contains("takes FILE, `--latest` or `--refresh [FILE]`"),
                "{error}"
            );
        }
    }

    #[test]
    fn upstream_passes_on_the_pinned_description() {
        assert!(matches!(run(&workspace_root(), &[pin()]), Outcome::Done));
    }

    #[test]
    fn upstream_fails_on_an_undeclared_difference_and_refuses_bad_input() {
        let root = workspace_root();
        let text = fs::read_to_string(pin()).unwrap();
        let changed = with_secret_visibility(&text);
        let file = std::env::temp_dir().join(format!("xtask-upstream-{}.json", std::process::id()));
        fs::write(&file, changed).unwrap();
        let file = file.display().to_string();
        match run(&root, std::slice::from_ref(&file)) {
            Outcome::Failed(message) => assert!(message.contains(&file), "{message}"),
            _ => panic!("a new enum value upstream must fail the check"),
        }
        fs::write(&file, "{\"swagger\": \"2.0\"}").unwrap();
        match run(&root, std::slice::from_ref(&file)) {
            Outcome::BadInput(message) => {
                assert!(message.contains(&file), "{message}");
                assert!(
                    message.contains("not an OpenAPI 3 description"),
                    "{message}"
                );
            }
            _ => panic!("a Swagger 2 file is bad input"),
        }
        fs::remove_file(&file).unwrap();
        match run(&root, std::slice::from_ref(&file)) {
            Outcome::BadInput(message) => assert!(message.contains("cannot read"), "{message}"),
            _ => panic!("a missing file is bad input"),
        }
    }

    /// `text` (a description) with a visibility value the spec lacks.
    fn with_secret_visibility(text: &str) -> String {
        let changed = text.replacen("\"internal\"", "\"internal\",\n\"secret\"", 1);
        assert_ne!(text, changed, "the pin lists `internal` as a visibility");
        changed
    }

    /// A scratch copy of the workspace's files the refresh and its checks
    /// read: the spec, the generated module and the pin.
    fn scratch_workspace(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for file in [SPEC, GENERATED, UPSTREAM_PIN] {
            let target = root.join(file);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(workspace_root().join(file), target).unwrap();
        }
        root
    }

    /// A whole description, as npm would deliver it: the pin with a newer
    /// version, another API's operation and a schema only it references.
    fn newer_whole_description(pinned: &str) -> String {
        let info = pinned.find("\"info\": {").expect("the pin has info");
        let version = info + pinned[info..].find("\"version\": \"").unwrap() + 12;
        let end = version + pinned[version..].find('"').unwrap();
        let mut text = format!("{}99.0.0{}", &pinned[..version], &pinned[end..]);
        let issues = r##""/repos/{owner}/{repo}/issues": {"get": {
            "tags": ["issues"], "operationId": "issues/list-for-repo",
            "responses": {"200": {"description": "Response", "content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/issue"}}}}}}},"##;
        text = text.replacen("\"paths\": {", &format!("\"paths\": {{{issues}"), 1);
        let issue = r#""issue": {"type": "object", "properties": {"id": {"type": "integer"}}},"#;
        text.replacen("\"schemas\": {", &format!("\"schemas\": {{{issue}"), 1)
    }

    #[test]
    fn refresh_moves_the_pin_and_leaves_regen_check_and_the_comparison_green() {
        let root = scratch_workspace("refresh");
        let pin = root.join(UPSTREAM_PIN);
        let whole = root.join("api.github.com.json");
        let whole_name = whole.display().to_string();
        fs::write(
            &whole,
            newer_whole_description(&fs::read_to_string(&pin).unwrap()),
        )
        .unwrap();

        let refresh = args(&["--refresh", &whole_name]);
        assert!(matches!(run(&root, &refresh), Outcome::Done));
        let refreshed = fs::read_to_string(&pin).unwrap();
        assert!(refreshed.contains("\"version\": \"99.0.0\""));
        assert!(
            !refreshed.contains("issues/list-for-repo"),
            "another API's operation"
        );
        assert!(
            !refreshed.contains("\"issue\""),
            "a schema only it references"
        );
        assert!(refreshed.contains("packages/list-packages-for-organization"));

        // What `cargo xtask regen --check` and `cargo xtask upstream PIN` run.
        assert!(matches!(project::check(&root), Ok(Freshness::UpToDate)));
        let pin_name = pin.display().to_string();
        assert!(matches!(run(&root, &[pin_name]), Outcome::Done));

        // Again: nothing to do.
        assert!(matches!(run(&root, &refresh), Outcome::Done));
        assert_eq!(fs::read_to_string(&pin).unwrap(), refreshed);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn refresh_leaves_the_pin_while_the_spec_differs_in_ways_it_does_not_declare() {
        let root = scratch_workspace("refused-refresh");
        let pin = root.join(UPSTREAM_PIN);
        let pinned = fs::read_to_string(&pin).unwrap();
        let whole = root.join("api.github.com.json");
        fs::write(
            &whole,
            with_secret_visibility(&newer_whole_description(&pinned)),
        )
        .unwrap();

        let refresh = args(&["--refresh", &whole.display().to_string()]);
        match run(&root, &refresh) {
            Outcome::Failed(message) => {
                assert!(message.contains("was left as it was"), "{message}");
                assert!(message.contains("declare the departures"), "{message}");
            }
            _ => panic!("an undeclared difference must stop the refresh"),
        }
        assert_eq!(fs::read_to_string(&pin).unwrap(), pinned);
        fs::remove_dir_all(root).unwrap();
    }
}
