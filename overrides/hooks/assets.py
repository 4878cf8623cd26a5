"""MkDocs hook: the site's files besides pages and bundle (gdcore's wheel, the runtime's
Python, KaTeX), and keeping ``overrides/``'s build sources out of the site.

``on_config``
    Builds (or reuses) gdcore's wheel for the current source and tells the theme where it
    and ``cellrun.py`` are (``extra.gdcore.wheel`` / ``.cellrun``, read by main.html).
``on_files``
    Drops our build-only sources under ``overrides/`` from the theme's files.
``on_post_build``
    Copies the files into ``site/assets/`` (:mod:`overrides.sitebuild.assets`).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # once: `overrides` is a package at the repository's root

from mkdocs.exceptions import PluginError  # noqa: E402

from overrides.sitebuild import assets  # noqa: E402
from overrides.sitebuild.sources import gdcore_source_hash  # noqa: E402


def on_config(config):  # noqa: ANN001, ANN201
    wheel = assets.build_wheel(gdcore_source_hash())
    gd = config["extra"].setdefault("gdcore", {})
    gd["wheel"] = f"{assets.WHEELS_DIR}/{wheel.name}"
    gd["cellrun"] = assets.CELLRUN_URL
    return config


def on_files(files, config):  # noqa: ANN001, ANN201
    for file in list(files):
        if file.abs_src_path and assets.is_private_source(Path(file.abs_src_path)):
            files.remove(file)
    return files


def on_post_build(config):  # noqa: ANN001, ANN201
    wheel = assets.build_wheel(gdcore_source_hash())  # cached: the one on_config built
    try:
        assets.copy_assets(Path(config["site_dir"]), wheel)
    except assets.AssetError as exc:
        raise PluginError(str(exc)) from exc
