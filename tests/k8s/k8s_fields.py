"""Field ownership (metadata.managedFields), server-side apply and the patch
formats of the fake Kubernetes API server.

Real servers do this with sigs.k8s.io/structured-merge-diff and the OpenAPI
schema of each type. Here the schema is reduced to what matters for ownership:
which lists are associative (merged by key, "k:{...}" path elements), which are
sets ("v:..."), which maps and structs are atomic (owned as one field), and
which dicts are free-form maps (each key a field of its own). Everything else
is a struct whose fields are tracked one by one, and any other list is atomic.
"""
import copy
import json

import k8s_store

# Associative lists (+listType=map) and their key fields; "ports" depends on where it is.
LIST_KEYS = {"containers": ("name",), "initContainers": ("name",), "ephemeralContainers": ("name",),
             "env": ("name",), "volumes": ("name",), "volumeMounts": ("mountPath",),
             "volumeDevices": ("devicePath",), "imagePullSecrets": ("name",), "conditions": ("type",),
             "ownerReferences": ("uid",), "hostAliases": ("ip",), "resourceClaims": ("name",)}
# Key fields the server defaults, so an applied item without them still has a key.
KEY_DEFAULTS = {"protocol": "TCP"}
SET_LISTS = {"finalizers"}                       # +listType=set
ATOMIC = {"selector", "labelSelector", "namespaceSelector", "nodeSelector"}  # +structType/mapType=atomic
FREE_MAPS = {"labels", "annotations", "data", "binaryData", "stringData", "limits", "requests"}
# Optional (pointer) structs: when one appears, the update that added it owns it
# as a whole ("." in fieldsV1), as the real server's comparison does.
POINTER_STRUCTS = {"rollingUpdate", "securityContext", "readinessProbe", "livenessProbe", "startupProbe",
                   "httpGet", "tcpSocket", "exec", "grpc", "lifecycle", "valueFrom", "secretKeyRef",
                   "configMapKeyRef", "fieldRef", "resourceFieldRef", "configMap", "secret", "emptyDir",
                   "hostPath", "persistentVolumeClaim", "projected", "http", "defaultBackend",
                   "sessionAffinityConfig"}
# Never tracked: identity and server-owned metadata (fieldmanager's stripMeta).
STRIP_META = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation",
              "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}


def list_keys(path, name):
    if name == "ports":
        return ("containerPort", "protocol") if any(p in ("f:containers", "f:initContainers") for p in path) \
            else ("port", "protocol")
    return LIST_KEYS.get(name)


def item_element(item, keys):
    key = {}
    for k in keys:
        v = item.get(k, KEY_DEFAULTS.get(k)) if isinstance(item, dict) else None
        if v is not None:
            key[k] = v
    return "k:" + json.dumps(dict(sorted(key.items())), separators=(",", ":"))


# ---------------------------------------------------------------- flattening
# flatten(obj) maps every tracked path (a tuple of fieldsV1 elements) to
# (kind, value): kind "leaf" (scalar, atomic list/map), "item" (associative list
# element or set value), "map" (free-form map), "struct".
def flatten(obj, with_status):
    out = {}
    for k, v in (obj or {}).items():
        if k in ("apiVersion", "kind") or (k == "status" and not with_status):
            continue
        if k == "metadata":
            for mk, mv in (v or {}).items():
                if mk not in STRIP_META:
                    _walk(mv, ("f:metadata", "f:" + mk), mk, out)
            continue
        _walk(v, ("f:" + k,), k, out)
    return out


def _walk(value, path, name, out):
    if isinstance(value, dict) and name not in ATOMIC:
        out[path] = ("map" if name in FREE_MAPS else "struct", None if value else {})
        for k, v in value.items():
            _walk(v, path + ("f:" + k,), k, out)
    elif isinstance(value, list) and (list_keys(path, name) or name in SET_LISTS):
        keys = list_keys(path, name)
        out[path] = ("struct", None)
        for item in value:
            if keys:
                p = path + (item_element(item, keys),)
                out[p] = ("item", None)
                for k, v in (item or {}).items():
                    _walk(v, p + ("f:" + k,), k, out)
            else:
                out[path + ("v:" + json.dumps(item, separators=(",", ":")),)] = ("item", None)
    else:
        out[path] = ("leaf", json.dumps(value, sort_keys=True))


