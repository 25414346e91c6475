"""Benchmarks of 海原政务小助手 against a plain Rasa assistant (see bench/README.md)."""
