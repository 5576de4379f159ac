"""line-bot-sdk's message models, loaded without its API clients, so a one-off `tsunagari ask` starts fast.

`import linebot.v3.messaging.models` first runs `linebot/__init__` (the v2 API), `linebot/v3/__init__` (webhooks)
and `linebot/v3/messaging/__init__` (every API client, sync and aiohttp): about 3.5 s, and then builds all
~200 pydantic models (0.8 s), while validating a reply needs a few dozen of them. Here those three packages are
registered with their real paths but their `__init__` deferred until someone asks them for a name they do not
hold yet (Messenger's `from linebot.v3.messaging import ApiClient` then runs it as usual), and the models
package resolves each class name to its own module on first use (PEP 562 module __getattr__). The models
themselves are the SDK's, unchanged: the validator is exactly as strict.
Hand-written: no library defers a third-party package's __init__ this way.
"""
from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import threading
import types
from pathlib import Path

MODELS = "linebot.v3.messaging.models"
_PARENTS = ("linebot", "linebot.v3", "linebot.v3.messaging")
_IMPORT_LINE = re.compile(r"^from (linebot\.v3\.messaging\.models\.\w+) import (\w+)\s*$", re.M)
_lock = threading.RLock()


class _DeferredPackage(types.ModuleType):
    """A package whose own __init__ runs the first time a name it does not hold yet is asked of it."""

    def __getattr__(self, name: str):
        """Run the real __init__ once, then answer from it."""
        if name.startswith("__"):
            raise AttributeError(name)
        with _lock:
            if type(self) is _DeferredPackage:
                self.__class__ = types.ModuleType
                self.__spec__.loader.exec_module(self)
        return types.ModuleType.__getattribute__(self, name)


class _LazyModels(types.ModuleType):
    """linebot.v3.messaging.models with each class imported from its own module when first named."""

    def __getattr__(self, name: str):
        """Import the module that defines `name` (as the real __init__ would) and return the class."""
        module = self.__dict__["_where"].get(name)
        if module is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(self, name, value)
        return value


def _package(name: str, cls: type) -> types.ModuleType:
    """A module object for a package at its real location, of the given class, whose __init__ has not run."""
    parent, _dot, child = name.rpartition(".")
    if parent:
        location = Path(sys.modules[parent].__path__[0]) / child / "__init__.py"
    else:
        found = importlib.util.find_spec(name)  # only locates linebot/, runs nothing
        location = Path(found.origin)
    spec = importlib.util.spec_from_file_location(name, location, submodule_search_locations=[str(location.parent)])
    module = cls(name)
    module.__spec__, module.__loader__, module.__file__ = spec, spec.loader, str(location)
    module.__path__, module.__package__ = [str(location.parent)], name
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)
    return module


def models() -> types.ModuleType:
    """The SDK's models package (the real one when it is already imported, else the lazy one)."""
    loaded = sys.modules.get(MODELS)
    if loaded is not None:
        return loaded
    with _lock:
        if MODELS in sys.modules:
            return sys.modules[MODELS]
        for name in _PARENTS:
            if name not in sys.modules:
                _package(name, _DeferredPackage)
        lazy = _package(MODELS, _LazyModels)
        source = Path(lazy.__file__).read_text(encoding="utf-8")
        lazy.__dict__["_where"] = {cls: module for module, cls in _IMPORT_LINE.findall(source)}
        return lazy


def model(name: str):
    """One SDK model class by name (Message, RichMenuRequest, …)."""
    return getattr(models(), name)