def fieldset(flat):
    """typed.ToFieldSet: the fields a configuration sets."""
    return {p for p, (kind, val) in flat.items()
            if kind in ("leaf", "item") or (kind == "struct" and val == {}) or
            (len(p) > 1 and kind == "map" and val == {}) or _in_free_map(p)}


def _in_free_map(p):
    return len(p) > 1 and p[-2][2:] in FREE_MAPS


def compare(old_flat, new_flat):
    added = set(new_flat) - set(old_flat)
    removed = set(old_flat) - set(new_flat)
    modified = {p for p in set(new_flat) & set(old_flat)
                if new_flat[p][0] == "leaf" and new_flat[p] != old_flat[p]}
    return added, modified, removed


def owned_by_update(paths, flat):
    """What an Update takes ownership of: changed leaves, new items, new maps and
    new optional structs (not the containers that always exist)."""
    return {p for p in paths if flat[p][0] in ("leaf", "item", "map") or _in_free_map(p)
            or (flat[p][0] == "struct" and (flat[p][1] == {} or p[-1][2:] in POINTER_STRUCTS))}


# ---------------------------------------------------------------- fieldsV1 <-> sets
def to_fields_v1(paths):
    root = {}
    for p in sorted(paths):
        node = root
        for el in p:
            node = node.setdefault(el, {})
        node["."] = {}
    return _clean(root)


def _clean(node):
    children = {k: _clean(v) for k, v in node.items() if k != "."}
    if "." in node and not children:
        return {}
    out = {".": {}} if "." in node else {}
    out.update(sorted(children.items()))
    return out


def from_fields_v1(tree, prefix=()):
    out = set()
    for k, v in (tree or {}).items():
        if k == ".":
            out.add(prefix)
        elif not v:
            out.add(prefix + (k,))
        else:
            out |= from_fields_v1(v, prefix + (k,))
    return out


def path_string(p):
    """fieldpath.Path.String(): .spec.template.spec.containers[name="web"].image"""
    s = ""
    for el in p:
        kind, rest = el[0], el[2:]
        if kind == "f":
            s += "." + rest
        elif kind == "k":
            s += "[" + ",".join("%s=%s" % (k, json.dumps(v)) for k, v in json.loads(rest).items()) + "]"
        elif kind == "v":
            s += "[=" + rest + "]"
        else:
            s += "[" + rest + "]"
    return s


def decode(obj):
    entries = []
    for e in (obj or {}).get("metadata", {}).get("managedFields") or []:
        if isinstance(e, dict):
            entries.append([{k: v for k, v in e.items() if k != "fieldsV1"}, from_fields_v1(e.get("fieldsV1"))])
    return entries


def encode(entries):
    out = []
    for meta, paths in entries:
        if not paths:
            continue
        e = dict(meta)
        e["fieldsType"] = "FieldsV1"
        e["fieldsV1"] = to_fields_v1(paths)
        order = ["manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource"]
        out.append({k: e[k] for k in order if k in e})
    return out


def same_manager(meta, manager, operation, subresource, api_version):
    """Managers are told apart by name, operation, subresource and, for Update only, apiVersion."""
    return (meta.get("manager") == manager and meta.get("operation") == operation and
            meta.get("subresource", "") == (subresource or "") and
            (operation == "Apply" or meta.get("apiVersion") == api_version))


def print_manager(meta):
    s = '"%s"' % meta.get("manager", "")
    if meta.get("subresource"):
        s += ' with subresource "%s"' % meta["subresource"]
    if meta.get("operation") == "Update":
        s += " using " + meta.get("apiVersion", "")
    return s


# ---------------------------------------------------------------- Update operations
def update_managed(rt, old, new, manager, subresource, now):
    """An Update (create, PUT, non-apply PATCH) owns what it changed, taking it from the others."""
    with_status = subresource == "status"
    entries = decode(new)
    old_flat, new_flat = flatten(old, with_status), flatten(new, with_status)
    added, modified, removed = compare(old_flat, new_flat)
    changed = owned_by_update(added | modified, new_flat)
    for e in entries:
        e[1] -= changed | removed
    mine = [e for e in entries if same_manager(e[0], manager, "Update", subresource, rt.api_version)]
    if mine:
        if changed:
            mine[0][1] |= changed
            mine[0][0]["time"] = now
    elif changed:
        meta = {"manager": manager, "operation": "Update", "apiVersion": rt.api_version, "time": now}
        if subresource:
            meta["subresource"] = subresource
        entries.append([meta, changed])
    new["metadata"]["managedFields"] = encode(entries)
    if not new["metadata"]["managedFields"]:
        del new["metadata"]["managedFields"]


