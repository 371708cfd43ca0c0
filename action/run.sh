#!/usr/bin/env bash
# Turns the GitHub Action's inputs (INPUT_* environment variables, see
# action.yml) into one `ghpkg prune` command and runs it. The inputs are
# mapped, not judged: ghpkg itself refuses a bad combination or value (exit
# 2, before any request), so the rules live in one place.
#
# Multi-value inputs hold one value per line; blank lines are ignored.
# Environment: GHPKG (the binary, default `ghpkg` on PATH), GITHUB_TOKEN,
# INPUT_*, and the runner's RUNNER_TEMP, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT,
# GITHUB_OUTPUT, GITHUB_STEP_SUMMARY (ghpkg writes the summary itself).
set -euo pipefail
here="${BASH_SOURCE[0]%/*}"
[ "$here" != "${BASH_SOURCE[0]}" ] || here=.
# shellcheck source=SCRIPTDIR/output.sh
. "$here/output.sh"

args=(prune)

# Sets `lines` to the non-blank lines of a multi-line input, each without
# the spaces (and a Windows `\r`) around it.
read_lines() {
  local line
  lines=()
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -z "$line" ] || lines+=("$line")
  done <<<"$1"
}

# Appends `flag value` for each non-blank line of a multi-line input.
each_line() {
  local flag="$1" value
  read_lines "$2"
  for value in ${lines[@]+"${lines[@]}"}; do
    args+=("$flag" "$value")
  done
}

# `true` or `false` (or empty, meaning the default); anything else is refused.
flag_if_true() {
  local name="$1" value="$2" flag="$3"
  case "$value" in
    true) args+=("$flag") ;;
    false | "") ;;
    *)
      echo "::error::input $name must be \"true\" or \"false\", not \"$value\""
      exit 2
      ;;
  esac
}

if [ -n "${INPUT_POLICY:-}" ]; then
  args+=(--policy "$INPUT_POLICY")
fi

owner="${INPUT_OWNER:-}"
case "$owner" in
  "") ;;
  org:*) args+=(--org "${owner#org:}") ;;
  user:*) args+=(--user "${owner#user:}") ;;
  @me) args+=(--me) ;;
  *)
    echo "::error::input owner must be org:NAME, user:NAME or @me, not \"$owner\""
    exit 2
    ;;
esac
[ -z "${INPUT_TYPE:-}" ] || args+=(--type "$INPUT_TYPE")
each_line --name "${INPUT_NAMES:-}"
flag_if_true all-packages "${INPUT_ALL_PACKAGES:-}" --all-packages
each_line --exclude-name "${INPUT_EXCLUDE_NAMES:-}"

[ -z "${INPUT_KEEP_LATEST:-}" ] || args+=(--keep-latest "$INPUT_KEEP_LATEST")
[ -z "${INPUT_OLDER_THAN:-}" ] || args+=(--older-than "$INPUT_OLDER_THAN")
each_line --tag "${INPUT_TAGS:-}"
each_line --exclude-tag "${INPUT_EXCLUDE_TAGS:-}"
each_line --keep-tag "${INPUT_KEEP_TAGS:-}"
flag_if_true untagged "${INPUT_UNTAGGED:-}" --untagged

journal=""
case "${INPUT_DRY_RUN:-true}" in
  true | "") ;;
  false)
    args+=(--execute)
    journal="${INPUT_JOURNAL:-}"
    if [ -z "$journal" ]; then
      dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ghpkg"
      mkdir -p "$dir"
      journal="$dir/journal-${GITHUB_RUN_ID:-local}-${GITHUB_RUN_ATTEMPT:-1}.jsonl"
    fi
    args+=(--journal "$journal")
    ;;
  *)
    echo "::error::input dry-run must be \"true\" or \"false\", not \"${INPUT_DRY_RUN}\""
    exit 2
    ;;
esac

[ -z "${INPUT_RATE:-}" ] || args+=(--rate "$INPUT_RATE")

# `dry-run` and `journal` decide whether the run deletes and where its
# journal goes (the step's `journal` output, for the upload): not `args`.
read_lines "${INPUT_ARGS:-}"
for line in ${lines[@]+"${lines[@]}"}; do
  case "$line" in
    --execute | --journal | --journal=*)
      echo "::error::input args must not hold ${line%%=*}: use the inputs dry-run: false and journal, so that the journal is named in the step's output"
      exit 2
      ;;
  esac
done
args+=(${lines[@]+"${lines[@]}"})

ghpkg="${GHPKG:-ghpkg}"
# The command for the log; the token travels in the environment only.
printf '+ ghpkg'
printf ' %q' "${args[@]}"
printf '\n'

status=0
"$ghpkg" "${args[@]}" || status=$?

if [ -n "$journal" ] && [ -s "$journal" ]; then
  set_output journal "$journal"
fi
exit "$status"
