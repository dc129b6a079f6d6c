"""Running test code in real threads at the same moment, each on its own database connection."""

import threading

from django.db import connection


def run_in_threads(count, work):
    """Run work(index) in `count` threads that start together, each on its own connection."""
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            work(index)
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
