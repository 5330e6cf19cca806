import subprocess
import sys

from sparsestat.cli import main
from sparsestat.utils._bench import ratio_tables


def test_info_runs(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "numpy" in out and "numba_threading_layer" in out


def test_import_is_cheap():
    # importing the package loads neither Numba nor scikit-learn (its time is measured in benchmarks/bench_import.py)
    mods = subprocess.check_output(
        [sys.executable, "-c", "import sys, sparsestat; print(' '.join(sys.modules))"], text=True
    ).split()
    assert "numba" not in mods and "sklearn" not in mods


def test_demo_penalties(tmp_path, capsys):
    rows = __import__("sparsestat.cli", fromlist=["run_demo"]).run_demo(str(tmp_path), ["penalties"])
    assert rows
    assert any(p.suffix == ".png" for p in tmp_path.iterdir())
    assert "estimator" in capsys.readouterr().out


def test_ratio_tables():
    data = {"benchmarks": [
        {"name": "a", "stats": {"median": 2.0}, "extra_info": {"case": "c", "solver": "sparsestat", "obj": 1.0}},
        {"name": "b", "stats": {"median": 4.0}, "extra_info": {"case": "c", "solver": "skglm", "obj": 1.0}},
    ]}
    table = ratio_tables(data)["c"]
    assert dict((s, r) for s, _, r, _ in table) == {"sparsestat": 1.0, "skglm": 2.0}
