/*
 * Stand-in for computenetwork.dll (Host Compute Network): the namespace and
 * endpoint calls podnet uses, over an in-memory store seeded by the tests
 * (HcnStandinAdd* with HNS documents). Thread-safe.
 */
#include "standin.h"
#include "standin_json.h"

#ifdef _WIN32
/* Microsoft's declarations: any prototype below that differs fails to build. */
#include <computenetwork.h>
#else
typedef void *HCN_NAMESPACE;
typedef HCN_NAMESPACE *PHCN_NAMESPACE;
typedef void *HCN_ENDPOINT;
typedef HCN_ENDPOINT *PHCN_ENDPOINT;
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_NAMESPACE 1
#define KIND_ENDPOINT 2

typedef struct hcn_object {
  int kind;
  char id[37];
  char *document; /* UTF-8 */
  size_t length;
} hcn_object;

static standin_lock store_lock = STANDIN_LOCK_INIT;
static hcn_object *objects = NULL;
static size_t object_count = 0;
static uint8_t last_guid[16];

/* ---- store ------------------------------------------------------------- */

static int store_add(int kind, const char *json) {
  char error[128];
  char id[37];
  sj_value *doc = sj_parse(json, strlen(json), error, sizeof(error));
  const sj_value *id_value;
  hcn_object *grown;
  size_t i, length = strlen(json);
  if (doc == NULL) return -1;
  id_value = sj_get(doc, "ID");
  if (id_value == NULL || id_value->type != SJ_STRING ||
      !standin_guid_normalize(id_value->string, id_value->length, id)) {
    sj_free(doc);
    return -2;
  }
  sj_free(doc);
  standin_lock_acquire(&store_lock);
  for (i = 0; i < object_count; i++) {
    if (objects[i].kind == kind && strcmp(objects[i].id, id) == 0) {
      standin_lock_release(&store_lock);
      return -3;
    }
  }
  grown = realloc(objects, (object_count + 1) * sizeof(hcn_object));
  if (grown == NULL) {
    standin_lock_release(&store_lock);
    return -4;
  }
  objects = grown;
  objects[object_count].kind = kind;
  memcpy(objects[object_count].id, id, sizeof(id));
  objects[object_count].document = malloc(length + 1);
  if (objects[object_count].document == NULL) {
    standin_lock_release(&store_lock);
    return -4;
  }
  memcpy(objects[object_count].document, json, length + 1);
  objects[object_count].length = length;
  object_count++;
  standin_lock_release(&store_lock);
  return 0;
}

/* Returns a new block with the document of that object, or NULL when absent
   (*found = 0). */
static PWSTR store_document(int kind, const char *id, int *found) {
  size_t i;
  PWSTR result = NULL;
  *found = 0;
  standin_lock_acquire(&store_lock);
  for (i = 0; i < object_count; i++) {
    if (objects[i].kind == kind && strcmp(objects[i].id, id) == 0) {
      *found = 1;
      result = standin_wide_from_utf8(objects[i].document, objects[i].length);
      break;
    }
  }
  standin_lock_release(&store_lock);
  return result;
}

static int store_has(int kind, const char *id) {
  size_t i;
  int found = 0;
  standin_lock_acquire(&store_lock);
  for (i = 0; i < object_count; i++) {
    if (objects[i].kind == kind && strcmp(objects[i].id, id) == 0) found = 1;
  }
  standin_lock_release(&store_lock);
  return found;
}

/* ---- documents --------------------------------------------------------- */

/* Decodes and checks a query document: a JSON object with SchemaVersion
   {Major: 2, Minor: integer >= 0}, optional Flags (integer >= 0) and optional
   Filter (string). Returns the parsed query or NULL with *hr and *out set. */
