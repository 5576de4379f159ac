"""Check LINE message dicts against the Message schemas of LINE's published OpenAPI file (messaging-api.yml)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "line" / "message-schemas.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "line" / "messaging-api.yml"
TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


@lru_cache(maxsize=1)
def schemas() -> dict:
    """components.schemas: from ../shared when present, else our extracted copy of the same file."""
    if SHARED.exists():
        import yaml

        return yaml.safe_load(SHARED.read_text(encoding="utf-8"))["components"]["schemas"]
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["schemas"]


def resolve(schema: dict) -> tuple[str | None, dict]:
    """Follow a $ref to (name, schema)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name, schemas()[name]
    return None, schema


def known_properties(schema: dict) -> set[str]:
    """Every property a schema declares, through its allOf chain."""
    _, schema = resolve(schema)
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= known_properties(part)
    return names


def check(instance, schema: dict, path: str = "message", *, via_discriminator: bool = False) -> list[str]:
    """Problems with instance against schema (empty list = conforms); unknown properties count as problems."""
    name, schema = resolve(schema)
    problems: list[str] = []
    disc = schema.get("discriminator")
    if disc and not via_discriminator and isinstance(instance, dict):
        value = instance.get(disc["propertyName"])
        target = disc.get("mapping", {}).get(value)
        if target is None:
            return [f"{path}: {disc['propertyName']}={value!r} is not one of {sorted(disc.get('mapping', {}))}"]
        _, mapped = resolve({"$ref": target})
        problems += check(instance, {"$ref": target}, path, via_discriminator=True)
        extra = set(instance) - known_properties(mapped)
        return problems + [f"{path}.{key}: not in LINE's schema" for key in sorted(extra)]
    expected = schema.get("type")
    if expected and not isinstance(instance, TYPES[expected]) or (expected in ("integer", "number") and isinstance(instance, bool)):
        return [f"{path}: expected {expected}, got {type(instance).__name__}"]
    for part in schema.get("allOf", []):
        problems += check(instance, part, path, via_discriminator=True)
    if "enum" in schema and instance not in schema["enum"]:
        problems.append(f"{path}: {instance!r} not in {schema['enum']}")
    if isinstance(instance, str):
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            problems.append(f"{path}: longer than {schema['maxLength']}")
        if "minLength" in schema and len(instance) < schema["minLength"]:
            problems.append(f"{path}: shorter than {schema['minLength']}")
    if isinstance(instance, list):
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            problems.append(f"{path}: more than {schema['maxItems']} items")
        if "minItems" in schema and len(instance) < schema["minItems"]:
            problems.append(f"{path}: fewer than {schema['minItems']} items")
        for n, item in enumerate(instance):
            problems += check(item, schema.get("items", {}), f"{path}[{n}]")
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                problems.append(f"{path}.{key}: required")
        for key, sub in schema.get("properties", {}).items():
            if key in instance:
                problems += check(instance[key], sub, f"{path}.{key}")
    return problems


def message_problems(message: dict) -> list[str]:
    """Problems of one message object against LINE's Message schema."""
    return check(message, {"$ref": "#/components/schemas/Message"})
