#!/usr/bin/python3
"""Checks an OTLP JSON trace file with a decoder that is not ours: Google's
protobuf runtime (Debian's python3-protobuf, installed by tools/deps.sh;
run with the system Python that has it).

    /usr/bin/python3 tools/otlp_check.py FILE.json

The message types are those of opentelemetry-proto's trace.proto,
common.proto and resource.proto (field names, numbers and types as the
specification gives them), built here as descriptors because Debian ships
the protobuf runtime but neither protoc's output nor the OTLP definitions.
OTLP JSON is proto3's JSON mapping with one documented difference: trace
and span ids are hex strings, not base64. So the ids are turned from hex
into base64 (refusing anything that is not hex), then json_format.Parse
decodes the document strictly (an unknown or misspelt field, a wrong type,
a bad number is an error), the result goes through the binary wire format
and back, and the ids must then be 16 and 8 bytes.

Prints "otlp: N spans, M traces" and exits 0, or prints the error and exits 1.
"""
import base64
import json
import re
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

F = descriptor_pb2.FieldDescriptorProto
PKG = "opentelemetry.proto"


def _msg(fd, name, fields, oneof=None):
    m = fd.message_type.add(name=name)
    if oneof:
        m.oneof_decl.add(name=oneof)
    for fname, num, ftype, label, tname in fields:
        f = m.field.add(name=fname, number=num, type=ftype, label=label)
        if tname:
            f.type_name = tname
        if oneof:
            f.oneof_index = 0
    return m


def build():
    """The OTLP trace messages (TracesData and what it holds) as a message class."""
    opt, rep = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    fd = descriptor_pb2.FileDescriptorProto(name="ferrous_otlp_check.proto", package=PKG, syntax="proto3")
    _msg(fd, "AnyValue", [
        ("string_value", 1, F.TYPE_STRING, opt, None), ("bool_value", 2, F.TYPE_BOOL, opt, None),
        ("int_value", 3, F.TYPE_INT64, opt, None), ("double_value", 4, F.TYPE_DOUBLE, opt, None),
        ("array_value", 5, F.TYPE_MESSAGE, opt, f".{PKG}.ArrayValue"),
        ("kvlist_value", 6, F.TYPE_MESSAGE, opt, f".{PKG}.KeyValueList"),
        ("bytes_value", 7, F.TYPE_BYTES, opt, None)], oneof="value")
    _msg(fd, "ArrayValue", [("values", 1, F.TYPE_MESSAGE, rep, f".{PKG}.AnyValue")])
    _msg(fd, "KeyValueList", [("values", 1, F.TYPE_MESSAGE, rep, f".{PKG}.KeyValue")])
    _msg(fd, "KeyValue", [("key", 1, F.TYPE_STRING, opt, None),
                          ("value", 2, F.TYPE_MESSAGE, opt, f".{PKG}.AnyValue")])
    _msg(fd, "InstrumentationScope", [
        ("name", 1, F.TYPE_STRING, opt, None), ("version", 2, F.TYPE_STRING, opt, None),
        ("attributes", 3, F.TYPE_MESSAGE, rep, f".{PKG}.KeyValue"),
        ("dropped_attributes_count", 4, F.TYPE_UINT32, opt, None)])
    _msg(fd, "Resource", [("attributes", 1, F.TYPE_MESSAGE, rep, f".{PKG}.KeyValue"),
                          ("dropped_attributes_count", 2, F.TYPE_UINT32, opt, None)])
    kind = fd.enum_type.add(name="SpanKind")
    for i, n in enumerate(["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]):
        kind.value.add(name=f"SPAN_KIND_{n}", number=i)
    status = fd.enum_type.add(name="StatusCode")
    for i, n in enumerate(["UNSET", "OK", "ERROR"]):
        status.value.add(name=f"STATUS_CODE_{n}", number=i)
    _msg(fd, "Status", [("message", 2, F.TYPE_STRING, opt, None),
                        ("code", 3, F.TYPE_ENUM, opt, f".{PKG}.StatusCode")])
    _msg(fd, "Span", [
        ("trace_id", 1, F.TYPE_BYTES, opt, None), ("span_id", 2, F.TYPE_BYTES, opt, None),
        ("trace_state", 3, F.TYPE_STRING, opt, None), ("parent_span_id", 4, F.TYPE_BYTES, opt, None),
        ("name", 5, F.TYPE_STRING, opt, None), ("kind", 6, F.TYPE_ENUM, opt, f".{PKG}.SpanKind"),
        ("start_time_unix_nano", 7, F.TYPE_FIXED64, opt, None),
        ("end_time_unix_nano", 8, F.TYPE_FIXED64, opt, None),
        ("attributes", 9, F.TYPE_MESSAGE, rep, f".{PKG}.KeyValue"),
        ("dropped_attributes_count", 10, F.TYPE_UINT32, opt, None),
        ("status", 15, F.TYPE_MESSAGE, opt, f".{PKG}.Status"),
        ("flags", 16, F.TYPE_FIXED32, opt, None)])
    _msg(fd, "ScopeSpans", [("scope", 1, F.TYPE_MESSAGE, opt, f".{PKG}.InstrumentationScope"),
                            ("spans", 2, F.TYPE_MESSAGE, rep, f".{PKG}.Span"),
                            ("schema_url", 3, F.TYPE_STRING, opt, None)])
    _msg(fd, "ResourceSpans", [("resource", 1, F.TYPE_MESSAGE, opt, f".{PKG}.Resource"),
                               ("scope_spans", 2, F.TYPE_MESSAGE, rep, f".{PKG}.ScopeSpans"),
                               ("schema_url", 3, F.TYPE_STRING, opt, None)])
    _msg(fd, "TracesData", [("resource_spans", 1, F.TYPE_MESSAGE, rep, f".{PKG}.ResourceSpans")])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    desc = pool.FindMessageTypeByName(f"{PKG}.TracesData")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(pool).GetPrototype(desc)


HEX = re.compile(r"^[0-9a-fA-F]*$")


def ids_to_base64(doc):
    """OTLP JSON's hex ids as proto3 JSON's base64 (ValueError for non-hex)."""
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for s in ss.get("spans", []):
                for k in ("traceId", "spanId", "parentSpanId"):
                    if k in s:
                        if not isinstance(s[k], str) or not HEX.match(s[k]) or len(s[k]) % 2:
                            raise ValueError(f"{k} {s[k]!r} is not hex")
                        s[k] = base64.b64encode(bytes.fromhex(s[k])).decode()
    return doc


def check(text):
    traces_data = build()
    msg = json_format.Parse(json.dumps(ids_to_base64(json.loads(text))), traces_data())
    back = traces_data.FromString(msg.SerializeToString())
    spans = [s for rs in back.resource_spans for ss in rs.scope_spans for s in ss.spans]
    traces = set()
    for s in spans:
        if len(s.trace_id) != 16 or len(s.span_id) != 8 or len(s.parent_span_id) not in (0, 8):
            raise ValueError(f"span {s.name!r}: ids of {len(s.trace_id)}, {len(s.span_id)}, "
                             f"{len(s.parent_span_id)} bytes (want 16, 8, 0 or 8)")
        if s.start_time_unix_nano > s.end_time_unix_nano:
            raise ValueError(f"span {s.name!r} ends before it starts")
        traces.add(s.trace_id)
    return len(spans), len(traces)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            n, t = check(f.read())
    except (OSError, ValueError, json_format.ParseError) as e:
        print(f"otlp: {sys.argv[1]}: {e}")
        return 1
    print(f"otlp: {n} spans, {t} traces")
    return 0


if __name__ == "__main__":
    sys.exit(main())
