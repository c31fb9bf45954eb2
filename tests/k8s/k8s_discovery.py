"""Discovery (/version, /api, /apis, APIResourceList) and the small OpenAPI v3
documents of the fake Kubernetes API server. kubectl reads the legacy discovery
documents when the server answers plain application/json to its request for
the aggregated form (apidiscovery.k8s.io/v2), as older servers do."""
import base64
import hashlib
import json

import k8s_store

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0", "gitCommit": "0" * 40,
           "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.3",
           "compiler": "gc", "platform": "linux/amd64"}

def resource_list(group, version):
    out = []
    for rt in k8s_store.RESOURCES:
        if (rt.group, rt.version) != (group, version):
            continue
        r = {"name": rt.resource, "singularName": rt.singular, "namespaced": rt.namespaced, "kind": rt.kind,
             "verbs": rt.verbs}
        if rt.short:
            r["shortNames"] = rt.short
        if rt.categories:
            r["categories"] = rt.categories
        r["storageVersionHash"] = base64.b64encode(hashlib.sha256(rt.qualified.encode()).digest()[:8]).decode()
        out.append(r)
        if rt.status:
            out.append({"name": rt.resource + "/status", "singularName": "", "namespaced": rt.namespaced,
                        "kind": rt.kind, "verbs": ["get", "patch", "update"]})
        if rt.scale:
            out.append({"name": rt.resource + "/scale", "singularName": "", "namespaced": True, "group": "autoscaling",
                        "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]})
        if rt.resource == "pods":
            out.append({"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]})
            out.append({"name": "pods/exec", "singularName": "", "namespaced": True, "kind": "PodExecOptions",
                        "verbs": ["create", "get"]})
    gv = group + "/" + version if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def api_group(group):
    versions = [{"groupVersion": group + "/" + v, "version": v} for g, v in k8s_store.GROUP_VERSIONS if g == group]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def openapi_v3_doc(group, version):
    """Just enough OpenAPI v3 for kubectl: its validation looks up the PATCH
    operation of each kind and whether it takes the fieldValidation query
    parameter; when it does, kubectl leaves validation to the server
    (fieldValidation=Strict) instead of needing full schemas."""
    params = [{"name": n, "in": "query", "schema": {"type": "string"}, "uniqueItems": True}
              for n in ("dryRun", "fieldManager", "fieldValidation", "force")]
    paths, schemas = {}, {}
    prefix = "/apis/%s/%s" % (group, version) if group else "/api/" + version
    for rt in k8s_store.RESOURCES:
        if (rt.group, rt.version) != (group, version):
            continue
        gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
        base = prefix + ("/namespaces/{namespace}/" if rt.namespaced else "/") + rt.resource + "/{name}"
        op = {"operationId": "patch" + rt.kind, "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
              "parameters": params, "responses": {"200": {"description": "OK"}},
              "requestBody": {"content": {t: {"schema": {"type": "object"}} for t in (
                  "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
                  "application/strategic-merge-patch+json")}}}
        for suffix in ("", "/status") if rt.status else ("",):
            paths[base + suffix] = {"get": {"operationId": "read" + rt.kind, "x-kubernetes-action": "get",
                                            "x-kubernetes-group-version-kind": gvk,
                                            "responses": {"200": {"description": "OK"}}},
                                    "patch": op}
        schemas["%s.%s.%s" % (rt.group or "core", rt.version, rt.kind)] = {
            "type": "object", "x-kubernetes-group-version-kind": [gvk]}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": VERSION["gitVersion"]},
            "paths": paths, "components": {"schemas": schemas}}


def gv_path(group, version):
    return "apis/%s/%s" % (group, version) if group else "api/" + version


OPENAPI = {gv_path(g, v): json.dumps(openapi_v3_doc(g, v)).encode() for g, v in k8s_store.GROUP_VERSIONS}


