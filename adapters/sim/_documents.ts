import { z } from "zod";
import { normalizeGuid } from "../../domain/guid.ts";
import { INTERRUPT_MODERATIONS } from "../../domain/iov.ts";
import { compiledSchema } from "../_compiled_schema.ts";
import { foldKeys, isJsonObject, type KeyTable, keyTable } from "../_fold_keys.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";

/** A GUID in any case, braces allowed; parsed to lower case without braces. */
export const guidSchema = z.string().transform((s, ctx) => {
  const id = normalizeGuid(s);
  if (id === undefined) {
    ctx.issues.push({ code: "custom", message: "must be a GUID", input: s });
    return z.NEVER;
  }
  return id;
});

const macSchema = z.string().regex(
  /^[0-9A-Fa-f]{2}([-:])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/,
  "must be a MAC address",
);
const u16Schema = z.int().min(0).max(65535);
const requestTypeSchema = z.enum(["Add", "Remove", "Update"]);

/** The HcsModifyComputeSystem document (ModifySettingRequest), strict. */
export const modifyDocumentSchema = compiledSchema(
  "sim modifyDocumentSchema",
  z.strictObject({
    ResourcePath: z.string().optional(),
    RequestType: requestTypeSchema.optional(),
    Settings: z.unknown().optional(),
    GuestRequest: z.strictObject({
      // Optional only beside a ResourcePath: hcsshim's legacy WCOW NIC remove
      // sends a GuestRequest without one (internal/uvm/network.go removeNIC).
      ResourceType: z.string().optional(),
      RequestType: requestTypeSchema,
      Settings: z.unknown().optional(),
    }).optional(),
  }),
);

const u32Schema = z.int().min(0).max(0xffff_ffff);

/**
 * A NIC's SR-IOV settings, every field optional, numbers unsigned 32-bit
 * (hcsshim internal/hcs/schema2/iov_settings.go: `*uint32`, `*uint32`,
 * `*InterruptModerationName`).
 */
export const iovSettingsSchema = z.strictObject({
  OffloadWeight: u32Schema.optional(),
  QueuePairsRequested: u32Schema.optional(),
  InterruptModeration: z.enum(INTERRUPT_MODERATIONS).optional(),
});

/**
 * Settings of a VM NIC request: HCS's NetworkAdapter, every field optional
 * (hcsshim internal/hcs/schema2/network_adapter.go: `EndpointId`,
 * `MacAddress`, `IovSettings`, all `omitempty`). Which request needs which
 * field is checked by the request (`_vm_nics.ts`).
 */
export const vmNicSettingsSchema = compiledSchema(
  "sim vmNicSettingsSchema",
  z.strictObject({
    EndpointId: guidSchema.optional(),
    MacAddress: macSchema.optional(),
    IovSettings: iovSettingsSchema.optional(),
  }),
);

const ADAPTER_KEYS = keyTable([
  "NamespaceID",
  "ID",
  "MacAddress",
  "DNSSuffix",
  "DNSServerList",
  "EncapOverhead",
  "VPCIAssigned",
  "IPConfigs",
  "Routes",
  "PolicyBasedRouting",
  "EnableLowMetric",
]);
const IP_CONFIG_KEYS = keyTable(["IPAddress", "PrefixLength"]);
const ROUTE_KEYS = keyTable(["NextHop", "DestinationPrefix", "Metric"]);

/** One object level as Go decodes it into a struct: keys folded, a `null` member left at its zero value. */
function goLevel(value: JsonObject, table: KeyTable): JsonObject {
  const folded = foldKeys(value, table);
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(folded)) {
    if (item !== null) Object.defineProperty(out, key, { value: item, enumerable: true });
  }
  return out;
}

function goList(value: JsonValue | undefined, table: KeyTable): JsonValue | undefined {
  if (!Array.isArray(value)) return value;
  return value.map((item) => item === null ? {} : isJsonObject(item) ? goLevel(item, table) : item);
}

/**
 * The LCOW adapter settings as the Linux guest's Go decoder sees them (keys
 * matched regardless of case, the last spelling winning; `null` members and
 * elements at their zero value), ready for `lcowAdapterSchema`. Anything
 * that is not an object is left for the schema to refuse.
 */
