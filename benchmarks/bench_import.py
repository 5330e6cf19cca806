"""Import cost: ``import sparsestat`` in a fresh interpreter (it must not load Numba or scikit-learn)."""

import subprocess
import sys

CODE = "import time; t = time.perf_counter(); import sparsestat; print(time.perf_counter() - t)"


def test_import_time(benchmark):
    def run():
        return float(subprocess.check_output([sys.executable, "-c", CODE]))

    run()  # warm the file-system cache
    seconds = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info.update({"case": "import sparsestat (fresh interpreter)", "solver": "sparsestat",
                                 "import_seconds": seconds})
