"""Print the PostgreSQL DDL of the SQLAlchemy models in a package folder: ``python -m <this module> PATH``.

The text is what ``atlas-provider-sqlalchemy`` prints (its own ``dump_ddl`` writes it, ``atlas:pos`` lines included),
so ``atlas.hcl``'s ``external_schema`` and ``keel db check`` read the same schema. Only the loading differs.
``atlas-provider-sqlalchemy --path`` executes every ``*.py`` file of the folder a second time under a made-up module
name and keeps an arbitrary one of the ``MetaData`` objects it meets. With keel's layout that breaks twice:

* ``base.py`` runs again and declares a second, empty ``Base``: the provider then prints nothing on some runs
  (a set of two ``MetaData`` objects, one popped at random);
* a model module that ``models/__init__.py`` imports runs twice: "Table 'users' is already defined for this MetaData
  instance".

Here the folder is imported once, as the package it is (its import name found from the ``__init__.py`` files above
it), with every submodule, and the single ``MetaData`` holding tables is printed. Exit status 1 with a message on
standard error when that is not possible.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

from sqlalchemy import MetaData

_PROVIDER_MISSING = (
    "atlas-provider-sqlalchemy is not installed: it comes with the `devstack` dependency group "
    "(`uv sync --group devstack`)"
)


class ModelsNotLoadable(Exception):
    pass


def import_models_package(path: Path) -> list[ModuleType]:
    """Import the package at ``path`` and all of its submodules, under their real names."""
    path = path.resolve()
    if not (path / "__init__.py").is_file():
        raise ModelsNotLoadable(f"{path} is not a Python package (no __init__.py)")
    parts: list[str] = []
    root = path
    while (root / "__init__.py").is_file():
        parts.insert(0, root.name)
        root = root.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    name = ".".join(parts)
    try:
        package = importlib.import_module(name)
        location = Path(package.__file__ or "").resolve().parent
        if location != path:
            raise ModelsNotLoadable(f"{path}: the import name {name} resolves to {location} instead")
        modules = [package]
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if info.name.rsplit(".", 1)[-1] != "__main__":  # importing it would run a program
                modules.append(importlib.import_module(info.name))
    except ModelsNotLoadable:
        raise
    except Exception as error:  # any error of a model module: reported, as the provider does
        raise ModelsNotLoadable(f"{type(error).__name__}: {error} (importing the models under {path})") from error
    return modules


def models_metadata(modules: list[ModuleType]) -> MetaData:
    """The one ``MetaData`` of the models: found on module members (``Base.metadata``, a ``MetaData`` variable)."""
    found: dict[int, MetaData] = {}
    for module in modules:
        for value in vars(module).values():
            candidate = value if isinstance(value, MetaData) else getattr(value, "metadata", None)
            if isinstance(candidate, MetaData):
                found[id(candidate)] = candidate
    with_tables = [metadata for metadata in found.values() if metadata.tables]
    if len(with_tables) > 1:
        names = "; ".join(", ".join(sorted(metadata.tables)) for metadata in with_tables)
        raise ModelsNotLoadable(f"the models hold several MetaData objects with tables, use one: {names}")
    if with_tables:
        return with_tables[0]
    if found:
        return next(iter(found.values()))
    raise ModelsNotLoadable("found no SQLAlchemy models or MetaData in the package")


def main(arguments: list[str]) -> int:
    if len(arguments) != 1:
        print("usage: python -m keel.infrastructure.migrations.models_ddl MODELS_PACKAGE_DIR", file=sys.stderr)
        return 2
    try:
        from atlas_provider_sqlalchemy.ddl import dump_ddl, get_file_directives  # a dev-only package
    except ImportError:
        print(_PROVIDER_MISSING, file=sys.stderr)
        return 1
    path = Path(arguments[0])
    try:
        metadata = models_metadata(import_models_package(path))
    except ModelsNotLoadable as error:
        print(error, file=sys.stderr)
        return 1
    dump_ddl("postgresql", [metadata], get_file_directives(path.resolve(), metadata))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
