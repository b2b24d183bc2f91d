/*
 * The compute systems behind the HCS stand-ins (vmcompute.c, HCS v1, and
 * computecore.c, HCS v2): utility VMs seeded by the tests (HcsStandinAddSystem),
 * each with NIC slots and an LCOW or WCOW guest that checks the modify
 * documents podnet sends, strictly. Each library that links this file has
 * its own VMs. Documents in and out are UTF-8; each stand-in turns them into
 * the strings its DLL returns. Thread-safe.
 */
#include "standin_hcs.h"
#include "standin_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NICS 64
#define MAX_NAMESPACES 16
#define ADAPTER_PREPARED 1
#define ADAPTER_ATTACHED 2
#define GUEST_CONNECTED 0
#define GUEST_CLOSED 1
#define GUEST_NEVER 2

typedef struct host_nic {
  char id[37];
  char endpoint[37];
  char mac[18];
} host_nic;

/* At most this many search domains in a namespace's resolv.conf (hcsshim
   internal/guest/network/network.go maxDNSSearches). */
#define MAX_DNS_SEARCHES 6
/* A longer search domain is compared by its first 255 bytes only. */
#define DNS_NAME_CAPACITY 256

/* The longest LCOW namespace ID the stand-in keeps (the guest takes any). */
#define NAMESPACE_ID_CAPACITY 128

typedef struct guest_adapter {
  char id[37];
  /* LCOW: the namespace ID lower-cased, any text; WCOW: a GUID or empty. */
  char namespace_id[NAMESPACE_ID_CAPACITY];
  int state;
  /* LCOW: the unique search domains of its DNSSuffix, as the guest parses them. */
  size_t dns_count;
  char dns[MAX_DNS_SEARCHES][DNS_NAME_CAPACITY];
} guest_adapter;

typedef struct compute_system {
  char id[STANDIN_ID_CAPACITY];
  int wcow;
  int namespace_supported;
  int connection;
  int stopped;
  host_nic nics[MAX_NICS];
  size_t nic_count;
  guest_adapter adapters[MAX_NICS];
  size_t adapter_count;
  char namespaces[MAX_NAMESPACES][37];
  size_t namespace_count;
} compute_system;

static standin_lock systems_lock = STANDIN_LOCK_INIT;
static compute_system **systems = NULL;
static size_t system_count = 0;

/* ---- helpers ----------------------------------------------------------- */

#define STANDIN_E_NOTIMPL ((HRESULT)0x80004001u)
#define STANDIN_E_FAIL ((HRESULT)0x80004005u)
#define STANDIN_HCN_E_ENDPOINT_ALREADY_ATTACHED ((HRESULT)0x803B0014u)
#define STANDIN_HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS ((HRESULT)0x803B002Bu)

static int lower_id(const char *text, size_t length, char out[STANDIN_ID_CAPACITY]) {
  size_t i;
  if (length == 0 || length >= STANDIN_ID_CAPACITY) return 0;
  for (i = 0; i < length; i++) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    out[i] = c;
  }
  out[length] = '\0';
  return 1;
}

/* Caller holds systems_lock. */
static compute_system *find_system(const char *id) {
  size_t i;
  for (i = 0; i < system_count; i++) {
    if (strcmp(systems[i]->id, id) == 0) return systems[i];
  }
  return NULL;
}

static HRESULT failf(char **out, HRESULT hr, const char *format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  return standin_hcs_error(out, hr, message);
}

/* The first member of `object` whose name is not in `allowed`, or NULL. */
static const char *unknown_member(const sj_value *object, const char *const *allowed) {
  size_t i, j;
  for (i = 0; i < object->count; i++) {
    int known = 0;
    for (j = 0; allowed[j] != NULL; j++) {
      if (strcmp(object->keys[i], allowed[j]) == 0) known = 1;
    }
    if (!known) return object->keys[i];
  }
  return NULL;
}

/* A GUID member (any case, braces allowed), normalised into out. */
static int guid_member(const sj_value *object, const char *key, char out[37]) {
  const sj_value *v = sj_get(object, key);
  return v != NULL && v->type == SJ_STRING && standin_guid_normalize(v->string, v->length, out);
}

/* "00-15-5D-52-C0-0A" or with colons, one separator throughout. */
static int is_mac(const sj_value *v) {
  size_t i;
  char separator;
  if (v->type != SJ_STRING || v->length != 17) return 0;
  separator = v->string[2];
  if (separator != '-' && separator != ':') return 0;
  for (i = 0; i < 17; i++) {
    char c = v->string[i];
    if (i % 3 == 2) {
      if (c != separator) return 0;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return 0;
    }
  }
  return 1;
}

static int is_integer_in(const sj_value *v, double low, double high) {
  return sj_is_safe_integer(v) && v->number >= low && v->number <= high;
}

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Dotted quad, no leading zeros. */
static int is_ipv4(const char *s, size_t n) {
  size_t i = 0;
  int part;
  for (part = 0; part < 4; part++) {
    size_t start = i;
    unsigned value = 0;
    if (part > 0) {
      if (i >= n || s[i] != '.') return 0;
      start = ++i;
    }
    while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3) value = value * 10 + (unsigned)(s[i++] - '0');
    if (i == start || value > 255 || (i - start > 1 && s[start] == '0')) return 0;
  }
  return i == n;
}

