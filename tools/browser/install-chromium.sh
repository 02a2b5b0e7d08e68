#!/usr/bin/env bash
# The web console's browser test drives Debian's Chromium with playwright-core
# (playwright's own browser downloads are not reachable here). Installs it once;
# a no-op when a Chromium is already on the PATH or named by CHROMIUM_PATH.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium not found and apt-get is not available: install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
as_root=""
if [ "$(id -u)" != 0 ]; then as_root="sudo"; fi
echo "installing Debian's chromium (once)"
$as_root apt-get update -qq || echo "apt-get update failed; trying the package lists already here" >&2
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