# ---------------------------------------------------------------- server-side apply
def merge(live, cfg, path=(), name=None):
    """Merges an applied configuration into the live object, along the schema."""
    if isinstance(live, dict) and isinstance(cfg, dict) and name not in ATOMIC:
        out = dict(live)
        for k, v in cfg.items():
            out[k] = merge(live[k], v, path + ("f:" + k,), k) if k in live else copy.deepcopy(v)
        return out
    keys = list_keys(path, name) if name else None
    if isinstance(live, list) and isinstance(cfg, list) and keys:
        out = [copy.deepcopy(x) for x in live]
        index = {item_element(x, keys): i for i, x in enumerate(out)}
        for item in cfg:
            el = item_element(item, keys)
            if el in index:
                out[index[el]] = merge(out[index[el]], item, path + (el,))
            else:
                out.append(copy.deepcopy(item))
        return out
    if isinstance(live, list) and isinstance(cfg, list) and name in SET_LISTS:
        return live + [x for x in cfg if x not in live]
    return copy.deepcopy(cfg)


def remove_path(obj, path):
    """Removes one field, list item or set value from obj, if it is there."""
    node, parent_path = obj, path[:-1]
    for el in parent_path:
        node = _step(node, el, parent_path)
        if node is None:
            return
    last = path[-1]
    if isinstance(node, dict) and last.startswith("f:"):
        node.pop(last[2:], None)
    elif isinstance(node, list):
        for i, x in enumerate(node):
            if (last.startswith("k:") and isinstance(x, dict) and
                item_element(x, json.loads(last[2:]).keys()) == last) or \
                    (last.startswith("v:") and json.dumps(x, separators=(",", ":")) == last[2:]):
                del node[i]
                return


def _step(node, el, path):
    if isinstance(node, dict) and el.startswith("f:"):
        return node.get(el[2:])
    if isinstance(node, list) and el.startswith("k:"):
        keys = json.loads(el[2:]).keys()
        for x in node:
            if isinstance(x, dict) and item_element(x, keys) == el:
                return x
    return None


def apply(rt, live, config, manager, force, subresource, now):
    """Server-side apply of config by manager onto live (None when creating).
    Returns the merged object with its managedFields, or raises the 409
    Conflict the real server answers when another manager owns a field that
    the configuration would change (unless force)."""
    with_status = subresource == "status"
    config = copy.deepcopy(config)
    if not with_status:
        config.pop("status", None)
    entries = decode(live)
    new_set = fieldset(flatten(config, with_status))
    mine = [e for e in entries if same_manager(e[0], manager, "Apply", subresource, None)]
    others = [e for e in entries if not mine or e is not mine[0]]
    base = copy.deepcopy(live) if live is not None else {"metadata": {}}
    merged = merge(base, config)
    merged.setdefault("metadata", {})
    # Fields this manager applied before but no longer does go away, unless
    # another manager still owns them.
    if mine:
        still_owned = set().union(*[e[1] for e in others]) if others else set()
        for p in sorted(mine[0][1] - new_set - still_owned, key=len, reverse=True):
            remove_path(merged, p)
    live_flat, merged_flat = flatten(live, with_status), flatten(merged, with_status)
    added, modified, removed = compare(live_flat, merged_flat)
    changed = added | modified
    conflicts = []
    for e in others:
        for p in sorted(e[1] & changed):
            conflicts.append((e[0], p))
    if conflicts and not force:
        raise conflict_error(conflicts)
    for e in others:
        e[1] -= changed | removed
    meta = {"manager": manager, "operation": "Apply", "apiVersion": rt.api_version, "time": now}
    if subresource:
        meta["subresource"] = subresource
    entries = others + [[meta, new_set]]
    merged["metadata"]["managedFields"] = encode(entries)
    return merged


