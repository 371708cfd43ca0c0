//! The one harness of `ghpkg`'s end-to-end tests and benchmarks: a fake
//! GitHub and a scratch directory ([`Fixture`]), `ghpkg` (or a script that
//! runs it) started against them with a clean environment, the outcome of
//! one run ([`Run`]), and reading its journals. Benchmarks take it in with
//! `#[path = "../tests/support/mod.rs"] mod support;`.
#![allow(dead_code, reason = "each test binary uses the part it needs")]

pub mod large_prune;
pub mod pusher;
pub mod registry_process;
pub mod token_front;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, Fault, FaultKind, Gate, ImageSpec, Matcher, Owner};
use serde_json::Value;

/// The `ghpkg` binary Cargo built for these tests.
pub const GHPKG: &str = env!("CARGO_BIN_EXE_ghpkg");

/// An empty directory `ghpkg-TARGET-NAME` below `base`, TARGET being the
/// test or bench target (so that targets never share one).
fn empty_dir(base: &Path, name: &str) -> PathBuf {
    let dir = base.join(format!("ghpkg-{}-{name}", env!("CARGO_CRATE_NAME")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How one `ghpkg` run ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Stdout as the one JSON document it must be.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not one JSON document ({error}):\n{}",
                self.stdout
            )
        })
    }

    /// Fails, showing both outputs, unless the exit code is `code`.
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// A fake GitHub, a scratch directory, and a way to run `ghpkg` against
/// them.
pub struct Fixture {
    pub github: FakeGitHub,
    pub dir: PathBuf,
    /// Whether `dir` goes on drop (one in memory); otherwise it stays for a
    /// look after a failure, and the next run empties it.
    remove_on_drop: bool,
}

impl Fixture {
    /// A fresh fake and an empty directory named for the target and `name`
    /// under Cargo's scratch directory.
    pub fn new(name: &str) -> Fixture {
        let dir = empty_dir(Path::new(env!("CARGO_TARGET_TMPDIR")), name);
        Fixture {
            github: FakeGitHub::start_in_background(),
            dir,
            remove_on_drop: false,
        }
    }

    /// As [`Fixture::new`], but the directory in memory where the system
    /// has it (`/dev/shm`), removed on drop: for runs that write thousands
    /// of journal lines, whose syncing to a disk would set the pace.
    pub fn in_memory(name: &str) -> Fixture {
        let shm = Path::new("/dev/shm");
        if !shm.is_dir() {
            return Fixture::new(name);
        }
        let dir = empty_dir(shm, &format!("{name}-{}", std::process::id()));
        Fixture {
            github: FakeGitHub::start_in_background(),
            dir,
            remove_on_drop: true,
        }
    }

    /// `program` with a clean environment: PATH, HOME in the scratch
    /// directory, the fake's token, API and registry URLs, and a data
    /// directory (`GHPKG_DATA_DIR`) inside the scratch directory, on every
    /// platform.
    pub fn program(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("GHPKG_DATA_DIR", self.data_dir())
            .env("GITHUB_TOKEN", FakeGitHub::TOKEN)
            .env("GITHUB_API_URL", self.github.base_url())
            .env("GHPKG_REGISTRY", self.github.registry_url());
        command
    }

    /// `ghpkg LINE EXTRA…` with the clean environment of [`Fixture::program`].
    pub fn command(&self, line: &str, extra: &[&str]) -> Command {
        let mut command = self.program(GHPKG);
        command.args(line.split_whitespace()).args(extra);
        command
    }

    pub fn run(&self, line: &str) -> Run {
        run_command(self.command(line, &[]))
    }

    pub fn run_with(&self, line: &str, extra: &[&str]) -> Run {
        run_command(self.command(line, extra))
    }

