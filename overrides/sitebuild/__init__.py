"""The build-time Python of the site, one job per module.

- :mod:`~overrides.sitebuild.sources`: where things are, and hashes of gdcore's source;
- :mod:`~overrides.sitebuild.fence`: the ``pycell`` fence: its options and its HTML (the cell
  and its pre-rendered output, the contract in ``overrides/README.md``);
- :mod:`~overrides.sitebuild.execution`: running a page's cells in CPython through
  ``overrides/runtime/cellrun.py``, and the on-disk cache of their results;
- :mod:`~overrides.sitebuild.assets`: gdcore's wheel, the runtime's Python files and KaTeX,
  copied into the site;
- :mod:`~overrides.sitebuild.frontend`: the esbuild bundle of ``overrides/src`` and the
  self-hosted Pyodide.

The MkDocs hooks (``overrides/hooks/cells.py``, ``assets.py``, ``frontend.py``) only wire
these to MkDocs events. No module here keeps state between calls: each build's state is an
object its hook creates in ``on_config``.
"""