static sj_value *parse_query(const char *function, PCWSTR query, HRESULT *hr, PWSTR *out) {
  char error[160];
  char message[256];
  size_t length;
  char *text;
  sj_value *doc;
  const sj_value *schema, *major, *minor, *flags, *filter;
  const char *problem = NULL;
  if (query == NULL) {
    *hr = standin_fail_hcn(out, STANDIN_E_POINTER, "The query is NULL");
    return NULL;
  }
  text = standin_utf8_from_wide(query, &length);
  if (text == NULL) {
    *hr = standin_fail_hcn(out, STANDIN_E_INVALIDARG, "The query is not valid UTF-16");
    return NULL;
  }
  standin_record_document(function, text, length);
  doc = sj_parse(text, length, error, sizeof(error));
  free(text);
  if (doc == NULL || doc->type != SJ_OBJECT) {
    snprintf(message, sizeof(message), "Invalid query document: %s",
             doc == NULL ? error : "not an object");
    sj_free(doc);
    *hr = standin_fail_hcn(out, STANDIN_HCN_E_INVALID_JSON, message);
    return NULL;
  }
  schema = sj_get(doc, "SchemaVersion");
  major = sj_get(schema, "Major");
  minor = sj_get(schema, "Minor");
  flags = sj_get(doc, "Flags");
  filter = sj_get(doc, "Filter");
  if (schema == NULL || schema->type != SJ_OBJECT) {
    problem = "SchemaVersion must be an object";
  } else if (major == NULL || major->type != SJ_NUMBER || major->number != 2) {
    problem = "SchemaVersion.Major must be 2";
  } else if (!sj_is_safe_integer(minor) || minor->number < 0) {
    problem = "SchemaVersion.Minor must be an integer >= 0";
  } else if (flags != NULL && (!sj_is_safe_integer(flags) || flags->number < 0)) {
    problem = "Flags must be an integer >= 0";
  } else if (filter != NULL && filter->type != SJ_STRING) {
    problem = "Filter must be a JSON object encoded as a string";
  }
  if (problem != NULL) {
    snprintf(message, sizeof(message), "Invalid query document: %s", problem);
    sj_free(doc);
    *hr = standin_fail_hcn(out, STANDIN_HCN_E_INVALID_JSON, message);
    return NULL;
  }
  return doc;
}

/* Whether the stored document matches every member of the filter object:
   "ID" compares GUIDs, other members compare as JSON text. */
static int filter_matches(const hcn_object *object, const sj_value *filter) {
  sj_value *doc;
  size_t i;
  int match = 1;
  if (filter == NULL || filter->count == 0) return 1;
  doc = sj_parse(object->document, object->length, NULL, 0);
  if (doc == NULL) return 0;
  for (i = 0; i < filter->count && match; i++) {
    const char *key = filter->keys[i];
    const sj_value *want = filter->items[i];
    const sj_value *have = sj_get(doc, key);
    char want_id[37], have_id[37];
    if (strcmp(key, "ID") == 0 && want->type == SJ_STRING && have != NULL &&
        have->type == SJ_STRING) {
      int a = standin_guid_normalize(want->string, want->length, want_id);
      int b = standin_guid_normalize(have->string, have->length, have_id);
      match = a && b ? strcmp(want_id, have_id) == 0
                     : want->length == have->length &&
                           memcmp(want->string, have->string, want->length) == 0;
    } else if (have == NULL) {
      match = 0;
    } else {
      sj_buffer x = {0}, y = {0};
      sj_append_value(&x, want);
      sj_append_value(&y, have);
      match = !x.failed && !y.failed && x.length == y.length && memcmp(x.data, y.data, x.length) == 0;
      sj_buffer_free(&x);
      sj_buffer_free(&y);
    }
  }
  sj_free(doc);
  return match;
}

static HRESULT enumerate(const char *function, int kind, PCWSTR query, PWSTR *result,
                         PWSTR *error_record) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  sj_value *doc = NULL, *filter = NULL;
  sj_buffer b = {0};
  size_t i, n = 0;
  if (result == NULL || error_record == NULL) return STANDIN_E_POINTER;
  *result = NULL;
  *error_record = NULL;
  standin_enter(&call, function);
  if (standin_injected_failure(&call, error_record, &hr)) goto done;
  doc = parse_query(function, query, &hr, error_record);
  if (doc == NULL) goto done;
  {
    const sj_value *f = sj_get(doc, "Filter");
    if (f != NULL && f->length > 0) {
      filter = sj_parse(f->string, f->length, NULL, 0);
      if (filter == NULL || filter->type != SJ_OBJECT) {
        hr = standin_fail_hcn(error_record, STANDIN_HCN_E_INVALID_JSON,
                              "Invalid query document: Filter is not a JSON object");
        goto done;
      }
    }
  }
  sj_append_text(&b, "[");
  standin_lock_acquire(&store_lock);
  for (i = 0; i < object_count; i++) {
    if (objects[i].kind != kind || !filter_matches(&objects[i], filter)) continue;
    if (n++ > 0) sj_append_text(&b, ",");
    sj_append_string(&b, objects[i].id, 36);
  }
  standin_lock_release(&store_lock);
  sj_append_text(&b, "]");
  if (b.failed) {
    hr = standin_fail_hcn(error_record, STANDIN_E_OUTOFMEMORY, "Out of memory");
    goto done;
  }
  *result = standin_wide_from_utf8(b.data, b.length);
  hr = standin_injected_result(&call, error_record, hr);
