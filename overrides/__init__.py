"""What makes gdcore's MkDocs site live: build hooks, the cell runtime and the front end.

``overrides`` is the theme's ``custom_dir`` and an importable package: the files listed under
``hooks:`` in ``mkdocs.yml`` are thin modules that put the repository on ``sys.path`` once
and import their code from :mod:`overrides.sitebuild`. See ``overrides/README.md`` for the
map of the directory and the HTML contract of cells and explorers.
"""