/* IPv6 text: up to eight groups, one "::", an optional dotted-quad tail. */
static int is_ipv6(const char *s, size_t n) {
  size_t i = 0, groups = 0;
  int compressed = 0;
  if (n < 2) return 0;
  if (s[0] == ':') {
    if (s[1] != ':') return 0;
    compressed = 1;
    i = 2;
    if (i == n) return 1;
  }
  while (i < n) {
    size_t start = i;
    while (i < n && is_hex(s[i]) && i - start < 4) i++;
    if (i < n && s[i] == '.') {
      size_t end = start;
      while (end < n && s[end] != ':') end++;
      if (end != n || !is_ipv4(s + start, n - start)) return 0;
      groups += 2;
      i = n;
      break;
    }
    if (i == start) return 0;
    groups++;
    if (i == n) break;
    if (s[i] != ':') return 0;
    i++;
    if (i < n && s[i] == ':') {
      if (compressed) return 0;
      compressed = 1;
      i++;
      if (i == n) break;
    } else if (i == n) {
      return 0;
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

static int is_ip_text(const char *s, size_t n, int allow_zone) {
  size_t i;
  if (is_ipv4(s, n)) return 1;
  for (i = 0; i < n; i++) {
    if (s[i] == '%') {
      if (!allow_zone || i + 1 == n) return 0;
      return is_ipv6(s, i);
    }
  }
  return is_ipv6(s, n);
}

/* A CIDR prefix as Go's net.ParseCIDR takes it ("10.0.0.0/8", "::/0"; no zone). */
static int is_cidr_text(const char *s, size_t n) {
  size_t slash, digits, length = 0;
  for (slash = 0; slash < n && s[slash] != '/'; slash++) {
  }
  if (slash == n) return 0;
  digits = n - slash - 1;
  if (digits < 1 || digits > 3) return 0;
  for (size_t i = slash + 1; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    length = length * 10 + (size_t)(s[i] - '0');
  }
  if (is_ipv4(s, slash)) return length <= 32;
  return is_ip_text(s, slash, 0) && length <= 128;
}

static host_nic *find_nic(compute_system *s, const char *id) {
  size_t i;
  for (i = 0; i < s->nic_count; i++) {
    if (strcmp(s->nics[i].id, id) == 0) return &s->nics[i];
  }
  return NULL;
}

static guest_adapter *find_adapter(compute_system *s, const char *id) {
  size_t i;
  for (i = 0; i < s->adapter_count; i++) {
    if (strcmp(s->adapters[i].id, id) == 0) return &s->adapters[i];
  }
  return NULL;
}

static void remove_adapter(compute_system *s, guest_adapter *a) {
  *a = s->adapters[s->adapter_count - 1];
  s->adapter_count--;
}

/* ---- host endpoints the VM may attach to (seeded like HCN) ------------- */

static char (*host_endpoints)[37] = NULL;
static size_t host_endpoint_count = 0;

/* Caller holds systems_lock. */
static int host_endpoint_known(const char *id) {
  size_t i;
  for (i = 0; i < host_endpoint_count; i++) {
    if (strcmp(host_endpoints[i], id) == 0) return 1;
  }
  return 0;
}

/* ---- host NIC requests ------------------------------------------------- */

#define NIC_PATH "VirtualMachine/Devices/NetworkAdapters/"

/* Checks IovSettings: {OffloadWeight?: u32, QueuePairsRequested?: u32,
   InterruptModeration?: mode}, nothing else (hcsshim
   internal/hcs/schema2/iov_settings.go). */
static HRESULT iov_settings(const sj_value *iov, const char *nic_id, char **out) {
  static const char *const allowed[] = {"OffloadWeight", "QueuePairsRequested",
                                        "InterruptModeration", NULL};
  static const char *const modes[] = {"Default", "Adaptive", "Off", "Low", "Medium", "High", NULL};
  const char *extra;
  const sj_value *v;
  size_t i;
  int known = 0;
  if (iov->type != SJ_OBJECT) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.IovSettings must be an object", nic_id);
  }
  extra = unknown_member(iov, allowed);
  if (extra != NULL) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.IovSettings.%.60s is not allowed", nic_id, extra);
  }
  v = sj_get(iov, "OffloadWeight");
  if (v != NULL && !is_integer_in(v, 0, 4294967295.0)) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.IovSettings.OffloadWeight must be a u32", nic_id);
  }
  v = sj_get(iov, "QueuePairsRequested");
  if (v != NULL && !is_integer_in(v, 0, 4294967295.0)) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.IovSettings.QueuePairsRequested must be a u32", nic_id);
  }
  v = sj_get(iov, "InterruptModeration");
  if (v != NULL) {
    for (i = 0; modes[i] != NULL; i++) {
      if (sj_string_is(v, modes[i])) known = 1;
    }
    if (!known) {
      return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.IovSettings.InterruptModeration is not a mode", nic_id);
    }
  }
  return STANDIN_S_OK;
}

/* Checks NIC settings, HCS's NetworkAdapter: {EndpointId?: GUID, MacAddress?:
   MAC, IovSettings?}, nothing else (hcsshim
   internal/hcs/schema2/network_adapter.go). endpoint is "" when absent. */
static HRESULT nic_settings(const sj_value *settings, const char *nic_id, char endpoint[37],
                            char **out) {
  static const char *const allowed[] = {"EndpointId", "MacAddress", "IovSettings", NULL};
  const char *extra;
  const sj_value *mac;
  const sj_value *iov;
  if (settings == NULL || settings->type != SJ_OBJECT) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings must be an object", nic_id);
  }
  extra = unknown_member(settings, allowed);
  if (extra != NULL) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.%.60s is not allowed", nic_id, extra);
  }
  endpoint[0] = '\0';
  if (sj_get(settings, "EndpointId") != NULL && !guid_member(settings, "EndpointId", endpoint)) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.EndpointId must be a GUID", nic_id);
  }
  mac = sj_get(settings, "MacAddress");
  if (mac != NULL && !is_mac(mac)) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.MacAddress must be a MAC address", nic_id);
  }
  iov = sj_get(settings, "IovSettings");
  if (iov != NULL) return iov_settings(iov, nic_id, out);
  return STANDIN_S_OK;
}

static HRESULT check_endpoint(compute_system *s, const char *nic_id, const char *endpoint,
                              char **out) {
  size_t i;
  if (!host_endpoint_known(endpoint)) {
    return failf(out, STANDIN_HCN_E_ENDPOINT_NOT_FOUND,
                 "Cannot attach NIC %s: the endpoint %s was not found", nic_id, endpoint);
  }
  for (i = 0; i < s->nic_count; i++) {
    if (strcmp(s->nics[i].id, nic_id) != 0 && strcmp(s->nics[i].endpoint, endpoint) == 0) {
      return failf(out, STANDIN_HCN_E_ENDPOINT_ALREADY_ATTACHED,
                   "Cannot attach NIC %s: the endpoint %s is attached to NIC %s", nic_id,
                   endpoint, s->nics[i].id);
    }
  }
  return STANDIN_S_OK;
}

static void set_mac(host_nic *nic, const sj_value *settings) {
  const sj_value *mac = sj_get(settings, "MacAddress");
  if (mac != NULL) memcpy(nic->mac, mac->string, 18);
  else nic->mac[0] = '\0';
}

