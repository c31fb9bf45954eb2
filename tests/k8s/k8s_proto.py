"""Request bodies in Kubernetes protobuf ("application/vnd.kubernetes.protobuf").

kubectl's typed clients send protobuf for built-in kinds, e.g. `kubectl create
configmap`, `create secret generic`, `create namespace`. A real API server
decodes them; this one decodes those three kinds (and the ObjectMeta they
carry) into the JSON form and answers in JSON, which kubectl accepts too
("Accept: application/vnd.kubernetes.protobuf,application/json"). Any other
protobuf body is a 415, and the message says what to send instead.

Wire format: the 4 bytes "k8s\\0", then a runtime.Unknown message
{1: typeMeta {1: apiVersion, 2: kind}, 2: raw (the object's own message)}.
Field numbers are those of the generated.proto files of k8s.io/api and
k8s.io/apimachinery.
"""
import base64

import k8s_store

MAGIC = b"k8s\x00"


def fields(data):
    """(field number, wire type, value) of one protobuf message."""
    out, i = [], 0

    def varint():
        nonlocal i
        shift = result = 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while i < len(data):
        key = varint()
        num, wt = key >> 3, key & 7
        if wt == 0:
            out.append((num, wt, varint()))
        elif wt == 2:
            n = varint()
            out.append((num, wt, data[i:i + n]))
            i += n
        elif wt == 1:
            out.append((num, wt, data[i:i + 8]))
            i += 8
        elif wt == 5:
            out.append((num, wt, data[i:i + 4]))
            i += 4
        else:
            raise ValueError("unsupported protobuf wire type %d" % wt)
    return out


def text(b):
    return b.decode("utf-8")


def map_entry(b, value=text):
    kv = {n: v for n, _, v in fields(b)}
    return text(kv.get(1, b"")), value(kv.get(2, b""))


def b64(b):
    return base64.b64encode(b).decode()


def object_meta(b):
    meta, labels, annotations = {}, {}, {}
    names = {1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"}
    for num, wt, v in fields(b):
        if num in names and v:
            meta[names[num]] = text(v)
        elif num == 11:
            k, val = map_entry(v)
            labels[k] = val
        elif num == 12:
            k, val = map_entry(v)
            annotations[k] = val
        elif num == 14:
            meta.setdefault("finalizers", []).append(text(v))
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    return meta


# Per kind: field number -> (JSON field, how its value reads). A map field comes
# once per entry; "map" values are text, "map_b64" bytes (JSON carries base64).
SCHEMAS = {
    ("v1", "ConfigMap"): {1: ("metadata", "meta"), 2: ("data", "map"), 3: ("binaryData", "map_b64"),
                          4: ("immutable", "bool")},
    ("v1", "Secret"): {1: ("metadata", "meta"), 2: ("data", "map_b64"), 3: ("type", "text"),
                       4: ("stringData", "map"), 5: ("immutable", "bool")},
    ("v1", "Namespace"): {1: ("metadata", "meta")},
}


def message(b, schema):
    obj = {"metadata": {}}
    for num, _, v in fields(b):
        if num not in schema:
            continue
        name, how = schema[num]
        if how == "meta":
            obj[name] = object_meta(v)
        elif how == "text":
            obj[name] = text(v)
        elif how == "bool":
            obj[name] = bool(v)
        else:
            k, val = map_entry(v, b64 if how == "map_b64" else text)
            obj.setdefault(name, {})[k] = val
    return obj


def unsupported(what):
    return k8s_store.ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                              "accepted media types include: application/json, application/yaml (this fake API "
                              "server decodes protobuf only for ConfigMap, Secret and Namespace; %s)" % what, {})


def decode(data):
    if not data.startswith(MAGIC):
        raise unsupported("the body lacks the k8s protobuf envelope")
    try:
        unknown = {n: v for n, _, v in fields(data[len(MAGIC):])}
        tm = {n: text(v) for n, _, v in fields(unknown.get(1, b""))}
        api_version, kind = tm.get(1, ""), tm.get(2, "")
        schema = SCHEMAS.get((api_version, kind))
        if schema is None:
            raise unsupported("send %s %s as JSON" % (api_version, kind))
        obj = message(unknown.get(2, b""), schema)
    except (IndexError, UnicodeDecodeError, ValueError) as e:
        raise k8s_store.bad_request("the protobuf body could not be decoded: %s" % e)
    obj["apiVersion"], obj["kind"] = api_version, kind
    return obj
