//! A distribution registry (Debian's `docker-registry`) of a test's own:
//! on 127.0.0.1 at a free port, storing under the test's scratch folder,
//! deletes enabled, optionally with the registry's `silly` auth (a Bearer
//! challenge naming a realm; any `Authorization` header is let in). It
//! stops when dropped. [`Tools::find`] says, in one line, when the
//! registry or skopeo is not installed, and the test skips.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_github::RealRegistry;

/// How to install what these tests need.
pub const INSTALL: &str = "apt-get install docker-registry skopeo";

/// The programs these tests run.
pub struct Tools {
    pub registry: PathBuf,
    pub skopeo: PathBuf,
}

impl Tools {
    /// Both programs, or `None` after printing the one line that says the
    /// test `name` is skipped and how to install them.
    pub fn find(name: &str) -> Option<Tools> {
        let registry = on_path("docker-registry");
        let skopeo = on_path("skopeo");
        match (registry, skopeo) {
            (Some(registry), Some(skopeo)) => Some(Tools { registry, skopeo }),
            _ => {
                // Straight to stderr: the test harness would swallow a
                // `println!` of a passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "skipping {name}: docker-registry or skopeo is not installed ({INSTALL})"
                );
                None
            }
        }
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// A free port on 127.0.0.1 (free when asked; the registry binds it next).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// A running registry.
pub struct RegistryProcess {
    child: Child,
    address: String,
    storage: PathBuf,
}

impl RegistryProcess {
    /// Starts the registry with its data under `dir`; with `realm`, behind
    /// `silly` auth whose challenge names that token endpoint.
    pub fn start(tools: &Tools, dir: &Path, realm: Option<&str>) -> RegistryProcess {
        let address = format!("127.0.0.1:{}", free_port());
        let storage = dir.join("storage");
        let auth = realm.map_or_else(String::new, |realm| {
            format!("auth:\n  silly:\n    realm: {realm}\n    service: real-registry\n")
        });
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: {address}\n  secret: test-only-secret\n{auth}",
            storage.display()
        );
        let config_path = dir.join("registry.yml");
        std::fs::write(&config_path, config).expect("the registry's config is written");
        let log = std::fs::File::create(dir.join("registry.log")).expect("a log file");
        let child = Command::new(&tools.registry)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log file"))
            .stderr(log)
            .spawn()
            .expect("docker-registry starts");
        let process = RegistryProcess {
            child,
            address,
            storage,
        };
        process.wait_until_listening(dir);
        process
    }

    fn wait_until_listening(&self, dir: &Path) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&self.address).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not listen on {} (see {})",
                self.address,
                dir.join("registry.log").display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// One of its repositories, e.g. `acme/app`.
    pub fn repository(&self, name: &str) -> RealRegistry {
        RealRegistry::new(self.address.clone(), name, self.storage.clone())
    }
}

impl Drop for RegistryProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