    /// Where `ghpkg` keeps its journals unless told otherwise.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("ghpkg-data")
    }

    pub fn journal(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// Ids of the versions the server holds as deleted, and as active.
    pub fn server_state(&self, owner: &Owner, kind: &str, package: &str) -> (Ids, Ids) {
        let versions = self.github.versions(owner, kind, package);
        let deleted = versions.iter().filter(|v| v.deleted).map(|v| v.id);
        let active = versions.iter().filter(|v| !v.deleted).map(|v| v.id);
        (deleted.collect(), active.collect())
    }

    /// Starts `ghpkg LINE EXTRA…` with its output piped, and returns once
    /// its first DELETE has reached the server (which the test holds there
    /// with a gate). Waits for that event, not for time: the deadline only
    /// turns a hang into a failure.
    pub fn spawn_until_a_delete_arrives(&self, line: &str, extra: &[&str]) -> Child {
        let mut command = self.command(line, extra);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.requests("DELETE") == 0 {
            if child.try_wait().unwrap().is_some() {
                let run = Run::from(child.wait_with_output().unwrap());
                panic!(
                    "ghpkg ended before any DELETE (exit {}):\n{}\n{}",
                    run.code, run.stdout, run.stderr
                );
            }
            assert!(Instant::now() < deadline, "no DELETE reached the server");
            std::thread::sleep(Duration::from_millis(5));
        }
        child
    }

    /// Pushes `image` to `owner`'s container package `package` just before
    /// the first request `on` matches is answered: a push while `ghpkg` runs.
    pub fn publish_when(&self, owner: &Owner, package: &str, on: Matcher, image: ImageSpec) {
        let push = FaultKind::Publish {
            owner: owner.clone(),
            package: package.into(),
            image,
        };
        self.github.inject(Fault::new(push).on(on));
    }

    pub fn requests(&self, method: &str) -> usize {
        let requests = self.github.requests();
        requests.iter().filter(|r| r.method == method).count()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if self.remove_on_drop {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub type Ids = BTreeSet<i64>;

pub fn run_command(mut command: Command) -> Run {
    Run::from(command.output().expect("ghpkg runs"))
}

/// The last journal line about each version: id -> outcome. Checks that
/// every line has the documented fields.
pub fn journal_outcomes(path: &str) -> BTreeMap<i64, String> {
    let fields = "time owner_kind owner type package version_id name tags outcome";
    let mut last = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        for field in fields.split_whitespace() {
            assert!(record.get(field).is_some(), "no {field}: {line}");
        }
        let id = record["version_id"].as_i64().unwrap();
        last.insert(id, record["outcome"].as_str().unwrap().to_string());
    }
    last
}

pub fn with_outcome(outcomes: &BTreeMap<i64, String>, outcome: &str) -> Ids {
    let matching = outcomes.iter().filter(|(_, o)| *o == outcome);
    matching.map(|(id, _)| *id).collect()
}

/// How a run interrupted by [`Fixture::interrupt_while_held`] went.
#[cfg(unix)]
pub struct Interrupted {
    /// The run; `stderr` is all it said, before Ctrl-C and after.
    pub run: Run,
    /// DELETEs that had reached the server when `ghpkg` took note of Ctrl-C.
    pub deletes_at_interrupt: usize,
}

#[cfg(unix)]
impl Fixture {
    /// Runs `ghpkg LINE EXTRA…` until its first DELETE reaches the server,
    /// which holds it behind `gate`; sends Ctrl-C (SIGINT); once `ghpkg`
    /// says it is finishing the deletions in flight (and only then, so no
    /// race decides what happens next), releases `gate`, and waits for the
    /// end.
    pub fn interrupt_while_held(&self, line: &str, extra: &[&str], gate: &Gate) -> Interrupted {
        use std::io::Read;

        let mut child = self.spawn_until_a_delete_arrives(line, extra);
        let (mut stderr, mut said) = interrupt(&mut child);
        let deletes_at_interrupt = self.requests("DELETE");
        gate.release();
        stderr.read_to_string(&mut said).unwrap();
        let mut run = Run::from(child.wait_with_output().unwrap());
        run.stderr = said;
        Interrupted {
            run,
            deletes_at_interrupt,
        }
    }
}

/// Sends Ctrl-C (SIGINT) to a `ghpkg` started with piped stderr and reads
/// its stderr until ghpkg says it is finishing the deletions in flight;
/// returns the rest of stderr, still to read, and what was said so far.
#[cfg(unix)]
fn interrupt(child: &mut Child) -> (std::io::BufReader<std::process::ChildStderr>, String) {
    use std::io::BufRead;

    let pid = child.id().to_string();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success());
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    loop {
        let mut line = String::new();
        let read = stderr.read_line(&mut line).unwrap();
        said.push_str(&line);
        assert!(
            read > 0,
            "ghpkg ended without taking note of Ctrl-C:\n{said}"
        );
        if line.starts_with("interrupted: finishing the deletions in flight") {
            return (stderr, said);
        }
    }
}
