"""Validating API responses against the OpenAPI spec the portal serves."""

from __future__ import annotations

import copy

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def _nullable(node):
    """OpenAPI 3.0 'nullable: true' → JSON Schema type unions, recursively."""
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"] if isinstance(node["type"], str) else [*node["type"], "null"]
            elif "$ref" in node:
                node = {"anyOf": [{"$ref": node.pop("$ref")}, {"type": "null"}], **node}
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


class SpecValidator:
    """validate(resp, '/api/v1/filings/{pk}', 'get') checks status code and body against the spec."""

    def __init__(self, spec: dict):
        self.spec = spec
        doc = _nullable(copy.deepcopy(spec))
        self.registry = Registry().with_resource("urn:spec", Resource.from_contents(doc, DRAFT202012))

    def validate(self, resp, path: str, method: str) -> None:
        op = self.spec["paths"][path][method]
        declared = op["responses"].get(str(resp.status_code))
        assert declared is not None, f"{method.upper()} {path}: status {resp.status_code} not in the spec"
        if "$ref" in declared:  # FAB's own endpoints: '#/components/responses/404'
            declared = self.resolve(declared["$ref"])
        content = declared.get("content", {}).get("application/json")
        if content is None:
            return
        schema = _nullable(copy.deepcopy(content["schema"]))
        schema = _rebase(schema)
        jsonschema.validate(resp.get_json(), schema, registry=self.registry,
                            cls=jsonschema.Draft202012Validator)

    def resolve(self, ref: str) -> dict:
        """The spec's node at a local reference ('#/components/responses/404')."""
        node = self.spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node


def _rebase(node):
    if isinstance(node, dict):
        return {k: ("urn:spec" + v if k == "$ref" and v.startswith("#") else _rebase(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node
