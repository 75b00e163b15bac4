"""The floor: one hand-written Python function per workload, producing exactly the expected
bytes from the raw request (orjson to parse, tuned Java-compatible helpers below).

Each function takes `(body, params, context, stage_variables)` and is what a careful programmer
would write for that one template: no template engine, no generality beyond the template's own.
The helpers are exact for what these templates print (strings, ints, doubles between 1e-3 and
1e7); they do not handle Java's E notation or json-smart's escaping of U+007F-U+009F.
"""
from __future__ import annotations

import binascii
import re
from typing import Any

import orjson

# -- Java-compatible helpers ----------------------------------------------------------------------

_JS = {c: "\\u%04X" % c for c in range(32)}
_JS.update({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r",
            39: "\\'", 34: '\\"', 92: "\\\\", 47: "\\/"})
_JS.update({c: "\\u%04X" % c for c in range(0x7F, 0x10000)})
_JS.update({c: "\\u%04X\\u%04X" % (0xD800 + ((c - 0x10000) >> 10), 0xDC00 + ((c - 0x10000) & 0x3FF))
            for c in range(0x10000, 0x20000)})
_JS_SPECIAL = re.compile("[\x00-\x1f\"'\\\\/\x7f-\U0010ffff]").search


def escape_js(s: str) -> str:
    """Commons Lang 2.4 StringEscapeUtils.escapeJavaScript."""
    return s.translate(_JS) if _JS_SPECIAL(s) else s


_URL_SAFE = re.compile(r"[A-Za-z0-9.\-*_]*").fullmatch
_URL_BYTES = ["%%%02X" % b for b in range(256)]
for _b in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_":
    _URL_BYTES[_b] = chr(_b)
_URL_BYTES[32] = "+"


def url_encode(s: str) -> str:
    """java.net.URLEncoder.encode(s, "UTF-8")."""
    if _URL_SAFE(s):
        return s
    return s.encode().decode("latin-1").translate(_URL_BYTES)


def base64_encode(s: str) -> str:
    """java.util.Base64.getEncoder().encodeToString(s.getBytes(UTF_8))."""
    return binascii.b2a_base64(s.encode(), newline=False).decode()


def to_json(value: Any) -> str:
    """json-smart's compact JSON: orjson's, with "/" escaped."""
    return orjson.dumps(value).decode().replace("/", "\\/")


def java_text(value: Any) -> str:
    """String.valueOf for the JSON scalars these payloads hold."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if type(value) is str else repr(value)


def param(params: dict, name: str) -> str:
    """$input.params(name): path, then query string, then header."""
    for kind in ("path", "querystring", "header"):
        found = params[kind].get(name)
        if found is not None:
            return found
    return ""


# -- the workloads -------------------------------------------------------------------------------

def w1_passthrough(body: str, params: dict, context: dict, stage_variables: dict) -> str:
    return to_json(orjson.loads(body))


def w2_reshape(body: str, params: dict, context: dict, stage_variables: dict) -> str:
    doc = orjson.loads(body)
    order = doc["order"]
    customer = doc["customer"]
    tier = customer["tier"]
    priority = "HIGH" if tier == "gold" else "MEDIUM" if tier == "silver" else "LOW"
    coupon = order.get("coupon")
    return (
        "{\n"
        f'  "requestId": "{context["requestId"]}",\n'
        f'  "stage": "{context["stage"]}",\n'
        f'  "sourceIp": "{context["identity"]["sourceIp"]}",\n'
        f'  "userAgent": "{escape_js(context["identity"]["userAgent"])}",\n'
        f'  "orderId": "{order["id"]}",\n'
        f'  "customerId": "{customer["id"]}",\n'
        f'  "customerName": "{escape_js(customer["name"])}",\n'
        f'  "email": "{customer["email"]}",\n'
        f'  "phone": "{escape_js(customer["phone"])}",\n'
        f'  "priority": "{priority}",\n'
        f'  "itemCount": {len(order["items"])},\n'
        f'  "total": {java_text(order["total"])},\n'
        f'  "currency": "{order["currency"]}",\n'
        f'  "express": {"true" if order.get("express") else "false"},\n'
        f'  "coupon": {f"{chr(34)}{coupon}{chr(34)}" if coupon else "null"},\n'
        f'  "shipTo": {to_json(order["shipping"])},\n'
        f'  "tags": {to_json(doc["tags"])},\n'
        f'  "lang": "{param(params, "lang")}",\n'
        f'  "orderRef": "{param(params, "orderId")}",\n'
        f'  "auth": "{param(params, "Authorization")}",\n'
        f'  "note": "{escape_js(doc["note"])}",\n'
        f'  "channel": "{doc["channel"]}",\n'
        f'  "backend": "{stage_variables["backend"]}"\n'
        "}"
    )


def w3_array(body: str, params: dict, context: dict, stage_variables: dict) -> str:
    items = orjson.loads(body)["items"]
    parts = [
        f'{{"id":"{it["id"]}","name":"{it["name"]}","price":{java_text(it["price"])},'
        f'"qty":{it["qty"]},"inStock":{"true" if it["inStock"] else "false"}}}'
        for it in items
    ]
    return f'{{"count":{len(items)},"items":[' + ",".join(parts) + "]}"


def w4_strings(body: str, params: dict, context: dict, stage_variables: dict) -> str:
    parts = [
        f'{{"js":"{escape_js(s)}","url":"{url_encode(s)}","b64":"{base64_encode(s)}"}}'
        for s in orjson.loads(body)["strings"]
    ]
    return '{"results":[' + ",".join(parts) + "]}"


FLOORS = {
    "w1_passthrough": w1_passthrough,
    "w2_reshape": w2_reshape,
    "w3_array": w3_array,
    "w4_strings": w4_strings,
}
