#!/usr/bin/env bash
# First step of `npm test` (script "test:setup"). The web console's browser test
# (apps/e2e/src/console.browser.int.spec.ts) drives Chromium with playwright-core
# (playwright's own browser downloads are not used) and launches $CHROMIUM_PATH,
# else /usr/bin/chromium. This script looks at exactly those two, so it passes
# exactly when the test will find a browser, and it does so in the first second
# rather than after typecheck, lint and the unit tests.
#   found                      -> silent, exit 0
#   missing, root / sudo -n    -> apt-get installs Debian's chromium (once)
#   missing, otherwise         -> exit 1 with the one command to run
# Debian's chromium refuses to run as root without --no-sandbox; the test passes it.
set -euo pipefail

readonly DEFAULT=/usr/bin/chromium

fail() {
  echo "npm test needs Chromium for the web console's browser test: $1" >&2
  exit 1
}

if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] && exit 0
  fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable. Point it at a Chromium, or unset it to use $DEFAULT."
fi
[ -x "$DEFAULT" ] && exit 0

# A Chromium elsewhere on the PATH: the test would not look there, so say how to name it.
elsewhere=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$elsewhere" ]; then
  fail "found $elsewhere, but the test uses CHROMIUM_PATH or $DEFAULT. Run: export CHROMIUM_PATH=$elsewhere"
fi

if ! command -v apt-get >/dev/null 2>&1; then
  fail "none at $DEFAULT and no apt-get to install one. Install Chromium, then: export CHROMIUM_PATH=/path/to/chromium"
fi
if [ "$(id -u)" = 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root="sudo -n"
else
  fail "none at $DEFAULT. Run: sudo apt-get install -y chromium   (or export CHROMIUM_PATH=/path/to/chromium)"
fi

echo "installing Debian's chromium for the browser test (once)" >&2
log=$(mktemp -t install-chromium.XXXXXX.log)
apt() { $as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300 "$@" >>"$log" 2>&1; }
apt update || echo "apt-get update failed; trying the package lists already here" >&2
if ! apt install -y --no-install-recommends chromium || [ ! -x "$DEFAULT" ]; then
  tail -n 20 "$log" >&2
  fail "apt-get could not install chromium (log: $log). Install it yourself, or export CHROMIUM_PATH=/path/to/chromium"
fi
rm -f "$log"
echo "installed $("$DEFAULT" --version 2>/dev/null || echo "$DEFAULT")" >&2
