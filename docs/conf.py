"""Sphinx configuration of the sparsestat documentation."""

import os
import sys
from importlib.metadata import version as _version

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sparsestat"
author = "sparsestat developers"
copyright = "2026, sparsestat developers"
release = _version("sparsestat")

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
autodoc_default_options = {"members": True, "inherited-members": False}
html_theme = "pydata_sphinx_theme"
html_title = "sparsestat"
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
suppress_warnings = ["intersphinx", "ref.term", "ref.ref", "autosummary"]
sphinx_gallery_conf = {
    "examples_dirs": "../gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": os.environ.get("SPARSESTAT_GALLERY_PATTERN", r"/plot_"),
    "plot_gallery": os.environ.get("SPARSESTAT_PLOT_GALLERY", "True"),
    "doc_module": ("sparsestat",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"sparsestat": None},
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
}