def conflict_error(conflicts):
    causes = [{"type": "FieldManagerConflict", "message": "conflict with " + print_manager(m),
               "field": path_string(p)} for m, p in conflicts]
    if len(conflicts) == 1:
        msg = "Apply failed with 1 conflict: conflict with %s: %s" % (print_manager(conflicts[0][0]),
                                                                      path_string(conflicts[0][1]))
    else:
        by = {}
        for m, p in conflicts:
            by.setdefault(print_manager(m), []).append(path_string(p))
        lines = []
        for m in sorted(by):
            lines.append("conflicts with %s:" % m)
            lines += ["- " + p for p in by[m]]
        msg = "Apply failed with %d conflicts: %s" % (len(conflicts), "\n".join(lines))
    return k8s_store.ApiError(409, "Conflict", msg, {"causes": causes})


# ---------------------------------------------------------------- patches
def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (application/merge-patch+json)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# patchMergeKey of the strategic merge patch, from the Go struct tags.
SMP_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
            "volumes": "name", "volumeMounts": "mountPath", "imagePullSecrets": "name", "conditions": "type",
            "ownerReferences": "uid", "hostAliases": "ip", "volumeDevices": "devicePath"}


def smp_key(path, name):
    if name == "ports":
        return "containerPort" if "containers" in path or "initContainers" in path else "port"
    return SMP_KEYS.get(name)


def strategic_merge_patch(target, patch, path=()):
    """The part of application/strategic-merge-patch+json that clients send:
    lists with a patchMergeKey merge by key, $patch: replace/delete,
    $retainKeys, $deleteFromPrimitiveList, $setElementOrder (ordering only,
    ignored), finalizers merged as a set, null deletes."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    out = dict(target) if isinstance(target, dict) else {}
    if "$retainKeys" in patch:
        out = {k: v for k, v in out.items() if k in patch["$retainKeys"]}
    for k, v in patch.items():
        if k in ("$retainKeys", "$patch") or k.startswith("$setElementOrder/"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            out[field] = [x for x in out.get(field) or [] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and v.get("$patch") == "delete":
            out.pop(k, None)
        elif isinstance(v, list):
            out[k] = _smp_list(out.get(k), v, path + (k,), k)
        else:
            out[k] = strategic_merge_patch(out.get(k), v, path + (k,))
    return out


def _smp_list(live, patch, path, name):
    key = smp_key(path, name)
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [copy.deepcopy(x) for x in patch if not (isinstance(x, dict) and "$patch" in x)]
    if name in SET_LISTS:
        return (live or []) + [x for x in patch if x not in (live or [])]
    if not key or not isinstance(live, list):
        return [x for x in copy.deepcopy(patch) if not (isinstance(x, dict) and "$patch" in x)]
    out = [copy.deepcopy(x) for x in live]
    for item in patch:
        if not isinstance(item, dict):
            continue
        idx = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                del out[idx]
        elif idx is not None:
            out[idx] = strategic_merge_patch(out[idx], item, path)
        else:
            out.append(strategic_merge_patch({}, item, path))
    return out


def json_patch(target, ops):
    """RFC 6902 (application/json-patch+json)."""
    doc = copy.deepcopy(target)

    def parts(ptr):
        if ptr == "":
            return []
        if not ptr.startswith("/"):
            raise ValueError("invalid JSON pointer %r" % ptr)
        return [p.replace("~1", "/").replace("~0", "~") for p in ptr[1:].split("/")]

    def locate(ptr):
        ps = parts(ptr)
        node = doc
        for p in ps[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        return node, ps[-1]

    def get(ptr):
        node, last = locate(ptr)
        return node[int(last)] if isinstance(node, list) else node[last]

    def add(ptr, value):
        node, last = locate(ptr)
        if isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), value)
        else:
            node[last] = value

    def remove(ptr):
        node, last = locate(ptr)
        if isinstance(node, list):
            del node[int(last)]
        else:
            del node[last]

    for op in ops:
        kind, path = op.get("op"), op.get("path", "")
        try:
            if kind == "add":
                add(path, copy.deepcopy(op["value"]))
            elif kind == "remove":
                remove(path)
            elif kind == "replace":
                get(path)
                remove(path)
                add(path, copy.deepcopy(op["value"]))
            elif kind == "move":
                v = get(op["from"])
                remove(op["from"])
                add(path, v)
            elif kind == "copy":
                add(path, copy.deepcopy(get(op["from"])))
            elif kind == "test":
                if get(path) != op.get("value"):
                    raise ValueError("testing value %s failed" % path)
            else:
                raise ValueError("Unexpected kind: %s" % kind)
        except (KeyError, IndexError, TypeError) as e:
            raise ValueError("%s operation does not apply: doc is missing path: \"%s\": %s" % (kind, path, e))
    return doc
