import { z } from "zod";
import { normalizeGuid } from "../../domain/guid.ts";
import { isCidr, isIpAddress, isIpv4 } from "./_ip.ts";
import { compiledSchema } from "../_compiled_schema.ts";

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
 * The interrupt moderation modes HCS takes
 * (hcsshim internal/hcs/schema2/interrupt_moderation_mode.go).
 */
export const INTERRUPT_MODERATION_NAMES = [
  "Default",
  "Adaptive",
  "Off",
  "Low",
  "Medium",
  "High",
] as const;

/**
 * A NIC's SR-IOV settings, every field optional, numbers unsigned 32-bit
 * (hcsshim internal/hcs/schema2/iov_settings.go: `*uint32`, `*uint32`,
 * `*InterruptModerationName`).
 */
export const iovSettingsSchema = z.strictObject({
  OffloadWeight: u32Schema.optional(),
  QueuePairsRequested: u32Schema.optional(),
  InterruptModeration: z.enum(INTERRUPT_MODERATION_NAMES).optional(),
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

/**
 * An LCOW guest network adapter: the Settings of a Network Add and Remove,
 * as the guest decodes them (hcsshim internal/protocol/guestresource/
 * resources.go LCOWNetworkAdapter, LCOWIPConfig, LCOWRoute: every field
 * `omitempty`, so hcsshim leaves out a 0 `PrefixLength` or `Metric`, an empty
 * `NextHop` or `DestinationPrefix`). The adapter and namespace IDs podnet
 * always sends are required; an IP configuration needs its address (the
 * guest cannot parse one without it: internal/guest/network/netns.go). A
 * route needs a next hop or a destination: checked as the guest does, when
 * the adapter is added (`_guest.ts`).
 */
export const lcowAdapterSchema = compiledSchema(
  "sim lcowAdapterSchema",
  z.strictObject({
    NamespaceID: guidSchema,
    ID: guidSchema,
    MacAddress: macSchema.optional(),
    DNSSuffix: z.string().optional(),
    DNSServerList: z.string().optional(),
    EncapOverhead: u16Schema.optional(),
    VPCIAssigned: z.boolean().optional(),
    IPConfigs: z.array(
      z.strictObject({
        IPAddress: z.string().refine(isIpAddress, "must be an IP address"),
        PrefixLength: z.int().min(0).max(128).optional(),
      }).refine(
        (c) => !isIpv4(c.IPAddress) || (c.PrefixLength ?? 0) <= 32,
        { message: "an IPv4 prefix length must be 0..32", path: ["PrefixLength"] },
      ),
    ).optional(),
    Routes: z.array(z.strictObject({
      // An on-link route has no next hop; a default route may have no destination.
      NextHop: z.string().refine(isIpAddress, "must be an IP address").optional(),
      DestinationPrefix: z.string().refine(isCidr, "must be a CIDR prefix").optional(),
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
