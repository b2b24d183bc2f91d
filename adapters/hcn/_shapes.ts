/**
 * The JSON shapes of the HCN endpoint and namespace documents as hcsshim's
 * Go structs type them (after key folding): what `_schemas.ts` validates and
 * what the endpoint rules read.
 *
 * @module
 */
import { z } from "zod";
import type { JsonValue } from "../../ports/json.ts";
import { compiledSchema } from "../_compiled_schema.ts";

const objectError = { error: "must be a JSON object" };
const text = z.string({ error: "must be a string" }).nullish();

/** A Go unsigned integer of `bits` bits; `null` is 0. */
function unsigned(max: number) {
  const range = `must be an integer 0..${max}`;
  return z.int({ error: range }).min(0, { error: range }).max(max, { error: range }).nullish();
}

/** A Go slice: an array or `null`; a `null` item is the item's zero value. */
function list<T extends z.ZodType>(item: T) {
  return z.array(item.nullable(), { error: "must be an array" }).nullish();
}

// hcnglobals.go: Version { Major, Minor int }.
const versionShape = z.looseObject({
  Major: z.int({ error: "must be an integer" }).nullish(),
  Minor: z.int({ error: "must be an integer" }).nullish(),
}, objectError).nullish();

export const endpointShape = compiledSchema(
  "HCN endpoint",
  // hcn/hcnendpoint.go: HostComputeEndpoint.
  z.looseObject({
    ID: text,
    Name: text,
    HostComputeNetwork: text,
    HostComputeNamespace: text,
    MacAddress: text,
    Flags: unsigned(0xffff_ffff),
    Health: z.looseObject({}, objectError).nullish(),
    SchemaVersion: versionShape,
    // hcn/hcnendpoint.go: IpConfig { IpAddress string; PrefixLength uint8 }.
    IpConfigurations: list(
      z.looseObject({ IpAddress: text, PrefixLength: unsigned(255) }, objectError),
    ),
    // hcn/hcnnetwork.go: Dns { Domain string; Search, ServerList, Options []string }.
    Dns: z.looseObject({
      Domain: text,
      Search: list(z.string({ error: "must be a string" })),
      ServerList: list(z.string({ error: "must be a string" })),
      Options: list(z.string({ error: "must be a string" })),
    }, objectError).nullish(),
    // hcn/hcnnetwork.go: Route { NextHop, DestinationPrefix string; Metric uint16 }.
    Routes: list(
      z.looseObject(
        { NextHop: text, DestinationPrefix: text, Metric: unsigned(65_535) },
        objectError,
      ),
    ),
    // hcn/hcnpolicy.go: EndpointPolicy { Type string; Settings json.RawMessage }.
    Policies: list(z.looseObject({
      Type: text,
      // The document came from JSON.parse: whatever is here is JSON already.
      Settings: z.custom<JsonValue>().optional(),
    }, objectError)),
  }),
);

/** What Go's decoder makes of an endpoint document (after key folding). */
export type EndpointShape = z.output<typeof endpointShape>;

export const namespaceShape = compiledSchema(
  "HCN namespace",
  // hcn/hcnnamespace.go: HostComputeNamespace, NamespaceResource.
  z.looseObject({
    ID: text,
    NamespaceId: unsigned(0xffff_ffff),
    Type: text,
    SchemaVersion: versionShape,
    Resources: list(z.looseObject({ Type: text, Data: z.unknown().optional() }, objectError)),
  }),
);

/** Where a rule reports what it normalised and what it refuses. */
export interface RuleContext {
  /** Notes a normalisation of `field`. */
  note(field: string, change: string): void;
  /** Refuses the document: `field` is bad for `reason`. */
  fail(field: string, reason: string): never;
}
