#!/usr/bin/env bash
# Prints the path of a uv binary, installing one into .tools/ when none is on PATH.
# A fresh Debian 12 has python3 but neither pip nor venv's ensurepip.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v uv >/dev/null 2>&1; then command -v uv; exit 0; fi
if [ -x .tools/bin/uv ]; then echo "$PWD/.tools/bin/uv"; exit 0; fi
if ! python3 -m venv .tools >/dev/null 2>&1; then
  rm -rf .tools
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing python3-venv with apt-get..." >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
    python3 -m venv .tools
  else
    echo "Python's venv module is missing: install the python3-venv package, then run make again." >&2
    exit 1
  fi
fi
.tools/bin/python -m pip install --quiet --disable-pip-version-check uv >&2
echo "$PWD/.tools/bin/uv"
