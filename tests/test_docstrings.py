"""numpydoc validation of the public API (classes, their public methods, functions)."""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

MODULES = [
    "sparsestat",
    "sparsestat.penalties",
    "sparsestat.datasets",
    "sparsestat.utils",
    "sparsestat.linear_model",
    "sparsestat.feature_selection",
    "sparsestat.privacy",
    "sparsestat.variance_reduction",
    "sparsestat.bayes",
    "sparsestat.transforms",
    "sparsestat.decomposition",
    "sparsestat.gaussian_process",
    "sparsestat.gaussian_process.kernels",
]

# Errors we enforce: the sections a user reads must be there and well formed.
CHECKED = {
    "GL08",  # no docstring
    "PR01",  # parameter not documented
    "PR02",  # documented parameter that does not exist
    "SS01",  # no summary
    "RT01",  # no Returns section (functions)
}
INHERITED_OK = {"get_params", "set_params", "fit_transform", "score", "set_output", "get_metadata_routing",
                "set_fit_request", "set_predict_request", "set_score_request", "set_transform_request",
                "set_partial_fit_request", "set_inverse_transform_request", "__call__", "clone_with_theta",
                "get_feature_names_out", "set_split_request"}


def _public_objects():
    seen = set()
    for modname in MODULES:
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError:
            continue
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            path = f"{obj.__module__}.{obj.__qualname__}"
            yield path, obj
            if inspect.isclass(obj):
                for meth_name, meth in inspect.getmembers(obj):
                    if meth_name.startswith("_") or meth_name in INHERITED_OK:
                        continue
                    if not (inspect.isfunction(meth) or isinstance(meth, property)):
                        continue
                    owner = getattr(meth, "__module__", None) if inspect.isfunction(meth) else obj.__module__
                    if owner is None or not owner.startswith("sparsestat"):
                        continue
                    yield f"{path}.{meth_name}", None


OBJECTS = list(_public_objects())


@pytest.mark.parametrize("path", [p for p, _ in OBJECTS])
def test_docstring(path):
    result = numpydoc_validate.validate(path)
    errors = [(code, msg) for code, msg in result["errors"] if code in CHECKED]
    if result["type"] in ("property", "method") and errors:
        errors = [(c, m) for c, m in errors if c != "RT01"]
    if result["type"] == "type":
        errors = [(c, m) for c, m in errors if c != "RT01"]
    assert not errors, "\n".join(f"{path}: {code} {msg}" for code, msg in errors)
