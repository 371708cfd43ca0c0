#!/usr/bin/env bash
# Installs ghpkg for the GitHub Action (action.yml): the release binary for
# this runner, checked against its published SHA-256. A failed download or
# a checksum mismatch fails the step: it never falls back to building
# something else. Only when no release binary is built for the runner,
# `cargo install`: of the action's own source when the version asked for
# is the action's, else of that version of ghpkg.
# Writes the binary's path to the step output `ghpkg`.
#
# Environment: GHPKG_VERSION (`latest` or e.g. `0.2.0`; action.yml's default
# is the action's own release), GHPKG_REPOSITORY
# (owner/name of the repository whose releases carry the binaries), and the
# runner's RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_ACTION_PATH,
# GITHUB_REPOSITORY, GITHUB_OUTPUT.
set -euo pipefail
here="${BASH_SOURCE[0]%/*}"
[ "$here" != "${BASH_SOURCE[0]}" ] || here=.
# shellcheck source=SCRIPTDIR/output.sh
. "$here/output.sh"

version="${GHPKG_VERSION:-latest}"
version="${version#v}"

# Whose releases: as given; else the action's own repository, read from
# where the runner checked it out (`…/_actions/OWNER/NAME/REF`), since
# `github.action_repository` is empty inside a composite action; else, for
# `uses: ./`, the workflow's repository.
# On Windows runners the path has backslashes (`D:\a\_actions\OWNER\…`).
repository="${GHPKG_REPOSITORY:-}"
action_path="${GITHUB_ACTION_PATH:-}"
action_path="${action_path//\\//}"
if [ -z "$repository" ]; then
  case "$action_path" in
    */_actions/*/*/*)
      owner_name="${action_path#*/_actions/}"
      owner="${owner_name%%/*}"
      name="${owner_name#*/}"
      repository="$owner/${name%%/*}"
      ;;
    *) repository="${GITHUB_REPOSITORY:-}" ;;
  esac
fi
echo "ghpkg ${version} from the releases of ${repository:-(no repository)}"
root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ghpkg-install"
mkdir -p "$root/bin"

# The target triples the release workflow builds (dist-workspace.toml).
target=""
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
esac

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# Downloads and unpacks the release archive; fails (leaving nothing
# installed) on any error, including a checksum mismatch.
from_release() {
  local archive url expected actual binary
  if [ "$target" = x86_64-pc-windows-msvc ]; then
    archive="ghpkg-$target.zip"
  else
    archive="ghpkg-$target.tar.xz"
  fi
  if [ "$version" = latest ]; then
    url="https://github.com/$repository/releases/latest/download/$archive"
  else
    url="https://github.com/$repository/releases/download/v$version/$archive"
  fi
  echo "Downloading $url"
  curl --proto '=https' --tlsv1.2 -fsSL --retry 3 -o "$root/$archive" "$url" || return 1
  curl --proto '=https' --tlsv1.2 -fsSL --retry 3 -o "$root/$archive.sha256" "$url.sha256" || return 1
  expected="$(cut -d' ' -f1 <"$root/$archive.sha256" | tr -d '\r\n')"
  actual="$(sha256 "$root/$archive")"
  if [ "$expected" != "$actual" ]; then
    echo "::error::$archive: SHA-256 $actual does not match the published $expected"
    return 1
  fi
  mkdir -p "$root/unpacked"
  case "$archive" in
    *.zip) unzip -q -o "$root/$archive" -d "$root/unpacked" || return 1 ;;
    *) tar -xJf "$root/$archive" -C "$root/unpacked" || return 1 ;;
  esac
  binary="$(find "$root/unpacked" -type f \( -name ghpkg -o -name ghpkg.exe \) | head -n 1)"
  [ -n "$binary" ] || return 1
  mv "$binary" "$root/bin/"
}

# The workspace version in a Cargo.toml (its first `version = "…"` line).
workspace_version() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      'version = "'*'"')
        line="${line#version = \"}"
        echo "${line%\"}"
        return
        ;;
    esac
  done <"$1"
}

from_source() {
  if ! command -v cargo >/dev/null; then
    echo "::error::no ghpkg release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}, and cargo is not installed to build one (add a Rust toolchain step before this action)"
    exit 1
  fi
  # The version asked for is the action's own (the default): build the
  # action's own source, exactly what the workflow pinned, rather than
  # whatever a registry holds under the name.
  local own=""
  if [ -f "$action_path/Cargo.toml" ] && [ -f "$action_path/cli/Cargo.toml" ]; then
    own="$(workspace_version "$action_path/Cargo.toml")"
  fi
  if [ -n "$own" ] && [ "$version" = "$own" ]; then
    echo "Building ghpkg $own from the action's source with cargo install"
    cargo install --locked --root "$root" --path "$action_path/cli"
    return
  fi
  local pinned=()
  [ "$version" = latest ] || pinned=(--version "$version")
  echo "Building ghpkg with cargo install"
  # `${a[@]+...}`: an empty array under `set -u` on bash 3 (macOS).
  cargo install ghpkg --locked --root "$root" ${pinned[@]+"${pinned[@]}"}
}

if [ -n "$target" ] && [ -n "$repository" ]; then
  # A release binary exists for this runner: that one, or none. Building
  # instead would run code the workflow did not pin, and hide the failure.
  if ! from_release; then
    echo "::error::could not install the ghpkg $version release binary for $target from $repository (see above); not building it another way"
    exit 1
  fi
else
  [ -n "$target" ] || echo "No ghpkg release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
  from_source
fi

ghpkg="$root/bin/ghpkg"
[ -f "$ghpkg" ] || ghpkg="$root/bin/ghpkg.exe"
chmod +x "$ghpkg"
"$ghpkg" --version
set_output ghpkg "$ghpkg"
