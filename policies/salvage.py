"""The part of an invalid policy that still validates. Lint reports the schema's errors and then runs the
reference checks (bundles, templates, lexicons, the ladder) on this part, so that one run lists every
mistake and a broken rule does not hide the mistakes of the others."""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

_FAILED: Any = object()  # None is a valid value of many fields, so failure needs its own marker


def salvage(annotation: Any, data: Any) -> Any:
    """`data` validated as `annotation`; when that fails, as much of it as validates; None when nothing does.

    Every validator still runs on what is kept. A list of models keeps each item that validates and None
    in place of the others (errors are found by position, so the items keep theirs); a dict keeps the
    entries that validate; a model without validators of its own is built from the fields that validate,
    a failing field left to its default (without one the model fails). Anything else validates whole.
    """
    value = _salvage(annotation, data)
    return None if value is _FAILED else value


def _salvage(annotation: Any, data: Any) -> Any:
    try:
        return TypeAdapter(annotation).validate_python(data)
    except ValidationError:
        pass
    if get_origin(annotation) is Annotated:  # constraints such as min_length: the schema's errors say so
        annotation = get_args(annotation)[0]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and isinstance(data, list) and _is_model(args[0]):
        return [salvage(args[0], item) for item in data]
    if origin is dict and isinstance(data, dict):
        entries = {_salvage(args[0], key): _salvage(args[1], value) for key, value in data.items()}
        return {key: value for key, value in entries.items() if key is not _FAILED and value is not _FAILED}
    if _is_model(annotation) and isinstance(data, dict) and _is_its_fields(annotation):
        return _from_fields(annotation, data)
    return _FAILED


def _from_fields(model: type[BaseModel], data: dict[str, Any]) -> Any:
    values = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        value = _salvage(info.rebuild_annotation(), data[key]) if key in data else _FAILED
        if value is not _FAILED:
            values[name] = value
        elif info.is_required():
            return _FAILED
    return model.model_construct(**values)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_its_fields(model: type[BaseModel]) -> bool:
    """A model without validators is no more than its fields, so building it field by field is sound."""
    decorators = model.__pydantic_decorators__
    return not (decorators.model_validators or decorators.field_validators)