done:
  sj_buffer_free(&b);
  sj_free(filter);
  sj_free(doc);
  standin_leave(&call);
  return hr;
}

static HRESULT open_object(const char *function, int kind, REFGUID id, void **handle,
                           PWSTR *error_record) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  char text[37];
  char message[128];
  if (handle == NULL || error_record == NULL) return STANDIN_E_POINTER;
  *handle = NULL;
  *error_record = NULL;
  if (id == NULL) return standin_fail_hcn(error_record, STANDIN_E_POINTER, "The ID is NULL");
  standin_enter(&call, function);
  standin_lock_acquire(&store_lock);
  memcpy(last_guid, id, 16);
  standin_lock_release(&store_lock);
  if (standin_injected_failure(&call, error_record, &hr)) goto done;
  standin_guid_format(id, text);
  if (!store_has(kind, text)) {
    if (kind == KIND_NAMESPACE) {
      snprintf(message, sizeof(message), "Namespace %s was not found", text);
      hr = standin_fail_hcn(error_record, STANDIN_ERROR_NOT_FOUND, message);
    } else {
      snprintf(message, sizeof(message), "Endpoint %s was not found", text);
      hr = standin_fail_hcn(error_record, STANDIN_HCN_E_ENDPOINT_NOT_FOUND, message);
    }
    goto done;
  }
  *handle = standin_handle_open(kind, text);
  if (*handle == NULL) {
    hr = standin_fail_hcn(error_record, STANDIN_E_OUTOFMEMORY, "Out of memory");
    goto done;
  }
  hr = standin_injected_result(&call, error_record, hr);
done:
  standin_leave(&call);
  return hr;
}

static HRESULT query_object(const char *function, int kind, void *handle, PCWSTR query,
                            PWSTR *properties, PWSTR *error_record) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  char id[40];
  char message[160];
  sj_value *doc = NULL;
  int found;
  if (properties == NULL || error_record == NULL) return STANDIN_E_POINTER;
  *properties = NULL;
  *error_record = NULL;
  standin_enter(&call, function);
  if (standin_injected_failure(&call, error_record, &hr)) goto done;
  if (!standin_handle_get(handle, kind, id, sizeof(id))) {
    hr = standin_fail_hcn(error_record, STANDIN_E_HANDLE, "The handle is invalid");
    goto done;
  }
  doc = parse_query(function, query, &hr, error_record);
  if (doc == NULL) goto done;
  *properties = store_document(kind, id, &found);
  if (!found) {
    snprintf(message, sizeof(message), "%s %s was not found",
             kind == KIND_NAMESPACE ? "Namespace" : "Endpoint", id);
    hr = standin_fail_hcn(error_record,
                          kind == KIND_NAMESPACE ? STANDIN_ERROR_NOT_FOUND
                                                 : STANDIN_HCN_E_ENDPOINT_NOT_FOUND,
                          message);
    goto done;
  }
  hr = standin_injected_result(&call, error_record, hr);
done:
  sj_free(doc);
  standin_leave(&call);
  return hr;
}

static HRESULT close_object(const char *function, int kind, void *handle) {
  standin_call call;
  HRESULT hr = STANDIN_S_OK;
  standin_enter(&call, function);
  if (standin_injected_failure(&call, NULL, &hr)) {
    /* A failing close still closes: the caller cannot retry it. */
    standin_handle_close(handle, kind);
  } else if (!standin_handle_close(handle, kind)) {
    hr = STANDIN_E_HANDLE;
  } else {
    hr = standin_injected_result(&call, NULL, hr);
  }
  standin_leave(&call);
  return hr;
}

