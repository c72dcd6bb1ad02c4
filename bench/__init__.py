"""Benchmarks of the ingest and the whole pipeline against a floor and a peer (`make bench`).

    python -m bench.run [--scales small,city,berlin] [--repeat N]

Results: bench/results/results.json and results.md; generated data: bench/cache/ (ignored).
"""
