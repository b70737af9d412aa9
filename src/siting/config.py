"""The schema of `instance.toml` (pydantic): unknown keys are errors, with a "did you mean".

Parsing turns pydantic's messages into `Problem`s that name the file and the key path, so a
typo like `radus = 5000` reads: "instance.toml, field 'fast.radus': unknown key (did you mean
'radius'?)".
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
import typing
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from siting.errors import InstanceError, Problem

MODELS = ("fast", "corridor", "park", "rollout")
ABSURD = 1e15  # larger than any real cost, distance or count: most likely a unit or typing error
Schema = TypeVar("Schema", bound=BaseModel)


class StrictModel(BaseModel):
    """A TOML section: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class LayerSource(StrictModel):
    """Where one layer's rows come from."""

    file: str = Field(min_length=1)
    layer: str | None = None
    x: str | None = None
    y: str | None = None
    lon: str | None = None
    lat: str | None = None
    coords_crs: str | None = None
    attribution: str | None = None  # credit line on the maps drawn from this instance (licence terms)


class InstanceConfig(StrictModel):
    """The keys every instance.toml has. Each model's `params` module subclasses it with its own
    parameter section (`[fast]`, `[corridor]`, `[park]`) and the layers it reads (`LAYERS`)."""

    LAYERS: ClassVar[tuple[str, ...]] = ()

    name: str
    description: str = ""
    model: Literal["fast", "corridor", "park", "rollout"] = "fast"
    crs: str | None = None
    layers: dict[str, LayerSource]

    @field_validator("layers")
    @classmethod
    def _known_layers(cls, layers: dict[str, LayerSource]) -> dict[str, LayerSource]:
        for name in layers:
            if name not in cls.LAYERS:
                hint = did_you_mean(name, cls.LAYERS)
                raise ValueError(f"unknown layer '{name}'{hint}" if hint else
                                 f"unknown layer '{name}'; known: {', '.join(cls.LAYERS)}")
        return layers


