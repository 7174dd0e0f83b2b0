"""Benchmarks of Donation Hub: `make bench` (python -m bench.run) and `make load`
(python -m bench.load). See docs/performance.md."""
