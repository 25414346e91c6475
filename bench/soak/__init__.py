"""The reliability soak (issue 14): fuzzed traffic, malformed requests, concurrent complaints, killed processes.

`python3 -m bench --soak` (bench/README.md); a small sample of it runs in the test suite (tests/soak/).
"""
