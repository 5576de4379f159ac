"""Benchmarks (`python -m bench`): search accuracy and latency, and the webhook when present."""