export function goLcowAdapter(settings: unknown): unknown {
  if (!isJsonObject(settings as JsonValue)) return settings;
  const adapter = goLevel(settings as JsonObject, ADAPTER_KEYS);
  const ipConfigs = goList(adapter.IPConfigs, IP_CONFIG_KEYS);
  const routes = goList(adapter.Routes, ROUTE_KEYS);
  return {
    ...adapter,
    ...(ipConfigs === undefined ? {} : { IPConfigs: ipConfigs }),
    ...(routes === undefined ? {} : { Routes: routes }),
  };
}

/**
 * An LCOW guest network adapter: the Settings of a Network Add and Remove,
 * with the types the guest decodes them into (hcsshim internal/protocol/
 * guestresource/resources.go LCOWNetworkAdapter, LCOWIPConfig, LCOWRoute:
 * strings, uint8 `PrefixLength`, uint16 `Metric` and `EncapOverhead`, every
 * field `omitempty`; other fields ignored, as Go's decoder ignores them). A
 * value of the wrong type fails the decode
 * (HCS_E_INVALID_JSON, as the guest's UnmarshalJSONWithHresult answers).
 * What the strings hold is not checked here: the guest reads addresses and
 * prefixes only when it configures the link (`_guest.ts`, after netns.go),
 * where one it cannot parse fails the add or, for a `NextHop`, drops the
 * gateway. The adapter and namespace IDs are strings like the rest (absent:
 * empty, Go's zero value): the guest keeps namespaces under any ID, lower-
 * cased, and looks the NIC's device up by the adapter ID lower-cased, so an
 * ID that names no NIC of the VM fails the add there (`_guest.ts`).
 */
export const lcowAdapterSchema = compiledSchema(
  "sim lcowAdapterSchema",
  z.object({
    NamespaceID: z.string().optional(),
    ID: z.string().optional(),
    MacAddress: z.string().optional(),
    DNSSuffix: z.string().optional(),
    DNSServerList: z.string().optional(),
    EncapOverhead: u16Schema.optional(),
    VPCIAssigned: z.boolean().optional(),
    IPConfigs: z.array(
      z.object({
        IPAddress: z.string().optional(),
        PrefixLength: z.int().min(0).max(255).optional(),
      }),
    ).optional(),
    Routes: z.array(z.object({
      NextHop: z.string().optional(),
      DestinationPrefix: z.string().optional(),
      Metric: u16Schema.optional(),
    })).optional(),
    PolicyBasedRouting: z.boolean().optional(),
    EnableLowMetric: z.boolean().optional(),
  }),
);

/** An HCN document as a WCOW guest receives it: any fields, an ID GUID. */
export const hcnDocumentSchema = compiledSchema(
  "sim hcnDocumentSchema",
  z.looseObject({ ID: guidSchema }),
);

/** WCOW Network Add settings: the pre-add, or the add. */
export const wcowNetworkAddSchema = compiledSchema(
  "sim wcowNetworkAddSchema",
  z.discriminatedUnion("RequestType", [
    z.strictObject({
      AdapterId: guidSchema,
      RequestType: z.literal("PreAdd"),
      Settings: hcnDocumentSchema,
    }),
    z.strictObject({
      AdapterId: guidSchema,
      RequestType: z.literal("Add"),
      Settings: z.unknown().optional(),
    }),
  ]),
);

/** WCOW Network Remove settings. */
export const wcowNetworkRemoveSchema = compiledSchema(
  "sim wcowNetworkRemoveSchema",
  z.strictObject({
    AdapterId: guidSchema,
    RequestType: z.literal("Remove"),
    Settings: z.unknown().optional(),
  }),
);

/** Settings of HcsGetComputeSystemProperties. */
export const propertyQuerySchema = compiledSchema(
  "sim propertyQuerySchema",
  z.strictObject({
    PropertyTypes: z.array(z.string()).optional(),
  }),
);

/** The first issue of a failed parse, as "path: message". */
export function describeIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${prefix}: invalid`;
  const path = [prefix, ...issue.path.map(String)].join(".");
  return `${path}: ${issue.message}`;
}
