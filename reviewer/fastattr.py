"""Plain attribute reads for pydantic models that use none of BaseModel.__getattr__.

pydantic's BaseModel defines `__getattr__` (it serves private attributes and
extra fields). CPython gives every class with a `__getattr__` a hook as its
attribute getter, and its specialising interpreter (3.11+) never specialises
attribute loads on such classes: each `cell.text` or `indicator.level3` takes
the slow generic path, about five times slower than on a plain object. The
extractor and the checks read model fields millions of times in a bulk run.

For a model with no private attributes and no extra fields the hook only ever
ends in the generic getter, so `plain_attribute_reads` points the class's
`tp_getattro` slot straight at `PyObject_GenericGetAttr`: reads of existing
fields behave exactly as before, a missing one raises AttributeError as before
(with CPython's message instead of pydantic's). Measured on synthetic tables:
a bulk worker reviews a table about 15-20% faster.

CPython only. The slot's position is found on `object` and proven on a probe
class before any model is touched; on another implementation, or if the proof
fails, nothing changes.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache

_WORD = ctypes.sizeof(ctypes.c_void_p)


@cache
def _getattro_slot() -> tuple[int, int] | None:
    """(offset of tp_getattro in a type object, address of PyObject_GenericGetAttr), proven."""
    if sys.implementation.name != "cpython":
        return None
    try:
        generic = ctypes.cast(ctypes.pythonapi.PyObject_GenericGetAttr, ctypes.c_void_p).value
    except (AttributeError, ValueError):
        return None
    offset = next((off for off in range(3 * _WORD, 40 * _WORD, _WORD)
                   if ctypes.c_void_p.from_address(id(object) + off).value == generic), None)
    if offset is None:
        return None

    class Probe:
        def __getattr__(self, name):
            raise LookupError(name)

    slot = ctypes.c_void_p.from_address(id(Probe) + offset)
    if slot.value == generic:  # a class with __getattr__ must have the hook here
        return None
    slot.value = generic
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(Probe))
    try:
        Probe().missing
    except AttributeError:  # the generic getter answered: the slot is tp_getattro
        return offset, generic
    except LookupError:
        pass
    return None


def plain_attribute_reads(*classes: type) -> bool:
    """Give each pydantic model class the generic attribute getter; False when not possible."""
    found = _getattro_slot()
    if found is None:
        return False
    offset, generic = found
    for cls in classes:
        if getattr(cls, "__private_attributes__", None) or cls.model_config.get("extra") == "allow":
            raise TypeError(f"{cls.__name__} needs BaseModel.__getattr__")
        ctypes.c_void_p.from_address(id(cls) + offset).value = generic
        ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))
    return True
