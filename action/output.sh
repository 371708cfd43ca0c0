#!/usr/bin/env bash
# Step outputs for the Action's scripts (sourced by install.sh and run.sh).
#
# Always the multi-line form, `NAME<<DELIMITER`, value, `DELIMITER`, with a
# delimiter drawn at random: a value holding a newline (an input such as
# `journal` is the user's text) cannot end the value early and add outputs
# of its own. A value that holds the delimiter is refused.

# set_output NAME VALUE
set_output() {
  local name="$1" value="$2" delimiter
  # Bash alone (the install step may run with a bare PATH): 60 random bits.
  delimiter="ghpkg_${RANDOM}_${RANDOM}_${RANDOM}_${RANDOM}"
  case "$value" in
    *"$delimiter"*)
      echo "::error::the value of step output $name holds its delimiter; not written"
      return 1
      ;;
  esac
  printf '%s<<%s\n%s\n%s\n' "$name" "$delimiter" "$value" "$delimiter" >>"${GITHUB_OUTPUT:-/dev/null}"
}
