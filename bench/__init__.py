"""Benchmarks (bench/README.md). Run each as a module from the repo root, e.g.
`.venv/bin/python -m bench.load`, so they import vigil.testing and each other."""
