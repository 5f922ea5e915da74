"""What every test module and every bench shares: one copy of each helper.

- `commands`: the repo root, the Python running us, `manage()` (manage.py in a process
  of its own).
- `servers`: a free loopback port, waiting for a server to answer, stopping a server's
  whole process group, nginx serving a folder.
- `mail`: the SMTP sink (aiosmtpd) and helpers to read what it received.
- `inbox`: the SMTP sink as the in-process tests read it (the outbox sent first).
- `forms`: the inputs of a page's form, for clients without a browser.
- `live_site`: the production server (`manage.py serve`) on a copy of the demo site.
- `demo`: the demo campaign built into the test database, and copies to restore it.
- `browser`: Chromium and Playwright helpers (axe, screenshots, the live server idle).
- `payloads`, `forgery`, `slow_sender`: what an attacker sends (uploads, a forged
  backup, a body one byte at a time), for the tests and bench/security alike.
- `s3`: moto's S3-compatible server on loopback, for publishing the mirror to buckets.
- `accounts`: an editor's second factor as tests and journeys give it.
- `fixtures`: the pytest fixtures over all of these, made available by vigil/conftest.py.

Test-support code: it may import any Vigil module, and nothing in Vigil imports it.
"""
