"""Creates a fixture package's tables with real SQLAlchemy: the oracle the static reader is
checked against (test/core/read/oracle.test.ts).

    create_all.py --python-path DIR --module PACKAGE.MODULE --url postgresql://...

Imports MODULE (and every submodule of it, so no model is missed) with DIR first on
sys.path, collects the MetaData of every declarative base and Table found in the fixture's
modules, and runs create_all on each against URL. Prints one JSON line describing what it
created, so the caller can tell an empty import from a broken one.
"""
import argparse
import importlib
import json
import pkgutil
import sys

import sqlalchemy as sa
from sqlalchemy import MetaData


def import_all(module_name):
    module = importlib.import_module(module_name)
    if hasattr(module, "__path__"):
        for info in pkgutil.walk_packages(module.__path__, prefix=module_name + "."):
            importlib.import_module(info.name)


def fixture_metadatas(root_package):
    """Every MetaData reachable from the fixture's own modules, in first-seen order."""
    found = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == root_package or name.startswith(root_package + ".")):
            continue
        for value in list(vars(module).values()):
            metadata = None
            if isinstance(value, MetaData):
                metadata = value
            elif isinstance(value, sa.Table):
                metadata = value.metadata
            elif isinstance(value, type) and isinstance(getattr(value, "metadata", None), MetaData):
                metadata = value.metadata
            if metadata is not None:
                found.setdefault(id(metadata), metadata)
    return list(found.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python-path", required=True)
    parser.add_argument("--module", required=True)
    parser.add_argument("--url", required=True)
    args = parser.parse_args()

    sys.path.insert(0, args.python_path)
    import_all(args.module)
    metadatas = fixture_metadatas(args.module.split(".")[0])
    url = sa.engine.make_url(args.url).set(drivername="postgresql+psycopg2")
    engine = sa.create_engine(url)
    try:
        for metadata in metadatas:
            metadata.create_all(engine)
    finally:
        engine.dispose()
    tables = sorted({t.fullname for m in metadatas for t in m.tables.values()})
    print(json.dumps({"sqlalchemy": sa.__version__, "metadatas": len(metadatas), "tables": tables}))


if __name__ == "__main__":
    main()