static HRESULT host_nic_request(compute_system *s, const sj_value *path, const sj_value *request,
                                const sj_value *settings, char **out) {
  size_t prefix = strlen(NIC_PATH);
  char nic_id[37];
  char endpoint[37];
  host_nic *nic;
  HRESULT hr;
  if (path->length < prefix || memcmp(path->string, NIC_PATH, prefix) != 0 ||
      !standin_guid_normalize(path->string + prefix, path->length - prefix, nic_id)) {
    return failf(out, STANDIN_E_INVALIDARG, "Invalid ResourcePath \"%.200s\": expected " NIC_PATH "<nic-guid>",
                 path->string);
  }
  nic = find_nic(s, nic_id);
  if (sj_string_is(request, "Add")) {
    hr = nic_settings(settings, nic_id, endpoint, out);
    if (hr < 0) return hr;
    if (endpoint[0] == '\0') {
      return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid settings of NIC %s: Settings.EndpointId: a NIC add needs an endpoint", nic_id);
    }
    if (nic != NULL) {
      return failf(out, STANDIN_ERROR_ALREADY_EXISTS, "Cannot add NIC %s: the VM already has it", nic_id);
    }
    hr = check_endpoint(s, nic_id, endpoint, out);
    if (hr < 0) return hr;
    if (s->nic_count == MAX_NICS) {
      return failf(out, STANDIN_E_OUTOFMEMORY, "Cannot add NIC %s: the VM has no free slot", nic_id);
    }
    nic = &s->nics[s->nic_count++];
    memcpy(nic->id, nic_id, sizeof(nic->id));
    memcpy(nic->endpoint, endpoint, sizeof(nic->endpoint));
    set_mac(nic, settings);
    return STANDIN_S_OK;
  }
  if (sj_string_is(request, "Remove")) {
    if (settings != NULL) {
      hr = nic_settings(settings, nic_id, endpoint, out);
      if (hr < 0) return hr;
    }
    if (nic == NULL) {
      return failf(out, STANDIN_ERROR_NOT_FOUND, "Cannot remove NIC %s: the VM does not have it", nic_id);
    }
    *nic = s->nics[s->nic_count - 1];
    s->nic_count--;
    return STANDIN_S_OK;
  }
  hr = nic_settings(settings, nic_id, endpoint, out);
  if (hr < 0) return hr;
  if (nic == NULL) {
    return failf(out, STANDIN_ERROR_NOT_FOUND, "Cannot update NIC %s: the VM does not have it", nic_id);
  }
  /* An update changes only the fields it carries. */
  if (endpoint[0] != '\0') {
    hr = check_endpoint(s, nic_id, endpoint, out);
    if (hr < 0) return hr;
    memcpy(nic->endpoint, endpoint, sizeof(nic->endpoint));
  }
  if (sj_get(settings, "MacAddress") != NULL) set_mac(nic, settings);
  return STANDIN_S_OK;
}

/* ---- LCOW guest -------------------------------------------------------- */

#define INVALID(what, ...) failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid " what ": " __VA_ARGS__)

static int equal_fold(const char *a, const char *b) {
  for (; *a != '\0' && *b != '\0'; a++, b++) {
    char x = (*a >= 'a' && *a <= 'z') ? (char)(*a - 'a' + 'A') : *a;
    char y = (*b >= 'a' && *b <= 'z') ? (char)(*b - 'a' + 'A') : *b;
    if (x != y) return 0;
  }
  return *a == *b;
}

/* A member as the Linux guest's Go decoder finds it: the last key equal to
   name regardless of (ASCII) case; null leaves the field at its zero value,
   so it counts as absent. Other keys are ignored, as Go ignores them. */
static const sj_value *go_member(const sj_value *object, const char *name) {
  const sj_value *found = NULL;
  size_t i;
  if (object == NULL || object->type != SJ_OBJECT) return NULL;
  for (i = 0; i < object->count; i++) {
    if (equal_fold(object->keys[i], name)) found = object->items[i];
  }
  return found != NULL && found->type == SJ_NULL ? NULL : found;
}

static int go_string(const sj_value *object, const char *name) {
  const sj_value *v = go_member(object, name);
  return v == NULL || v->type == SJ_STRING;
}

static int go_integer(const sj_value *object, const char *name, double high) {
  const sj_value *v = go_member(object, name);
  return v == NULL || is_integer_in(v, 0, high);
}

/* The LCOW network adapter decoded into the guest's types (hcsshim
   guestresource/resources.go: strings, uint8 PrefixLength, uint16 Metric and
   EncapOverhead); what the strings hold is read when the link is configured,
   and the IDs when the adapter is looked up (lcow_network). */
