//! Pushes the shapes people push to ghcr.io through a registry's own API,
//! as a client does (blobs first, then manifests, an index after what it
//! lists), and remembers every manifest's bytes and the push order.

use std::collections::HashMap;

use fake_github::RealRegistry;
use serde_json::{Value, json};

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// A pushed manifest.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub digest: String,
    pub media_type: String,
    pub size: usize,
}

impl Pushed {
    fn descriptor(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.size})
    }

    /// The hex of its digest, as digest tags spell it.
    pub fn hex(&self) -> &str {
        self.digest.trim_start_matches("sha256:")
    }
}

pub struct Pusher {
    registry: RealRegistry,
    /// Manifest digests in push order.
    pub pushed: Vec<String>,
    /// Every manifest's bytes, by digest.
    pub bodies: HashMap<String, Vec<u8>>,
    /// Makes every image's content its own.
    seed: u32,
}

impl Pusher {
    pub fn new(registry: RealRegistry) -> Pusher {
        Pusher {
            registry,
            pushed: Vec::new(),
            bodies: HashMap::new(),
            seed: 0,
        }
    }

    fn blob(&mut self, media_type: &str, content: &[u8]) -> Value {
        let digest = self.registry.push_blob(content).unwrap();
        json!({"mediaType": media_type, "digest": digest, "size": content.len()})
    }

    /// Puts a manifest by digest, then under `tag`.
    fn manifest(&mut self, media_type: &str, body: Value, tag: Option<&str>) -> Pushed {
        let bytes = serde_json::to_vec(&body).unwrap();
        let tags: Vec<&str> = tag.into_iter().collect();
        let digest = self
            .registry
            .push_manifest(media_type, &bytes, &tags)
            .unwrap();
        self.pushed.push(digest.clone());
        self.bodies.insert(digest.clone(), bytes.clone());
        Pushed {
            digest,
            media_type: media_type.to_string(),
            size: bytes.len(),
        }
    }

    fn unique(&mut self, what: &str) -> Vec<u8> {
        self.seed += 1;
        format!("{what} {}", self.seed).into_bytes()
    }

