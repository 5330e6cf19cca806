"""Discovery of the public estimators (used by the common tests and the docs)."""

import importlib
import inspect
import pkgutil

__all__ = ["all_estimators", "PUBLIC_SUBPACKAGES"]

PUBLIC_SUBPACKAGES = (
    "linear_model",
    "feature_selection",
    "privacy",
    "variance_reduction",
    "bayes",
    "transforms",
    "decomposition",
    "gaussian_process",
    "experimental",
)


def _public_modules():
    import sparsestat

    for name in PUBLIC_SUBPACKAGES:
        try:
            yield importlib.import_module(f"sparsestat.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sparsestat.{name}":
                raise
    for info in pkgutil.iter_modules(sparsestat.__path__):
        if not info.name.startswith("_") and info.name not in PUBLIC_SUBPACKAGES and not info.ispkg:
            if info.name in {"cli", "penalties", "datasets"}:
                continue
            yield importlib.import_module(f"sparsestat.{info.name}")


def all_estimators(type_filter=None):
    """List the public scikit-learn compatible estimators of sparsestat.

    Each subpackage exports its public names through ``__all__``; this
    function collects the classes among them that derive from
    ``sklearn.base.BaseEstimator`` and are not abstract.

    Parameters
    ----------
    type_filter : {"regressor", "classifier", "transformer", "cluster"} or None
        Keep only estimators of that kind.

    Returns
    -------
    estimators : list of (str, type)
        Sorted ``(name, class)`` pairs.

    Examples
    --------
    >>> from sparsestat.utils import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    """
    from sklearn.base import BaseEstimator, ClassifierMixin, ClusterMixin, RegressorMixin, TransformerMixin

    mixins = {
        "regressor": RegressorMixin,
        "classifier": ClassifierMixin,
        "transformer": TransformerMixin,
        "cluster": ClusterMixin,
    }
    if type_filter is not None and type_filter not in mixins:
        raise ValueError(f"type_filter must be one of {sorted(mixins)} or None, got {type_filter!r}.")
    found = {}
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not inspect.isclass(obj) or not issubclass(obj, BaseEstimator):
                continue
            if inspect.isabstract(obj) or name.startswith("Base"):
                continue
            if getattr(obj, "_is_component", False):
                continue
            if type_filter is not None and not issubclass(obj, mixins[type_filter]):
                continue
            found[name] = obj
    return sorted(found.items())
