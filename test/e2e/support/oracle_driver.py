"""The oracle for the end-to-end tests: real SQLAlchemy and real Alembic, in one interpreter.

Reads one JSON request per line on stdin and answers one JSON line on stdout:
  {"cmd": "create_all", "models": DIR, "url": URL}
      imports every module of the package DIR (as SQLAlchemy users do) and runs
      `create_all` for every MetaData it defines, on the database URL;
  {"cmd": "upgrade" | "downgrade" | "stamp", "ini": PATH, "target": REV, "url": URL}
      the Alembic command, run from the ini's folder with DATABASE_URL=URL (env.py reads it).
Answers {"ok": true} or {"ok": false, "error": TRACEBACK}. Importing the libraries is the
slow part, hence one long-lived process instead of one per step.
"""
import importlib
import json
import os
import pkgutil
import sys
import traceback

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

# The fixture packages live in the repository: leave no __pycache__ behind in them.
sys.dont_write_bytecode = True


def create_all(models_dir, url):
    parent, name = os.path.split(os.path.normpath(models_dir))
    # Every fixture package is called `models`: forget the previous one.
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]
    sys.path.insert(0, parent)
    try:
        package = importlib.import_module(name)
        modules = [package] + [
            importlib.import_module(info.name) for info in pkgutil.walk_packages(package.__path__, name + ".")
        ]
    finally:
        sys.path.remove(parent)
    found = {}
    for module in modules:
        for value in vars(module).values():
            metadata = value if isinstance(value, sa.MetaData) else getattr(value, "metadata", None)
            if isinstance(metadata, sa.MetaData):
                found[id(metadata)] = metadata
    engine = sa.create_engine(url)
    try:
        for metadata in found.values():
            metadata.create_all(engine)
    finally:
        engine.dispose()


def alembic(cmd, ini, target, url):
    os.environ["DATABASE_URL"] = url
    os.chdir(os.path.dirname(os.path.abspath(ini)))
    getattr(command, cmd)(Config(ini), target)


for line in sys.stdin:
    request = json.loads(line)
    try:
        if request["cmd"] == "create_all":
            create_all(request["models"], request["url"])
        else:
            alembic(request["cmd"], request["ini"], request["target"], request["url"])
        print(json.dumps({"ok": True}), flush=True)
    except Exception:
        print(json.dumps({"ok": False, "error": traceback.format_exc()}), flush=True)
