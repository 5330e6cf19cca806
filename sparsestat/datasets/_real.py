"""Loaders of real data that ship with installed packages (nothing is downloaded)."""

import numpy as np

__all__ = ["load_dataset"]

_NAMES = ("diabetes", "breast_cancer", "digits", "co2")


def load_dataset(name):
    """Load a small real data set bundled with scikit-learn or statsmodels.

    Parameters
    ----------
    name : {"diabetes", "breast_cancer", "digits", "co2"}
        ``diabetes`` (regression, 442×10), ``breast_cancer`` (binary, 569×30),
        ``digits`` (10 classes, 1797×64) from scikit-learn; ``co2`` (the Mauna
        Loa weekly CO₂ series, monthly means without gaps) from statsmodels.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Features (for ``co2``, decimal years as a column).
    y : ndarray of shape (n_samples,)
        Target.

    Examples
    --------
    >>> from sparsestat.datasets import load_dataset
    >>> X, y = load_dataset("diabetes")
    >>> X.shape
    (442, 10)
    """
    if name not in _NAMES:
        raise ValueError(f"name must be one of {_NAMES}, got {name!r}.")
    if name == "co2":
        try:
            from statsmodels.datasets import co2
        except ImportError as exc:
            raise ImportError("load_dataset('co2') needs statsmodels: pip install \"sparsestat[all]\".") from exc
        data = co2.load_pandas().data
        monthly = data["co2"].resample("MS").mean().dropna()
        t = monthly.index.year + (monthly.index.month - 0.5) / 12.0
        return np.asarray(t, dtype=float)[:, None], monthly.to_numpy(dtype=float)
    from sklearn import datasets

    loader = getattr(datasets, f"load_{name}")
    X, y = loader(return_X_y=True)
    return np.asarray(X, dtype=float), np.asarray(y)