def known_keys(schema: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed where `loc` (a pydantic error location) points, for a "did you mean"."""
    model, parts, i = schema, list(loc[:-1]), 0
    while i < len(parts):
        info = model.model_fields.get(str(parts[i]))
        sub = info.annotation if info else None
        args = typing.get_args(sub)
        if typing.get_origin(sub) is dict and args and isinstance(args[-1], type) and issubclass(args[-1], BaseModel):
            model, i = args[-1], i + 2  # a table of sections, e.g. layers.<name>
            continue
        if typing.get_origin(sub) is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            model, i = args[0], i + 2  # an array of tables, e.g. runs[k]
            continue
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            return []
        model, i = sub, i + 1
    return list(model.model_fields)


def problems_from_validation(err: ValidationError, file: str, schema: type[BaseModel]) -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc)
        if e["type"] == "extra_forbidden":
            hint = did_you_mean(str(loc[-1]), known_keys(schema, loc))
            problems.append(Problem(file, f"unknown key{hint}", field=key))
        elif e["type"] == "missing":
            problems.append(Problem(file, "required key is missing", field=key))
        elif e["type"] == "literal_error":
            allowed = re.findall(r"'([^']*)'", str(e.get("ctx", {}).get("expected", "")))
            hint = did_you_mean(str(e.get("input")), allowed) if isinstance(e.get("input"), str) else ""
            problems.append(Problem(file, f"{_brief(e['input'])} is not one of {', '.join(allowed)}{hint}", field=key))
        else:
            msg = e["msg"].removeprefix("Value error, ")
            got = e.get("input")
            shown = "" if isinstance(got, dict | list) or key == "layers" else f" (got {_brief(got)})"
            problems.append(Problem(file, f"{msg}{shown}", field=key))
    return problems


def _brief(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_config(data: dict, schema: type[Schema], file: str = "instance.toml") -> Schema:
    """`data` (the raw TOML, overrides applied) as a `schema`, or an InstanceError per bad key."""
    try:
        return schema.model_validate(data)
    except ValidationError as err:
        raise InstanceError(problems_from_validation(err, file, schema)) from None


def scenario_indices(ids, wanted: list[str], file: str, field: str, what: str):
    """int[len(wanted)]: where each wanted id is in `ids`; an unknown one is an InstanceError
    naming the scenario file, the key, the id and the nearest known ids."""
    import numpy as np

    index = {str(v): k for k, v in enumerate(ids)}
    problems = [Problem(file, f"unknown {what} id '{w}'{did_you_mean(w, index)}", row=w, field=field)
                for w in wanted if w not in index]
    if problems:
        raise InstanceError(problems)
    return np.array([index[w] for w in wanted], dtype=np.int64)


def toml_value(value) -> str:
    """A value as TOML text for `SECTION.KEY=VALUE` (apply_overrides reads it back): tables inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise InstanceError(Problem("scenario", f"unsupported value {value!r} in [set]"))


class ScenarioBase(StrictModel):
    """What every model's scenario file has (corridor, park, rollout add their own tables): its
    name (a column title), a description, `[set]` overrides and the file it was read from."""

    name: str
    description: str = ""
    set: dict[str, typing.Any] = Field(default_factory=dict)
    file: str = ""

    def overrides(self) -> list[str]:
        """The `set` table as `SECTION.KEY=VALUE` strings (VALUE as TOML)."""
        return [f"{key}={toml_value(value)}" for key, value in self.set.items()]


def read_scenario_file(path: str | Path, schema: type[Schema], example_key: str) -> Schema:
    """A scenario TOML (`siting compare`, sweeps) as `schema`: the file must exist and parse, its
    `name` defaults to the file's stem, and every `[set]` key reads SECTION.KEY (`example_key`
    shows one); each problem names the file and the key."""
    path = Path(path)
    if not path.is_file():
        raise InstanceError(Problem(str(path), "scenario file not found"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as err:
        raise InstanceError(Problem(str(path), f"not valid TOML: {err}")) from None
    data.setdefault("name", path.stem)
    scenario = parse_config({**data, "file": str(path)}, schema, str(path))
    bad = [Problem(str(path), f"expected SECTION.KEY, e.g. \"{example_key}\"", field=f"set.{key}")
           for key in scenario.set if "." not in key]
    if bad:
        raise InstanceError(bad)
    return scenario


def read_config(path: Path) -> dict:
    """The raw TOML of an instance (a dict), or an InstanceError naming the file."""
    if path.is_dir() and path.name != "instance.toml":
        path = path / "instance.toml"
    if not path.exists():
        raise InstanceError(Problem(str(path), "file not found (an instance is a folder with instance.toml)"))
    if path.is_dir():
        raise InstanceError(Problem(str(path), "is a folder, expected the instance's TOML file"))
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InstanceError(Problem(str(path), f"cannot read: {err.strerror or err}")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InstanceError(Problem(str(path), f"not UTF-8 text (byte 0x{raw[err.start]:02x} at position "
                                               f"{err.start}): save it as UTF-8")) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InstanceError(Problem(str(path), f"not valid TOML: {_toml_reason(err, text)}")) from None
    return data


def _toml_reason(err: tomllib.TOMLDecodeError, text: str) -> str:
    """tomllib's message in one line, with a hint for the commonest slip: a decimal comma."""
    reason = " ".join(str(err).split())
    where = re.search(r"at line (\d+)", reason)
    if where:
        lines = text.splitlines()
        line = lines[int(where.group(1)) - 1] if int(where.group(1)) <= len(lines) else ""
        if re.search(r"=\s*-?\d+,\d", line):
            reason += " (decimal comma? use a point: 2.5, not 2,5)"
    return reason


def apply_overrides(data: dict, overrides: list[str], file: str = "--set") -> dict:
    """Apply `SECTION.KEY=VALUE` overrides (VALUE parsed as TOML, else as a string)."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for item in overrides:
        if "=" not in item:
            raise InstanceError(Problem(file, f"expected SECTION.KEY=VALUE, got {item!r}"))
        key, raw = item.split("=", 1)
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        *path, last = key.strip().split(".")
        target = out
        for part in path:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise InstanceError(Problem(file, f"{key}: {part} is not a section"))
        target[last] = value
    return out
