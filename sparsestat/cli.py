"""Command line: ``sparsestat demo | bench FAMILY | info``."""

import argparse
import importlib
import os
import sys
import time

__all__ = ["main"]


def _demo_modules():
    from sparsestat.utils._registry import PUBLIC_SUBPACKAGES

    for family in ("penalties",) + PUBLIC_SUBPACKAGES:
        name = f"sparsestat.{family}._demo" if family != "penalties" else "sparsestat._penalties_demo"
        try:
            yield family, importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise


def run_demo(outdir="sparsestat-demo", families=None, stream=None):
    """Fit each available family on built-in data and print a summary table.

    Every family registers itself by shipping a ``_demo`` module with a
    ``demo(outdir)`` function that returns a list of result rows
    ``(estimator, task, metric, seconds)``.

    Parameters
    ----------
    outdir : str, default="sparsestat-demo"
        Folder where figures are saved.
    families : list of str or None
        Restrict to these families.
    stream : file-like or None
        Where the table is printed (standard output when None).

    Returns
    -------
    rows : list of tuple
        The rows printed.
    """
    stream = sys.stdout if stream is None else stream
    os.makedirs(outdir, exist_ok=True)
    os.environ.setdefault("MPLBACKEND", "Agg")
    rows = []
    for family, module in _demo_modules():
        if families and family not in families:
            continue
        t0 = time.perf_counter()
        try:
            fam_rows = module.demo(outdir)
        except ImportError as exc:
            if exc.name and exc.name.startswith("sparsestat"):
                raise
            fam_rows = [(family, "skipped", f"missing optional dependency: {exc.name}", 0.0)]
        rows.extend(fam_rows)
        print(f"[{family}] done in {time.perf_counter() - t0:.1f} s", file=stream)
    headers = ("estimator", "task", "metric", "seconds")
    table = [headers] + [(str(a), str(b), str(c), f"{d:.2f}") for a, b, c, d in rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)), file=stream)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=stream)
    print(f"figures saved in {os.path.abspath(outdir)}", file=stream)
    return rows


def _benchmarks_dir():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(here, "benchmarks")
    return path if os.path.isdir(path) else None


def run_bench(family, extra_args=()):
    """Run ``benchmarks/bench_FAMILY.py`` (or all) and print the ratio tables.

    Parameters
    ----------
    family : str
        A family name such as ``linear_model``, or ``all``.
    extra_args : sequence of str
        More pytest arguments.

    Returns
    -------
    int
        pytest's exit code.
    """
    import tempfile

    import pytest

    from sparsestat.utils._bench import print_ratio_tables

    bdir = _benchmarks_dir()
    if bdir is None:
        print("benchmarks/ lives in the source checkout: run this from an editable install "
              "(pip install -e \".[all,test,bench]\").", file=sys.stderr)
        return 2
    if family == "all":
        # bench_*.py do not match pytest's test_*.py pattern: name the files
        target = sorted(os.path.join(bdir, f) for f in os.listdir(bdir) if f.startswith("bench_") and f.endswith(".py"))
    else:
        target = [os.path.join(bdir, f"bench_{family}.py")]
        if not os.path.exists(target[0]):
            names = sorted(f[6:-3] for f in os.listdir(bdir) if f.startswith("bench_") and f.endswith(".py"))
            print(f"unknown family {family!r}; available: {', '.join(names)} or all", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.json")
        code = pytest.main([*target, "-q", "-p", "no:cacheprovider", f"--benchmark-json={out}",
                            "--benchmark-columns=median", *extra_args])
        if os.path.exists(out):
            print_ratio_tables(out)
    return int(code)


def main(argv=None):
    """Entry point of the ``sparsestat`` console script.

    Parameters
    ----------
    argv : list of str or None
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(prog="sparsestat", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="fit every family on built-in data, print a table, save figures")
    p_demo.add_argument("--outdir", default="sparsestat-demo")
    p_demo.add_argument("--family", action="append", help="restrict to a family (repeatable)")
    p_bench = sub.add_parser("bench", help="run benchmarks/ for a family and print ratio tables")
    p_bench.add_argument("family")
    p_bench.add_argument("pytest_args", nargs=argparse.REMAINDER)
    sub.add_parser("info", help="versions, Numba threading layer, GPU and Dask availability")
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(args.outdir, args.family)
        return 0
    if args.command == "bench":
        return run_bench(args.family, args.pytest_args)
    from sparsestat.utils._show_versions import show_versions

    show_versions()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
