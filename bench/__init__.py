"""Performance bench: fill a separate database with tickets, then time the desk's pages.

Run it with `make bench` or `python -m bench.run --tickets 1000000`; see bench/README.md."""
