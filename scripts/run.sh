#!/usr/bin/env bash
# make run: migrate, load the demo campaign and serve it like production, on loopback,
# with one background worker beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# Everything made from here on (the database, keys, the admin's password) is the owner's only.
umask 077
scripts/var-private.sh var
if [ -z "${SECRET_KEY:-}" ]; then
  SECRET_KEY="$(cat var/secret-key)"
fi
export SECRET_KEY
# Backups (manage.py backup) are encrypted with this key: keep a copy off the machine.
if [ -z "${BACKUP_KEY:-}" ] && [ -z "${BACKUP_KEY_FILE:-}" ]; then
  export BACKUP_KEY_FILE="$PWD/var/backup-key"
fi
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-vigil.settings.production}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-$HOST,localhost,127.0.0.1,[::1]}"
export HTTPS="${HTTPS:-false}"
export SERVE_MEDIA="${SERVE_MEDIA:-true}"
export BASE_URL="${BASE_URL:-http://$HOST:$PORT}"
PY=.venv/bin/python
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
$PY manage.py load_demo
$PY manage.py site_url "$BASE_URL"
$PY manage.py mirror_key --create -v 0 > /dev/null
echo
echo "Vigil is starting at $BASE_URL/"
echo "Admin: $BASE_URL/admin/  (user 'admin'; the password is in var/admin-password.txt)"
[ -s var/admin-enrolment-link.txt ] && echo "First sign-in: open the one-time link in var/admin-enrolment-link.txt to set up two-factor"
[ -n "${EMAIL_URL:-}" ] && echo "Mail goes to $EMAIL_URL" || echo "Mail is printed to this console (set EMAIL_URL to send it)."
# The From address the settings will use (vigil/settings/env.py), and why it may be refused.
$PY -c 'import os; from vigil.settings.env import mail_from
address, warning = mail_from(os.environ["BASE_URL"])
print(f"Mail is sent from {address} (set DEFAULT_FROM_EMAIL to change it)")
print(f"Warning: {warning}" if warning else "", end="\n" if warning else "")'
echo
# The web server and one worker (publishing, mail, the mirror, purges: vigil/core/tasks.py).
# Ctrl-C stops both; so does either one ending.
$PY manage.py serve --host "$HOST" --port "$PORT" &
web=$!
$PY manage.py worker &
worker=$!
trap 'kill -TERM "$web" "$worker" 2>/dev/null || true' INT TERM
status=0
wait -n "$web" "$worker" || status=$?
kill -TERM "$web" "$worker" 2>/dev/null || true
wait || true
exit "$status"