static HRESULT lcow_adapter(const sj_value *settings, char id[37],
                            char namespace_id[NAMESPACE_ID_CAPACITY], char **out) {
  static const char *const strings[] = {"NamespaceID", "ID", "MacAddress", "DNSSuffix",
                                        "DNSServerList", NULL};
  static const char *const booleans[] = {"VPCIAssigned", "PolicyBasedRouting", "EnableLowMetric", NULL};
  const sj_value *v;
  size_t i;
  if (settings == NULL || settings->type != SJ_OBJECT) {
    return INVALID("LCOW network adapter", "GuestRequest.Settings must be an object");
  }
  for (i = 0; strings[i] != NULL; i++) {
    if (!go_string(settings, strings[i])) {
      return INVALID("LCOW network adapter", "GuestRequest.Settings.%s must be a string", strings[i]);
    }
  }
  /* The guest keeps namespaces under their ID lower-cased, any text (absent:
     empty), and finds a NIC's device under the adapter ID lower-cased
     (hcsv2/network.go GetOrAddNetworkNamespace, network.go InstanceIDToName):
     an ID that is not a bare GUID names no NIC, kept here as "". */
  namespace_id[0] = '\0';
  v = go_member(settings, "NamespaceID");
  if (v != NULL) {
    if (v->length >= NAMESPACE_ID_CAPACITY) {
      return failf(out, STANDIN_E_FAIL, "The stand-in keeps LCOW namespace IDs of at most %d bytes",
                   NAMESPACE_ID_CAPACITY - 1);
    }
    for (i = 0; i < v->length; i++) {
      char c = v->string[i];
      namespace_id[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    namespace_id[v->length] = '\0';
  }
  v = go_member(settings, "ID");
  if (v == NULL || !standin_guid_canonical(v->string, v->length, id)) id[0] = '\0';
  for (i = 0; booleans[i] != NULL; i++) {
    v = go_member(settings, booleans[i]);
    if (v != NULL && v->type != SJ_BOOL) {
      return INVALID("LCOW network adapter", "GuestRequest.Settings.%s must be a boolean", booleans[i]);
    }
  }
  if (!go_integer(settings, "EncapOverhead", 65535)) {
    return INVALID("LCOW network adapter", "GuestRequest.Settings.EncapOverhead must be 0..65535");
  }
  v = go_member(settings, "IPConfigs");
  if (v != NULL) {
    if (v->type != SJ_ARRAY) return INVALID("LCOW network adapter", "GuestRequest.Settings.IPConfigs must be an array");
    for (i = 0; i < v->count; i++) {
      const sj_value *ip = v->items[i];
      if (ip->type == SJ_NULL) continue;
      if (ip->type != SJ_OBJECT || !go_string(ip, "IPAddress") || !go_integer(ip, "PrefixLength", 255)) {
        return INVALID("LCOW network adapter", "GuestRequest.Settings.IPConfigs.%zu must be {IPAddress: string, PrefixLength: 0..255}", i);
      }
    }
  }
  v = go_member(settings, "Routes");
  if (v != NULL) {
    if (v->type != SJ_ARRAY) return INVALID("LCOW network adapter", "GuestRequest.Settings.Routes must be an array");
    for (i = 0; i < v->count; i++) {
      const sj_value *route = v->items[i];
      if (route->type == SJ_NULL) continue;
      if (route->type != SJ_OBJECT || !go_string(route, "NextHop") ||
          !go_string(route, "DestinationPrefix") || !go_integer(route, "Metric", 65535)) {
        return INVALID("LCOW network adapter", "GuestRequest.Settings.Routes.%zu must be {NextHop: string, DestinationPrefix: string, Metric: 0..65535}", i);
      }
    }
  }
  return STANDIN_S_OK;
}

/* A string member's text, "" when absent. */
static const char *go_text(const sj_value *object, const char *name, size_t *length) {
  const sj_value *v = go_member(object, name);
  *length = v == NULL ? 0 : v->length;
  return v == NULL ? "" : v->string;
}

static int text_is(const char *s, size_t n, const char *literal) {
  return strlen(literal) == n && memcmp(s, literal, n) == 0;
}

/* What the Linux guest does with the adapter's MTU, addresses and routes when
   it configures the link (hcsshim internal/guest/network/netns.go NetNSConfig,
   configureLink), as far as it can fail; 0 when it would not, else why in
   `why`. A next hop it cannot parse is no failure: the route goes in without
   a gateway. */
static int link_failure(const sj_value *settings, char *why, size_t capacity) {
  const sj_value *v = go_member(settings, "EncapOverhead");
  const sj_value *list;
  long overhead = v == NULL ? 0 : (long)v->number;
  long mtu = 1500 - overhead;
  size_t i;
  if (overhead != 0 && mtu < 68) {
    snprintf(why, capacity, "netlink.LinkSetMTU to %ld failed: invalid argument", mtu);
    return 1;
  }
  list = go_member(settings, "IPConfigs");
  for (i = 0; list != NULL && i < list->count; i++) {
    char text[128];
    size_t n;
    const char *address = go_text(list->items[i], "IPAddress", &n);
    const sj_value *prefix = go_member(list->items[i], "PrefixLength");
    int written = snprintf(text, sizeof(text), "%.*s/%ld", (int)(n < 100 ? n : 100), address,
                           prefix == NULL ? 0L : (long)prefix->number);
    if (n >= 100 || written < 0 || !is_cidr_text(text, (size_t)written)) {
      snprintf(why, capacity, "parsing address %s failed: invalid CIDR address", text);
      return 1;
    }
    if (overhead != 0 && mtu < 1280 && !is_ipv4(address, n)) {
      snprintf(why, capacity, "netlink.AddrAdd of %s failed: the link's MTU %ld is below IPv6's 1280", text, mtu);
      return 1;
    }
  }
  list = go_member(settings, "Routes");
  for (i = 0; list != NULL && i < list->count; i++) {
    size_t dn, gn;
    const char *dst = go_text(list->items[i], "DestinationPrefix", &dn);
    const char *gw = go_text(list->items[i], "NextHop", &gn);
    int is_default = text_is(dst, dn, "0.0.0.0/0") || text_is(dst, dn, "::/0");
    /* A default route through 0.0.0.0 or :: means "no gateway": skipped. */
    if (is_default && (text_is(gw, gn, "0.0.0.0") || text_is(gw, gn, "::"))) continue;
    if (!is_default && !is_cidr_text(dst, dn)) {
      snprintf(why, capacity, "route %zu: parsing route dst address %.*s failed", i, (int)(dn < 100 ? dn : 100), dst);
      return 1;
    }
    if (is_default && !is_ip_text(gw, gn, 0)) {
      snprintf(why, capacity, "route %zu: gw and destination cannot both be nil", i);
      return 1;
    }
  }
  return 0;
}

static HRESULT require_vm_nic(compute_system *s, const char *nic_id, char **out) {
  if (find_nic(s, nic_id) != NULL) return STANDIN_S_OK;
  return failf(out, STANDIN_ERROR_NOT_FOUND,
               "Cannot add adapter %s in the guest: the VM has no NIC %s", nic_id, nic_id);
}

static int is_blank(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Adds the search domains of a DNSSuffix to a set as the Linux guest reads
   them: split on commas, each trimmed and lower-cased (ASCII here), a blank
   entry kept (hcsshim internal/guest/runtime/hcsv2/network.go dnsConfig).
   Returns 0 when the set would grow past MAX_DNS_SEARCHES. */
static int add_searches(const sj_value *suffix, char set[][DNS_NAME_CAPACITY], size_t *count) {
  size_t start = 0;
  if (suffix == NULL || suffix->length == 0) return 1;
  for (;;) {
    size_t end = start, first, last, n, k;
    char name[DNS_NAME_CAPACITY];
    int known = 0;
    while (end < suffix->length && suffix->string[end] != ',') end++;
    first = start;
    last = end;
    while (first < last && is_blank(suffix->string[first])) first++;
    while (last > first && is_blank(suffix->string[last - 1])) last--;
    n = last - first < DNS_NAME_CAPACITY - 1 ? last - first : DNS_NAME_CAPACITY - 1;
    for (k = 0; k < n; k++) {
      char c = suffix->string[first + k];
      name[k] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    name[n] = '\0';
    for (k = 0; k < *count; k++) {
      if (strcmp(set[k], name) == 0) known = 1;
    }
    if (!known) {
      if (*count == MAX_DNS_SEARCHES) return 0;
      memcpy(set[(*count)++], name, n + 1);
    }
    if (end == suffix->length) return 1;
    start = end + 1;
  }
}

static HRESULT lcow_network(compute_system *s, const sj_value *request, const sj_value *settings,
                            char **out) {
  char nic_id[37];
  char namespace_id[NAMESPACE_ID_CAPACITY];
  char all[MAX_DNS_SEARCHES][DNS_NAME_CAPACITY];
  size_t all_count = 0, i;
  char why[256];
  guest_adapter *adapter;
  HRESULT hr;
  /* hcsv2/uvm.go modifyNetwork takes Add and Remove only; anything else is a
     plain error, answered with E_FAIL. */
  if (sj_string_is(request, "Update")) {
    return failf(out, STANDIN_E_FAIL, "the RequestType \"Update\" is not supported");
  }
  hr = lcow_adapter(settings, nic_id, namespace_id, out);
  if (hr < 0) return hr;
  if (sj_string_is(request, "Remove")) {
    /* hcsv2/uvm.go: a Remove for an unknown namespace succeeds; hcsv2/network.go
       RemoveAdapter: so does one for an adapter the namespace does not hold. */
    adapter = nic_id[0] == '\0' ? NULL : find_adapter(s, nic_id);
    if (adapter != NULL && strcmp(adapter->namespace_id, namespace_id) == 0) {
      remove_adapter(s, adapter);
    }
    return STANDIN_S_OK;
  }
  /* hcsv2/network.go AddAdapter: "already present in namespace", no HRESULT. */
  if (nic_id[0] != '\0' && find_adapter(s, nic_id) != NULL) {
    return failf(out, STANDIN_E_FAIL,
                 "Cannot add adapter %s in the guest: it is already present", nic_id);
  }
  /* Then the NIC's device is looked for (internal/guest/network/network.go
     InstanceIDToName, up to 5 s; not waited here): a NIC the VM lacks fails
     with the generic E_FAIL before anything is recorded. */
  if (nic_id[0] == '\0' || find_nic(s, nic_id) == NULL) {
    return failf(out, STANDIN_E_FAIL,
                 "Cannot add adapter in the guest: timed out waiting for its device: "
                 "the VM has no NIC of that ID");
  }
  /* The namespace's resolv.conf: the unique search domains of all its adapters,
     at most 6 (internal/guest/network/network.go GenerateResolvConfContent). */
  for (i = 0; i < s->adapter_count; i++) {
    size_t k;
    if (strcmp(s->adapters[i].namespace_id, namespace_id) != 0) continue;
    for (k = 0; k < s->adapters[i].dns_count; k++) {
      size_t m;
      int known = 0;
      for (m = 0; m < all_count; m++) {
        if (strcmp(all[m], s->adapters[i].dns[k]) == 0) known = 1;
      }
      if (!known) memcpy(all[all_count++], s->adapters[i].dns[k], DNS_NAME_CAPACITY);
    }
  }
  if (!add_searches(go_member(settings, "DNSSuffix"), all, &all_count)) {
    return failf(out, STANDIN_E_FAIL,
                 "Cannot add adapter %s in the guest: namespace %s: searches has more than %d domains",
                 nic_id, namespace_id, MAX_DNS_SEARCHES);
  }
  adapter = &s->adapters[s->adapter_count++];
  memcpy(adapter->id, nic_id, sizeof(adapter->id));
  memcpy(adapter->namespace_id, namespace_id, sizeof(adapter->namespace_id));
  adapter->state = ADAPTER_ATTACHED;
  adapter->dns_count = 0;
  add_searches(go_member(settings, "DNSSuffix"), adapter->dns, &adapter->dns_count);
  /* AddAdapter recorded it; Sync configures the link (netns.go), and a
     failure there leaves the record, which only a Remove clears. */
  if (link_failure(settings, why, sizeof(why))) {
    return failf(out, STANDIN_E_FAIL, "Cannot add adapter %s in the guest: %s", nic_id, why);
  }
  return STANDIN_S_OK;
}

/* ---- WCOW guest -------------------------------------------------------- */

static HRESULT wcow_namespace(compute_system *s, const sj_value *request, const sj_value *settings,
                              char **out) {
  char id[37];
  size_t i;
  if (settings == NULL || settings->type != SJ_OBJECT || !guid_member(settings, "ID", id)) {
    return INVALID("WCOW namespace document", "GuestRequest.Settings.ID must be a GUID");
  }
  for (i = 0; i < s->namespace_count; i++) {
    if (strcmp(s->namespaces[i], id) == 0) break;
  }
  if (sj_string_is(request, "Add")) {
    if (i < s->namespace_count) {
      return failf(out, STANDIN_HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS,
                   "Cannot add namespace %s in the guest: it already exists", id);
    }
    if (s->namespace_count == MAX_NAMESPACES) {
      return failf(out, STANDIN_E_OUTOFMEMORY, "Cannot add namespace %s: too many namespaces", id);
    }
    memcpy(s->namespaces[s->namespace_count++], id, 37);
    return STANDIN_S_OK;
  }
  if (i == s->namespace_count) {
    return failf(out, STANDIN_ERROR_NOT_FOUND, "Cannot remove namespace %s in the guest: it does not exist", id);
  }
  memcpy(s->namespaces[i], s->namespaces[s->namespace_count - 1], 37);
  s->namespace_count--;
  return STANDIN_S_OK;
}

static HRESULT wcow_network(compute_system *s, const sj_value *request, const sj_value *settings,
                            char **out) {
  static const char *const allowed[] = {"AdapterId", "RequestType", "Settings", NULL};
  char nic_id[37];
  char endpoint_id[37];
  const sj_value *inner, *document;
  guest_adapter *adapter;
  HRESULT hr;
  const char *what = sj_string_is(request, "Remove") ? "WCOW network remove" : "WCOW network add";
  if (settings == NULL || settings->type != SJ_OBJECT || unknown_member(settings, allowed) != NULL) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid %s: GuestRequest.Settings must be {AdapterId, RequestType, Settings?}", what);
  }
  if (!guid_member(settings, "AdapterId", nic_id)) {
    return failf(out, STANDIN_HCS_E_INVALID_JSON, "Invalid %s: GuestRequest.Settings.AdapterId must be a GUID", what);
  }
  inner = sj_get(settings, "RequestType");
  document = sj_get(settings, "Settings");
  adapter = find_adapter(s, nic_id);
  if (sj_string_is(request, "Remove")) {
    if (!sj_string_is(inner, "Remove")) {
      return INVALID("WCOW network remove", "GuestRequest.Settings.RequestType must be Remove");
    }
    if (adapter == NULL) {
      return failf(out, STANDIN_ERROR_NOT_FOUND,
                   "Cannot remove adapter %s in the guest: it was neither pre-added nor added", nic_id);
    }
    remove_adapter(s, adapter);
    return STANDIN_S_OK;
  }
  if (sj_string_is(inner, "PreAdd")) {
    if (document == NULL || document->type != SJ_OBJECT || !guid_member(document, "ID", endpoint_id)) {
      return INVALID("WCOW network add", "GuestRequest.Settings.Settings must be the HCN endpoint document with a GUID ID");
    }
    if (adapter != NULL) {
      return failf(out, STANDIN_HCN_E_ENDPOINT_ALREADY_ATTACHED,
                   "Cannot pre-add adapter %s in the guest: it is already %s", nic_id,
                   adapter->state == ADAPTER_ATTACHED ? "added" : "preadded");
    }
    adapter = &s->adapters[s->adapter_count++];
    memcpy(adapter->id, nic_id, sizeof(adapter->id));
    if (!guid_member(document, "HostComputeNamespace", adapter->namespace_id)) {
      adapter->namespace_id[0] = '\0';
    }
    adapter->state = ADAPTER_PREPARED;
    adapter->dns_count = 0;
    return STANDIN_S_OK;
  }
  if (!sj_string_is(inner, "Add")) {
    return INVALID("WCOW network add", "GuestRequest.Settings.RequestType must be PreAdd or Add");
  }
  if (adapter == NULL) {
    return failf(out, STANDIN_ERROR_NOT_FOUND, "Cannot add adapter %s in the guest: it was not pre-added", nic_id);
  }
  if (adapter->state == ADAPTER_ATTACHED) {
    return failf(out, STANDIN_HCN_E_ENDPOINT_ALREADY_ATTACHED,
                 "Cannot add adapter %s in the guest: it is already added", nic_id);
  }
  hr = require_vm_nic(s, nic_id, out);
  if (hr < 0) return hr;
  adapter->state = ADAPTER_ATTACHED;
  return STANDIN_S_OK;
}

static HRESULT guest_request(compute_system *s, const sj_value *type, const sj_value *request,
                             const sj_value *settings, char **out) {
  int network = sj_string_is(type, "Network");
  int ns = sj_string_is(type, "NetworkNamespace");
  if (s->connection == GUEST_CLOSED) {
    return failf(out, STANDIN_HCS_E_CONNECTION_CLOSED,
                 "Cannot send %.60s %.20s to the guest: the guest connection is closed",
                 type->string, request->string);
  }
  if (s->connection == GUEST_NEVER) {
    return failf(out, STANDIN_HCS_E_CONNECT_FAILED,
                 "Cannot send %.60s %.20s to the guest: the guest connection was never made",
                 type->string, request->string);
  }
  /* Without the namespace capability a guest refuses namespace requests, and an
     LCOW guest also its NIC requests; a WCOW guest still takes its NICs. */
  if ((!network && !ns) || (!s->wcow && ns) || (!s->namespace_supported && (ns || !s->wcow))) {
    return failf(out, STANDIN_HCS_E_UNKNOWN_MESSAGE, "The %s guest does not support %.60s requests",
                 s->wcow ? "WCOW" : "LCOW", type->string);
  }
  if (!s->wcow) return lcow_network(s, request, settings, out);
  if (sj_string_is(request, "Update")) {
    return failf(out, STANDIN_E_NOTIMPL, "The stand-in guest does not model %.60s Update", type->string);
  }
  if (network && s->adapter_count == MAX_NICS && !sj_string_is(request, "Remove")) {
    return failf(out, STANDIN_E_OUTOFMEMORY, "Too many guest adapters");
  }
  if (ns) return wcow_namespace(s, request, settings, out);
  return wcow_network(s, request, settings, out);
}

static int is_request_type(const sj_value *v) {
  return sj_string_is(v, "Add") || sj_string_is(v, "Remove") || sj_string_is(v, "Update");
}

/* A host request that carries a GuestRequest too, applied as one (hcsshim's
   legacy path: internal/uvm/network.go addNIC, removeNIC): the NIC before its
   guest adapter on an Add, after it on a Remove; when either part fails,
   neither is applied. */
static HRESULT combined_request(compute_system *s, const sj_value *path, const sj_value *request,
                                const sj_value *settings, const sj_value *type,
                                const sj_value *kind, const sj_value *guest_settings, char **out) {
  compute_system *before = malloc(sizeof(*before));
  HRESULT hr;
  if (before == NULL) return failf(out, STANDIN_E_OUTOFMEMORY, "Out of memory");
  memcpy(before, s, sizeof(*before));
  if (sj_string_is(request, "Remove")) {
    hr = guest_request(s, type, kind, guest_settings, out);
    if (hr >= 0) hr = host_nic_request(s, path, request, settings, out);
  } else {
    hr = host_nic_request(s, path, request, settings, out);
    if (hr >= 0) hr = guest_request(s, type, kind, guest_settings, out);
  }
  if (hr < 0) memcpy(s, before, sizeof(*before));
  free(before);
  return hr;
}

/* Checks the ModifySettingRequest shape and runs it; caller holds systems_lock. */
static HRESULT modify_request(compute_system *s, const sj_value *doc, char **out) {
  static const char *const allowed[] = {"ResourcePath", "RequestType", "Settings", "GuestRequest", NULL};
  static const char *const guest_allowed[] = {"ResourceType", "RequestType", "Settings", NULL};
  /* hcsshim's legacy WCOW NIC remove sends no ResourceType beside the NIC's
     ResourcePath (internal/uvm/network.go removeNIC). */
  static char network_name[] = "Network";
  static const sj_value network = {SJ_STRING, 0, 0, network_name, 7, NULL, NULL, 0};
  const sj_value *path = sj_get(doc, "ResourcePath");
  const sj_value *request = sj_get(doc, "RequestType");
  const sj_value *settings = sj_get(doc, "Settings");
  const sj_value *guest = sj_get(doc, "GuestRequest");
  const sj_value *type = NULL;
  const sj_value *kind = NULL;
  const char *extra = unknown_member(doc, allowed);
  if (extra != NULL) return INVALID("configuration", "document.%.60s is not allowed", extra);
  if (path != NULL && path->type != SJ_STRING) return INVALID("configuration", "document.ResourcePath must be a string");
  if (request != NULL && !is_request_type(request)) {
    return INVALID("configuration", "document.RequestType must be Add, Remove or Update");
  }
  if (guest != NULL) {
    if (guest->type != SJ_OBJECT || unknown_member(guest, guest_allowed) != NULL) {
      return INVALID("configuration", "document.GuestRequest must be {ResourceType, RequestType, Settings?}");
    }
    type = sj_get(guest, "ResourceType");
    kind = sj_get(guest, "RequestType");
    if (type != NULL && type->type != SJ_STRING) {
      return INVALID("configuration", "document.GuestRequest.ResourceType must be a string");
    }
    if (!is_request_type(kind)) {
      return INVALID("configuration", "document.GuestRequest.RequestType must be Add, Remove or Update");
    }
    if (path == NULL && request == NULL && settings == NULL) {
      if (type == NULL) return INVALID("configuration", "document.GuestRequest.ResourceType: required");
      return guest_request(s, type, kind, sj_get(guest, "Settings"), out);
    }
  }
  if (path == NULL || request == NULL) {
    return INVALID("configuration", "it needs a ResourcePath and RequestType, or a GuestRequest");
  }
  if (guest == NULL) return host_nic_request(s, path, request, settings, out);
  return combined_request(s, path, request, settings, type != NULL ? type : &network, kind,
                          sj_get(guest, "Settings"), out);
}

static int only_space(const char *text, size_t length) {
  size_t i;
  for (i = 0; i < length; i++) {
    if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') return 0;
  }
  return 1;
}

/* ---- entry points ------------------------------------------------------ */

HRESULT standin_hcs_error(char **record, HRESULT hr, const char *message) {
  sj_buffer b = {0};
  if (record == NULL || *record != NULL) return hr; /* keep the first record */
  sj_append_text(&b, "{\"Error\":");
  sj_append_int(&b, (long long)hr);
  sj_append_text(&b, ",\"ErrorMessage\":");
  sj_append_string(&b, message, strlen(message));
  sj_append_text(&b, ",\"ErrorEvents\":[{\"Message\":");
  sj_append_string(&b, message, strlen(message));
  sj_append_text(&b,
                 ",\"Provider\":\"17103e3f-3c6e-4677-bb17-3b267eb5be57\",\"EventId\":12345,"
                 "\"Source\":\"HCS stand-in\"}]}");
  if (!b.failed) {
    *record = b.data;
    b.data = NULL;
  }
  sj_buffer_free(&b);
  return hr;
}



HRESULT standin_hcs_open(const char *text, size_t length, char key[STANDIN_ID_CAPACITY],
                         char **record) {
  compute_system *s;
  if (!lower_id(text, length, key)) {
    return failf(record, STANDIN_E_INVALIDARG, "The ID must be 1..127 characters");
  }
  standin_lock_acquire(&systems_lock);
  s = find_system(key);
  if (s != NULL && s->stopped) s = NULL;
  standin_lock_release(&systems_lock);
  if (s == NULL) {
    return failf(record, STANDIN_HCS_E_SYSTEM_NOT_FOUND, "The compute system %s was not found",
                 key);
  }
  return STANDIN_S_OK;
}

HRESULT standin_hcs_check_running(const char *key, char **record) {
  compute_system *s;
  HRESULT hr = STANDIN_S_OK;
  standin_lock_acquire(&systems_lock);
  s = find_system(key);
  if (s == NULL || s->stopped) {
    hr = failf(record, STANDIN_HCS_E_SYSTEM_ALREADY_STOPPED,
               "The compute system %s is already stopped", key);
  }
  standin_lock_release(&systems_lock);
  return hr;
}

HRESULT standin_hcs_modify(const char *key, const char *text, size_t length, char **record) {
  char error[160];
  sj_value *doc = sj_parse(text, length, error, sizeof(error));
  compute_system *s;
  HRESULT hr;
  standin_lock_acquire(&systems_lock);
  s = find_system(key);
  if (s == NULL || s->stopped) {
    hr = failf(record, STANDIN_HCS_E_SYSTEM_ALREADY_STOPPED,
               "The compute system %s is already stopped", key);
  } else if (doc == NULL) {
    hr = failf(record, STANDIN_HCS_E_INVALID_JSON, "The configuration is not JSON: %s", error);
  } else if (doc->type != SJ_OBJECT) {
    hr = failf(record, STANDIN_HCS_E_INVALID_JSON,
               "Invalid configuration: document must be an object");
  } else {
    hr = modify_request(s, doc, record);
  }
  standin_lock_release(&systems_lock);
  sj_free(doc);
  return hr;
}

HRESULT standin_hcs_properties(const char *key, const char *text, size_t length,
                               char **properties, char **record) {
  char error[160];
  size_t i;
  sj_value *doc = NULL;
  sj_buffer b = {0};
  int guest_connection = 0;
  compute_system *s;
  HRESULT hr = STANDIN_S_OK;
  if (!only_space(text, length)) {
    static const char *const allowed[] = {"PropertyTypes", NULL};
    const sj_value *types;
    doc = sj_parse(text, length, error, sizeof(error));
    if (doc == NULL) {
      return failf(record, STANDIN_HCS_E_INVALID_JSON, "The query is not JSON: %s", error);
    }
    types = sj_get(doc, "PropertyTypes");
    if (doc->type != SJ_OBJECT || unknown_member(doc, allowed) != NULL ||
        (types != NULL && types->type != SJ_ARRAY)) {
      hr = failf(record, STANDIN_HCS_E_INVALID_JSON,
                 "Invalid property query: it must be {PropertyTypes?: string[]}");
      goto done;
    }
    for (i = 0; types != NULL && i < types->count; i++) {
      if (types->items[i]->type != SJ_STRING) {
        hr = failf(record, STANDIN_HCS_E_INVALID_JSON,
                   "Invalid property query: query.PropertyTypes.%zu must be a string", i);
        goto done;
      }
    }
    for (i = 0; types != NULL && i < types->count; i++) {
      if (sj_string_is(types->items[i], "GuestConnection")) {
        guest_connection = 1;
      } else {
        hr = failf(record, STANDIN_E_INVALIDARG,
                   "The stand-in does not answer property type %.80s", types->items[i]->string);
        goto done;
      }
    }
  }
  standin_lock_acquire(&systems_lock);
  s = find_system(key);
  if (s == NULL || s->stopped) {
    hr = failf(record, STANDIN_HCS_E_SYSTEM_ALREADY_STOPPED,
               "The compute system %s is already stopped", key);
  } else {
    sj_append_text(&b, "{\"Id\":");
    sj_append_string(&b, s->id, strlen(s->id));
    if (guest_connection && s->connection == GUEST_CONNECTED) {
      sj_append_text(&b,
                     ",\"GuestConnectionInfo\":{\"SupportedSchemaVersions\":[{\"Major\":2,"
                     "\"Minor\":1}],\"ProtocolVersion\":4,\"GuestDefinedCapabilities\":{"
                     "\"NamespaceAddRequestSupported\":");
      sj_append_text(&b, s->namespace_supported ? "true" : "false");
      sj_append_text(&b, "}}");
    }
    sj_append_text(&b, "}");
  }
  standin_lock_release(&systems_lock);
  if (hr < 0) goto done;
  if (b.failed) {
    hr = failf(record, STANDIN_E_OUTOFMEMORY, "Out of memory");
    goto done;
  }
  *properties = b.data;
  b.data = NULL;
done:
  sj_buffer_free(&b);
  sj_free(doc);
  return hr;
}

/* ---- test controls ----------------------------------------------------- */

/* Adds a running utility VM. platform is "lcow" or "wcow"; the guest is
   connected and declares NamespaceAddRequestSupported as given. Returns 0, or
   -1 for a bad argument or a duplicate ID. */
STANDIN_EXPORT int32_t HcsStandinAddSystem(const char *id, const char *platform,
                                           int32_t namespace_supported) {
  char key[STANDIN_ID_CAPACITY];
  compute_system *s;
  compute_system **grown;
  int wcow;
  if (id == NULL || platform == NULL || !lower_id(id, strlen(id), key)) return -1;
  if (strcmp(platform, "lcow") == 0) wcow = 0;
  else if (strcmp(platform, "wcow") == 0) wcow = 1;
  else return -1;
  s = calloc(1, sizeof(compute_system));
  if (s == NULL) return -1;
  memcpy(s->id, key, sizeof(key));
  s->wcow = wcow;
  s->namespace_supported = namespace_supported != 0;
  standin_lock_acquire(&systems_lock);
  if (find_system(key) != NULL) {
    standin_lock_release(&systems_lock);
    free(s);
    return -1;
  }
  grown = realloc(systems, (system_count + 1) * sizeof(compute_system *));
  if (grown == NULL) {
    standin_lock_release(&systems_lock);
    free(s);
    return -1;
  }
  systems = grown;
  systems[system_count++] = s;
  standin_lock_release(&systems_lock);
  return 0;
}

/* Declares a host endpoint NICs may attach to (the VM checks EndpointId
   against these, as HCS checks it against HNS). Returns 0, or -1 for a bad
   GUID. */
STANDIN_EXPORT int32_t HcsStandinAddHostEndpoint(const char *id) {
  char key[37];
  char (*grown)[37];
  if (id == NULL || !standin_guid_normalize(id, strlen(id), key)) return -1;
  standin_lock_acquire(&systems_lock);
  if (!host_endpoint_known(key)) {
    grown = realloc(host_endpoints, (host_endpoint_count + 1) * sizeof(*host_endpoints));
    if (grown == NULL) {
      standin_lock_release(&systems_lock);
      return -1;
    }
    host_endpoints = grown;
    memcpy(host_endpoints[host_endpoint_count++], key, sizeof(key));
  }
  standin_lock_release(&systems_lock);
  return 0;
}

/* Sets the guest connection: 0 connected, 1 closed (the guest agent went
   away), 2 never made. Returns 0, or -1 for an unknown system. */
STANDIN_EXPORT int32_t HcsStandinSetGuestConnection(const char *id, int32_t state) {
  char key[STANDIN_ID_CAPACITY];
  compute_system *s;
  if (id == NULL || !lower_id(id, strlen(id), key) || state < 0 || state > 2) return -1;
  standin_lock_acquire(&systems_lock);
  s = find_system(key);
  if (s != NULL) s->connection = state;
  standin_lock_release(&systems_lock);
  return s == NULL ? -1 : 0;
}

/* Stops the VM: its NICs and guest state go with it; open handles stay open
   and later calls on them fail with HCS_E_SYSTEM_ALREADY_STOPPED. */
STANDIN_EXPORT int32_t HcsStandinStopSystem(const char *id) {
  char key[STANDIN_ID_CAPACITY];
  compute_system *s;
  if (id == NULL || !lower_id(id, strlen(id), key)) return -1;
  standin_lock_acquire(&systems_lock);
  s = find_system(key);
  if (s != NULL) {
    s->stopped = 1;
    s->nic_count = 0;
    s->adapter_count = 0;
    s->namespace_count = 0;
  }
  standin_lock_release(&systems_lock);
  return s == NULL ? -1 : 0;
}

/* Writes the VM's state as JSON ({"Id","Stopped","Nics":[{"Id","EndpointId",
   "MacAddress"}],"GuestAdapters":[{"Id","NamespaceId","State"}],
   "GuestNamespaces":[...]}) and returns its full length; 0 when unknown. */
STANDIN_EXPORT size_t HcsStandinSystemState(const char *id, char *buffer, size_t capacity) {
  char key[STANDIN_ID_CAPACITY];
  compute_system *s;
  sj_buffer b = {0};
  size_t i, length;
  if (id == NULL || !lower_id(id, strlen(id), key)) return 0;
  standin_lock_acquire(&systems_lock);
  s = find_system(key);
  if (s != NULL) {
    sj_append_text(&b, "{\"Id\":");
    sj_append_string(&b, s->id, strlen(s->id));
    sj_append_text(&b, s->stopped ? ",\"Stopped\":true" : ",\"Stopped\":false");
    sj_append_text(&b, ",\"Nics\":[");
    for (i = 0; i < s->nic_count; i++) {
      if (i > 0) sj_append_text(&b, ",");
      sj_append_text(&b, "{\"Id\":");
      sj_append_string(&b, s->nics[i].id, 36);
      sj_append_text(&b, ",\"EndpointId\":");
      sj_append_string(&b, s->nics[i].endpoint, 36);
      sj_append_text(&b, ",\"MacAddress\":");
      sj_append_string(&b, s->nics[i].mac, strlen(s->nics[i].mac));
      sj_append_text(&b, "}");
    }
    sj_append_text(&b, "],\"GuestAdapters\":[");
    for (i = 0; i < s->adapter_count; i++) {
      if (i > 0) sj_append_text(&b, ",");
      sj_append_text(&b, "{\"Id\":");
      sj_append_string(&b, s->adapters[i].id, 36);
      sj_append_text(&b, ",\"NamespaceId\":");
      sj_append_string(&b, s->adapters[i].namespace_id, strlen(s->adapters[i].namespace_id));
      sj_append_text(&b, s->adapters[i].state == ADAPTER_ATTACHED ? ",\"State\":\"Attached\"}"
                                                                   : ",\"State\":\"Prepared\"}");
    }
    sj_append_text(&b, "],\"GuestNamespaces\":[");
    for (i = 0; i < s->namespace_count; i++) {
      if (i > 0) sj_append_text(&b, ",");
      sj_append_string(&b, s->namespaces[i], 36);
    }
    sj_append_text(&b, "]}");
  }
  standin_lock_release(&systems_lock);
  if (s == NULL || b.failed) {
    sj_buffer_free(&b);
    return 0;
  }
  length = b.length;
  if (buffer != NULL) memcpy(buffer, b.data, length < capacity ? length : capacity);
  sj_buffer_free(&b);
  return length;
}
