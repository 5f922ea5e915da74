#!/usr/bin/env bash
# What the tests need beyond Python packages: Debian's Chromium for the browser tests,
# nginx to serve the static mirror and to front the page cache (with its brotli_static
# module), ssh-keygen to sign and verify the mirror, and PostgreSQL for the suite's
# second run unless a server is named (scripts/test-postgres.sh). Arguments add packages.
set -euo pipefail
need=()
# Extra packages named on the command line (e.g. `wrk` for make bench).
for extra in "$@"; do command -v "$extra" >/dev/null 2>&1 || need+=("$extra"); done
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
# The nginx front serves the page cache's brotli copies as they are (deploy/).
[ -e /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || need+=(libnginx-mod-http-brotli-static)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
if [ -z "${TEST_DATABASE_URL:-}" ] && ! [[ "${DATABASE_URL:-}" =~ ^postgres(ql)?:// ]]; then
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
else
  command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client) # the backup tests
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} with apt-get..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "The tests need these Debian packages: ${need[*]}. Install them (sudo apt-get install ${need[*]}) and run make test again." >&2
  exit 1
fi
