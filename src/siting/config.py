"""The schema of `instance.toml` (pydantic): unknown keys are errors, with a "did you mean".

Parsing turns pydantic's messages into `Problem`s that name the file and the key path, so a
typo like `radus = 5000` reads: "instance.toml, field 'fast.radus': unknown key (did you mean
'radius'?)".
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from siting.config_base import StrictModel as _Strict
from siting.config_base import did_you_mean as _did_you_mean
from siting.corridor_config import CORRIDOR_LAYERS, CorridorParams
from siting.errors import InstanceError, Problem
from siting.park_config import PARK_LAYERS, ParkParams

FAST_LAYERS = ("demand", "candidates", "existing", "grid_areas", "coverage", "distances", "graph", "region")
LAYER_NAMES = tuple(dict.fromkeys(FAST_LAYERS + CORRIDOR_LAYERS + PARK_LAYERS))
MODELS = ("fast", "corridor", "park")
ABSURD = 1e15  # larger than any real cost, distance or count: most likely a unit or typing error


class LayerSource(_Strict):
    """Where one layer's rows come from."""

    file: str = Field(min_length=1)
    layer: str | None = None
    x: str | None = None
    y: str | None = None
    lon: str | None = None
    lat: str | None = None
    coords_crs: str | None = None


class FastParams(_Strict):
    """Parameters of the `fast` model; symbols as in models/fast.md."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # nan/inf are typos here

    objective: Literal["lscp", "mclp", "pmedian", "capacitated"] = "mclp"
    radius: float | None = Field(default=None, description="R: d_ij <= R covers")
    p: int | None = Field(default=None, ge=0, description="number of new sites")
    budget: float | None = Field(default=None, ge=0)
    decay_beta: float = Field(default=0.0, ge=0)
    kw_per_charger: float = Field(default=150.0, ge=0)
    simultaneity: float = Field(default=1.0, ge=0, le=1)
    sessions_per_charger: float = Field(default=7.0, gt=0)
    m2_per_charger: float = Field(default=0.0, ge=0)
    site_m2: float = Field(default=0.0, ge=0)
    min_chargers: int = Field(default=1, ge=0)
    serve_all: bool = False
    # pmedian: "radius" = chained covering levels (García, Labbé & Marín 2011), "classic" = z_ij per pair
    pmedian_formulation: Literal["radius", "classic"] = "radius"
    aggregate_demand: bool = True  # merge demand points with identical pair rows (exact)
    drop_dominated: bool = True  # leave out candidates another site dominates (exact; mclp, lscp)

    @field_validator("radius", "budget", "decay_beta", "kw_per_charger", "sessions_per_charger", "m2_per_charger",
                     "site_m2", "p", "min_chargers")
    @classmethod
    def _not_absurd(cls, value: float | None) -> float | None:
        if value is not None and abs(value) > ABSURD:
            raise ValueError(f"value {value:g} is absurdly large (limit {ABSURD:g})")
        return value

    @field_validator("radius")
    @classmethod
    def _radius_positive(cls, value: float | None) -> float | None:
        if value is not None and not value > 0:
            raise ValueError("radius must be > 0 (distance units of the instance)")
        return value


class InstanceConfig(_Strict):
    name: str
    description: str = ""
    model: Literal["fast", "corridor", "park"] = "fast"
    crs: str | None = None
    layers: dict[str, LayerSource]
    fast: FastParams = FastParams()
    corridor: CorridorParams = CorridorParams()
    park: ParkParams = ParkParams()

    @field_validator("layers")
    @classmethod
    def _known_layers(cls, layers: dict[str, LayerSource]) -> dict[str, LayerSource]:
        for name in layers:
            if name not in LAYER_NAMES:
                hint = _did_you_mean(name, LAYER_NAMES)
                raise ValueError(f"unknown layer '{name}'{hint}" if hint else
                                 f"unknown layer '{name}'; known: {', '.join(LAYER_NAMES)}")
        return layers


def _known_keys(loc: tuple) -> list[str]:
    """The keys allowed where `loc` points, for a "did you mean" suggestion."""
    model: type[BaseModel] = InstanceConfig
    parts, i = list(loc[:-1]), 0
    while i < len(parts):
        if model is InstanceConfig and parts[i] == "layers":
            model, i = LayerSource, i + 2
            continue
        info = model.model_fields.get(str(parts[i]))
        sub = info.annotation if info else None
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            return []
        model, i = sub, i + 1
    return list(model.model_fields)


def problems_from_validation(err: ValidationError, file: str) -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = ".".join(str(p) for p in loc)
        if e["type"] == "extra_forbidden":
            hint = _did_you_mean(str(loc[-1]), _known_keys(loc))
            problems.append(Problem(file, f"unknown key{hint}", field=key))
        elif e["type"] == "missing":
            problems.append(Problem(file, "required key is missing", field=key))
        elif e["type"] == "literal_error":
            allowed = re.findall(r"'([^']*)'", str(e.get("ctx", {}).get("expected", "")))
            hint = _did_you_mean(str(e.get("input")), allowed) if isinstance(e.get("input"), str) else ""
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


def parse_config(data: dict, file: str = "instance.toml") -> InstanceConfig:
    try:
        return InstanceConfig.model_validate(data)
    except ValidationError as err:
        raise InstanceError(problems_from_validation(err, file)) from None


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
