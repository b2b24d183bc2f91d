import { normalizeGuid } from "../../domain/guid.ts";
import { NIC_PATH_PREFIX } from "./_vm_nics.ts";

/** An HcsModifyComputeSystem call, classified before it runs. */
export interface ClassifiedModify {
  /** The request op, or "HcsModifyComputeSystem" when it fits none. */
  readonly op: string;
  /** The NIC or namespace it addresses, when it names one. */
  readonly target: string | undefined;
  /** The parsed document, or `undefined` when the text is not JSON. */
  readonly document: unknown;
}

const GENERIC = "HcsModifyComputeSystem";

function field(value: unknown, key: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

function idOf(value: unknown): string | undefined {
  return typeof value === "string" ? normalizeGuid(value) ?? value : undefined;
}

function classifyHost(doc: unknown): ClassifiedModify {
  const path = field(doc, "ResourcePath");
  if (typeof path !== "string" || !path.startsWith(NIC_PATH_PREFIX)) {
    return { op: GENERIC, target: undefined, document: doc };
  }
  const target = idOf(path.slice(NIC_PATH_PREFIX.length));
  const op = {
    Add: "vm.add-nic",
    Remove: "vm.remove-nic",
    Update: "vm.update-nic",
  }[String(field(doc, "RequestType"))] ?? GENERIC;
  return { op, target, document: doc };
}

function classifyGuest(guest: "lcow" | "wcow", doc: unknown, request: unknown): ClassifiedModify {
  const resource = field(request, "ResourceType");
  const type = field(request, "RequestType");
  const settings = field(request, "Settings");
  if (resource === "NetworkNamespace") {
    const target = idOf(field(settings, "ID"));
    if (type === "Add") return { op: "guest.namespace-add", target, document: doc };
    if (type === "Remove") return { op: "guest.namespace-remove", target, document: doc };
    return { op: GENERIC, target, document: doc };
  }
  if (resource !== "Network") return { op: GENERIC, target: undefined, document: doc };
  if (guest === "lcow") {
    const target = idOf(field(settings, "ID"));
    if (type === "Add") return { op: "guest.nic-add", target, document: doc };
    if (type === "Remove") return { op: "guest.nic-remove", target, document: doc };
    return { op: GENERIC, target, document: doc };
  }
  const target = idOf(field(settings, "AdapterId"));
  const inner = field(settings, "RequestType");
  if (type === "Add" && inner === "PreAdd") {
    return { op: "guest.nic-preadd", target, document: doc };
  }
  if (type === "Add" && inner === "Add") return { op: "guest.nic-add", target, document: doc };
  if (type === "Remove") return { op: "guest.nic-remove", target, document: doc };
  return { op: GENERIC, target, document: doc };
}

/** Classifies a modify document into its request op, without validating it. */
export function classifyModify(guest: "lcow" | "wcow", text: string): ClassifiedModify {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { op: GENERIC, target: undefined, document: undefined };
  }
  const request = field(doc, "GuestRequest");
  // A host request that carries a GuestRequest too (hcsshim's legacy path) is
  // the NIC's hot-add or hot-remove: it is named by its host part.
  if (request !== undefined && field(doc, "ResourcePath") === undefined) {
    return classifyGuest(guest, doc, request);
  }
  return classifyHost(doc);
}
