"""reviewer.fastattr: our models read fields through the generic getter, with unchanged behaviour."""

from __future__ import annotations

import ctypes
import sys

import pytest
from pydantic import BaseModel, PrivateAttr

import reviewer.models as models
from reviewer.fastattr import _getattro_slot, plain_attribute_reads

MODELS = [c for c in vars(models).values()
          if isinstance(c, type) and issubclass(c, BaseModel) and c.__module__ == models.__name__]

cpython = pytest.mark.skipif(sys.implementation.name != "cpython", reason="CPython only")


def _getter(cls: type) -> int | None:
    offset, _ = _getattro_slot()
    return ctypes.c_void_p.from_address(id(cls) + offset).value


@cpython
def test_every_model_of_reviewer_models_has_the_generic_getter():
    assert len(MODELS) >= 15
    generic = _getattro_slot()[1]
    assert all(_getter(cls) == generic for cls in MODELS)

    class Other(BaseModel):  # untouched models keep pydantic's hook
        x: int = 0

    assert _getter(Other) != generic


def test_fields_read_as_before_and_a_missing_one_raises_attribute_error():
    f = models.Finding(rule="IQ101", category="missing_indicator", severity="error", message="m",
                       at=models.Location(line=3, col=2))
    assert (f.rule, f.severity, f.at.line, f.at.col, f.fix) == ("IQ101", "error", 3, 2, None)
    assert f.model_dump()["rule"] == "IQ101" and f.model_copy(update={"rule": "IQ102"}).rule == "IQ102"
    with pytest.raises(AttributeError):
        f.no_such_field  # noqa: B018
    assert getattr(f, "no_such_field", "default") == "default" and not hasattr(f, "no_such_field")


@cpython
def test_a_model_that_needs_the_hook_is_refused_and_keeps_working():
    class WithPrivate(BaseModel):
        x: int = 1
        _secret: str = PrivateAttr(default="s")

    with pytest.raises(TypeError):
        plain_attribute_reads(WithPrivate)
    assert WithPrivate()._secret == "s"