/* ---- computenetwork.dll exports ---------------------------------------- */

STANDIN_EXPORT HRESULT WINAPI HcnOpenNamespace(REFGUID Id, PHCN_NAMESPACE Namespace,
                                               PWSTR *ErrorRecord) {
  return open_object("HcnOpenNamespace", KIND_NAMESPACE, Id, Namespace, ErrorRecord);
}

STANDIN_EXPORT HRESULT WINAPI HcnQueryNamespaceProperties(HCN_NAMESPACE Namespace, PCWSTR Query,
                                                          PWSTR *Properties, PWSTR *ErrorRecord) {
  return query_object("HcnQueryNamespaceProperties", KIND_NAMESPACE, Namespace, Query, Properties,
                      ErrorRecord);
}

STANDIN_EXPORT HRESULT WINAPI HcnCloseNamespace(HCN_NAMESPACE Namespace) {
  return close_object("HcnCloseNamespace", KIND_NAMESPACE, Namespace);
}

STANDIN_EXPORT HRESULT WINAPI HcnEnumerateNamespaces(PCWSTR Query, PWSTR *Namespaces,
                                                     PWSTR *ErrorRecord) {
  return enumerate("HcnEnumerateNamespaces", KIND_NAMESPACE, Query, Namespaces, ErrorRecord);
}

STANDIN_EXPORT HRESULT WINAPI HcnOpenEndpoint(REFGUID Id, PHCN_ENDPOINT Endpoint,
                                              PWSTR *ErrorRecord) {
  return open_object("HcnOpenEndpoint", KIND_ENDPOINT, Id, Endpoint, ErrorRecord);
}

STANDIN_EXPORT HRESULT WINAPI HcnQueryEndpointProperties(HCN_ENDPOINT Endpoint, PCWSTR Query,
                                                         PWSTR *Properties, PWSTR *ErrorRecord) {
  return query_object("HcnQueryEndpointProperties", KIND_ENDPOINT, Endpoint, Query, Properties,
                      ErrorRecord);
}

STANDIN_EXPORT HRESULT WINAPI HcnCloseEndpoint(HCN_ENDPOINT Endpoint) {
  return close_object("HcnCloseEndpoint", KIND_ENDPOINT, Endpoint);
}

STANDIN_EXPORT HRESULT WINAPI HcnEnumerateEndpoints(PCWSTR Query, PWSTR *Endpoints,
                                                    PWSTR *ErrorRecord) {
  return enumerate("HcnEnumerateEndpoints", KIND_ENDPOINT, Query, Endpoints, ErrorRecord);
}

/* ---- test controls ----------------------------------------------------- */

/* Adds a namespace from its HNS document (UTF-8 JSON with a GUID "ID").
   Returns 0, or -1 bad JSON, -2 bad ID, -3 duplicate, -4 out of memory. */
STANDIN_EXPORT int32_t HcnStandinAddNamespace(const char *document) {
  return store_add(KIND_NAMESPACE, document);
}

/* Adds an endpoint from its HNS document; same results as above. */
STANDIN_EXPORT int32_t HcnStandinAddEndpoint(const char *document) {
  return store_add(KIND_ENDPOINT, document);
}

/* Deletes the namespace or endpoint with that ID (as CNI would); returns the
   number of objects removed. Open handles stay open and then fail to query. */
STANDIN_EXPORT int32_t HcnStandinRemove(const char *id) {
  char canonical[37];
  size_t i;
  int32_t removed = 0;
  if (!standin_guid_normalize(id, strlen(id), canonical)) return 0;
  standin_lock_acquire(&store_lock);
  for (i = 0; i < object_count;) {
    if (strcmp(objects[i].id, canonical) == 0) {
      free(objects[i].document);
      objects[i] = objects[object_count - 1];
      object_count--;
      removed++;
    } else {
      i++;
    }
  }
  standin_lock_release(&store_lock);
  return removed;
}

/* Copies the 16 bytes of the last GUID an open call received. */
STANDIN_EXPORT void HcnStandinLastGuid(uint8_t *out) {
  standin_lock_acquire(&store_lock);
  memcpy(out, last_guid, 16);
  standin_lock_release(&store_lock);
}
