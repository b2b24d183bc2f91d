import { z } from "zod";
import { normalizeGuid } from "../../../domain/guid.ts";
import { isCidr, isIpAddress, isIpv4 } from "./_ip.ts";

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
export const modifyDocumentSchema = z.compile(
  z.strictObject({
    ResourcePath: z.string().optional(),
    RequestType: requestTypeSchema.optional(),
    Settings: z.unknown().optional(),
    GuestRequest: z.strictObject({
      ResourceType: z.string(),
      RequestType: requestTypeSchema,
      Settings: z.unknown().optional(),
    }).optional(),
  }),
  { strict: true },
);

/** Settings of a VM NIC request. */
export const vmNicSettingsSchema = z.compile(
  z.strictObject({
    EndpointId: guidSchema,
    MacAddress: macSchema.optional(),
  }),
  { strict: true },
);

/** An LCOW guest network adapter (Network Add settings). */
export const lcowAdapterSchema = z.compile(
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
        PrefixLength: z.int().min(0).max(128),
      }).refine(
        (c) => !isIpv4(c.IPAddress) || c.PrefixLength <= 32,
        { message: "an IPv4 prefix length must be 0..32", path: ["PrefixLength"] },
      ),
    ).optional(),
    Routes: z.array(z.strictObject({
      // An on-link route has no next hop.
      NextHop: z.string().refine(isIpAddress, "must be an IP address").optional(),
      DestinationPrefix: z.string().refine(isCidr, "must be a CIDR prefix"),
      Metric: u16Schema.optional(),
    })).optional(),
    PolicyBasedRouting: z.boolean().optional(),
    EnableLowMetric: z.boolean().optional(),
  }),
  { strict: true },
);

/** LCOW Network Remove settings. */
export const lcowRemoveSchema = z.compile(
  z.strictObject({ NamespaceID: guidSchema, ID: guidSchema }),
  { strict: true },
);

/** An HCN document as a WCOW guest receives it: any fields, an ID GUID. */
export const hcnDocumentSchema = z.compile(z.looseObject({ ID: guidSchema }), { strict: true });

/** WCOW Network Add settings: the pre-add, or the add. */
export const wcowNetworkAddSchema = z.compile(
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
  { strict: true },
);

/** WCOW Network Remove settings. */
export const wcowNetworkRemoveSchema = z.compile(
  z.strictObject({
    AdapterId: guidSchema,
    RequestType: z.literal("Remove"),
    Settings: z.unknown().optional(),
  }),
  { strict: true },
);

/** Settings of HcsGetComputeSystemProperties. */
export const propertyQuerySchema = z.compile(
  z.strictObject({
    PropertyTypes: z.array(z.string()).optional(),
  }),
  { strict: true },
);

/** The first issue of a failed parse, as "path: message". */
export function describeIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${prefix}: invalid`;
  const path = [prefix, ...issue.path.map(String)].join(".");
  return `${path}: ${issue.message}`;
}
