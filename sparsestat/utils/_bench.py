"""Turn a pytest-benchmark JSON file into ratio tables against the anchors."""

import json
from collections import defaultdict

__all__ = ["ratio_tables", "print_ratio_tables"]


def ratio_tables(path_or_dict, reference="sparsestat"):
    """Group benchmark results by case and compute time ratios to ``reference``.

    Each benchmark stores ``extra_info = {"case": ..., "solver": ..., <accuracy
    measures>}``; the ratio of a solver is its median time divided by the
    reference solver's median time on the same case (so < 1 means faster than
    sparsestat).

    Parameters
    ----------
    path_or_dict : str or dict
        Path of a ``--benchmark-json`` file, or its parsed content.
    reference : str, default="sparsestat"
        Solver that defines ratio 1.

    Returns
    -------
    tables : dict
        ``{case: [(solver, median_seconds, ratio_to_reference, extra_info), ...]}``.
    """
    if isinstance(path_or_dict, str):
        with open(path_or_dict) as fh:
            data = json.load(fh)
    else:
        data = path_or_dict
    cases = defaultdict(list)
    for bench in data.get("benchmarks", []):
        info = dict(bench.get("extra_info", {}))
        case = info.pop("case", bench.get("group") or bench["name"])
        solver = info.pop("solver", bench["name"])
        stats = bench.get("stats") or {}
        median = stats.get("median", float("nan"))
        cases[case].append((solver, median, info))
    tables = {}
    for case, rows in cases.items():
        ref = [m for s, m, _ in rows if s == reference]
        ref_t = ref[0] if ref else float("nan")
        tables[case] = [(s, m, m / ref_t if ref_t else float("nan"), info) for s, m, info in rows]
    return tables


def print_ratio_tables(path_or_dict, reference="sparsestat"):
    """Print :func:`ratio_tables` as one aligned table per case.

    Parameters
    ----------
    path_or_dict : str or dict
        Benchmark JSON path or content.
    reference : str, default="sparsestat"
        Solver that defines ratio 1.
    """
    for case, rows in ratio_tables(path_or_dict, reference).items():
        print(f"\n== {case}")
        print(f"{'solver':<22}{'median s':>12}{'time / ' + reference:>22}   accuracy")
        for solver, median, ratio, info in sorted(rows, key=lambda r: r[1]):
            acc = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in info.items())
            print(f"{solver:<22}{median:>12.4g}{ratio:>22.3f}   {acc}")
