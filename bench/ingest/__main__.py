"""`python -m bench.ingest`: the options are in command.py."""

import time

from bench.ingest.command import main

if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"Done in {time.perf_counter() - started:.0f} s.")
