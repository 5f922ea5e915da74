"""The security bench (`.venv/bin/python -m bench.security.run`) and its parts."""