    /// A single-platform OCI image: a config and one layer.
    pub fn image(&mut self, tag: Option<&str>) -> Pushed {
        let config = json!({"architecture": "amd64", "os": "linux", "seed": self.seed});
        let config = self.blob(OCI_CONFIG, &serde_json::to_vec(&config).unwrap());
        let layer_content = self.unique("layer");
        let layer = self.blob(OCI_LAYER, &layer_content);
        self.manifest(
            OCI_MANIFEST,
            json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}),
            tag,
        )
    }

    /// An artifact (`artifactType`, empty config), attached to `subject`
    /// when given.
    fn artifact(&mut self, artifact_type: &str, subject: Option<&Pushed>) -> Pushed {
        let empty = self.blob(OCI_EMPTY, b"{}");
        let content = self.unique(artifact_type);
        let layer = self.blob(artifact_type, &content);
        let mut body = json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": artifact_type,
            "config": empty, "layers": [layer]
        });
        if let Some(subject) = subject {
            body["subject"] = subject.descriptor();
        }
        self.manifest(OCI_MANIFEST, body, None)
    }

    /// `docker buildx build --platform … --push`: a manifest per platform,
    /// an in-toto attestation manifest for each, then the index.
    pub fn buildx(&mut self, platforms: &[&str], tag: Option<&str>) -> Pushed {
        let mut entries = Vec::new();
        let mut attestations = Vec::new();
        for platform in platforms {
            let (os, architecture) = platform.split_once('/').unwrap();
            let image = self.image(None);
            let mut entry = image.descriptor();
            entry["platform"] = json!({"os": os, "architecture": architecture});
            entries.push(entry);
            let config = json!({"architecture": "unknown", "os": "unknown", "seed": self.seed});
            let config = self.blob(OCI_CONFIG, &serde_json::to_vec(&config).unwrap());
            let statement = self.unique("in-toto statement");
            let mut layer = self.blob("application/vnd.in-toto+json", &statement);
            layer["annotations"] =
                json!({"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"});
            let attestation = self.manifest(
                OCI_MANIFEST,
                json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}),
                None,
            );
            let mut entry = attestation.descriptor();
            entry["platform"] = json!({"os": "unknown", "architecture": "unknown"});
            entry["annotations"] = json!({
                "vnd.docker.reference.type": "attestation-manifest",
                "vnd.docker.reference.digest": image.digest,
            });
            attestations.push(entry);
        }
        entries.extend(attestations);
        self.manifest(
            OCI_INDEX,
            json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
            tag,
        )
    }

    /// A Docker schema2 manifest list of two Docker manifests.
    pub fn docker_list(&mut self, tag: Option<&str>) -> Pushed {
        let mut entries = Vec::new();
        for architecture in ["amd64", "arm64"] {
            let config = json!({"architecture": architecture, "os": "linux", "seed": self.seed});
            let config = self.blob(
                "application/vnd.docker.container.image.v1+json",
                &serde_json::to_vec(&config).unwrap(),
            );
            let layer_content = gzip_stored(&self.unique("docker layer"));
            let layer = self.blob(
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
                &layer_content,
            );
            let image = self.manifest(
                DOCKER_MANIFEST,
                json!({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "config": config, "layers": [layer]}),
                None,
            );
            let mut entry = image.descriptor();
            entry["platform"] = json!({"os": "linux", "architecture": architecture});
            entries.push(entry);
        }
        self.manifest(
            DOCKER_LIST,
            json!({"schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": entries}),
            tag,
        )
    }

    /// cosign's signature (tag `sha256-<hex>.sig`) of `subject`.
    pub fn cosign_signature(&mut self, subject: &Pushed) -> Pushed {
        let config = self.blob(
            OCI_CONFIG,
            br#"{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]},"config":{}}"#,
        );
        let payload = json!({"critical": {"image": {"docker-manifest-digest": subject.digest}}, "seed": self.seed});
        let layer = self.blob(
            "application/vnd.dev.cosign.simplesigning.v1+json",
            &serde_json::to_vec(&payload).unwrap(),
        );
        let tag = format!("sha256-{}.sig", subject.hex());
        self.manifest(
            OCI_MANIFEST,
            json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}),
            Some(&tag),
        )
    }

    /// An SBOM attached to `subject` (OCI 1.1 `subject`) and the referrers
    /// index listing it under the fallback tag `sha256-<hex>`, as cosign
    /// and oras push it where the registry has no referrers API.
    pub fn referrers(&mut self, subject: &Pushed) -> (Pushed, Pushed) {
        let sbom = self.artifact("application/spdx+json", Some(subject));
        let mut entry = sbom.descriptor();
        entry["artifactType"] = json!("application/spdx+json");
        let tag = format!("sha256-{}", subject.hex());
        let index = self.manifest(
            OCI_INDEX,
            json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}),
            Some(&tag),
        );
        (sbom, index)
    }

    /// BuildKit's `cache-to type=registry`: an index of layers and the
    /// cache config. Returns it and the blobs it lists.
    pub fn buildkit_cache(&mut self, tag: Option<&str>) -> (Pushed, Vec<String>) {
        let first = self.unique("cache layer");
        let second = self.unique("cache layer");
        let layers = [
            self.blob(
                "application/vnd.oci.image.layer.v1.tar+gzip",
                &gzip_stored(&first),
            ),
            self.blob(
                "application/vnd.oci.image.layer.v1.tar+gzip",
                &gzip_stored(&second),
            ),
        ];
        let cache_config = self.unique("cache config");
        let config = self.blob("application/vnd.buildkit.cacheconfig.v0", &cache_config);
        let entries = [layers[0].clone(), layers[1].clone(), config];
        let blobs = entries
            .iter()
            .map(|entry| entry["digest"].as_str().unwrap().to_string())
            .collect();
        let index = self.manifest(
            OCI_INDEX,
            json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
            tag,
        );
        (index, blobs)
    }

    /// `helm push`: the Helm config and the chart's tarball.
    pub fn helm_chart(&mut self, tag: Option<&str>) -> Pushed {
        let config = self.blob(
            "application/vnd.cncf.helm.config.v1+json",
            br#"{"name":"app","version":"0.1.0","apiVersion":"v2"}"#,
        );
        let chart = gzip_stored(&self.unique("chart"));
        let layer = self.blob(
            "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
            &chart,
        );
        self.manifest(
            OCI_MANIFEST,
            json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": [layer]}),
            tag,
        )
    }
}

/// `data` as a gzip member of one stored (uncompressed) deflate block:
/// a valid `.tar.gzip` layer without a compressor.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let length = u16::try_from(data.len()).expect("a small layer");
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1];
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&(!length).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&u32::from(length).to_le_bytes());
    out
}

/// CRC-32 (IEEE), bit by bit: the layers here are a few bytes.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}
