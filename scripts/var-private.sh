#!/usr/bin/env bash
# make run's private folder (var/ or $1): mode 0700, with the secret key and the backup key
# (0600) made when missing. A database or key left readable by an older make run is made
# private too: they hold signers' addresses, sessions and the editors' second factors.
set -euo pipefail
VAR="${1:-var}"
PY="${PYTHON:-.venv/bin/python}"
umask 077
mkdir -p "$VAR"
chmod 700 "$VAR"
[ -s "$VAR/secret-key" ] || "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" > "$VAR/secret-key"
# Backups are encrypted with this key (vigil/backups/crypto.py): 32 random bytes, base64.
[ -s "$VAR/backup-key" ] || "$PY" -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())" > "$VAR/backup-key"
for file in "$VAR"/secret-key "$VAR"/backup-key "$VAR"/mirror-signing-key "$VAR"/admin-password.txt "$VAR"/vigil.sqlite3*; do
  if [ -e "$file" ]; then chmod go-rwx "$file"; fi
done
