/**
 * In-memory ports for domain tests: a host, a VM and a guest that record
 * every call and fail on demand. Deliberately simple; the simulated Windows
 * host under adapters/sim is the strict one.
 */
import type { GuestNetwork, GuestNic, GuestNicConfig } from "../../ports/guest_network.ts";
import type { HostEndpoint, HostNamespace, HostNetwork } from "../../ports/host_network.ts";
import type { JsonObject } from "../../ports/json.ts";
import type { NetworkPorts } from "../../ports/network_ports.ts";
import type { VmNetwork, VmNic } from "../../ports/vm_network.ts";
import { NotFoundError } from "../../domain/errors.ts";
import type { CallOptions } from "../../ports/call_options.ts";
import type { IovSettings } from "../../domain/iov.ts";

export interface Fixture {
  namespace: JsonObject & { ID: string };
  endpoints: (JsonObject & { ID: string; Name?: string; MacAddress?: string })[];
  expectedOrder?: string[];
}

export async function readFixture(name: string): Promise<Fixture> {
  return JSON.parse(
    await Deno.readTextFile(new URL(`../../adapters/sim/fixtures/${name}.json`, import.meta.url)),
  );
}

type Method =
  | "getNamespace"
  | "getEndpoint"
  | "addNic"
  | "removeNic"
  | "updateNic"
  | "addNamespace"
  | "removeNamespace"
  | "prepare"
  | "attach"
  | "detach";

interface Failure {
  method: Method;
  nth: number;
  error: () => unknown;
  /** Apply the effect before failing (an unknown outcome). */
  applied: boolean;
}

export class FakeWorld {
  readonly namespaces = new Map<string, HostNamespace>();
  readonly endpoints = new Map<string, HostEndpoint>();
  readonly vmNics = new Set<string>();
  /** The SR-IOV settings last applied to each NIC. */
  readonly iov = new Map<string, IovSettings>();
  readonly guestNics = new Map<string, "prepared" | "attached">();
  readonly guestNamespaces = new Set<string>();
  readonly calls: string[] = [];
  readonly #failures: Failure[] = [];
  readonly #counts = new Map<Method, number>();
  /** Resolves calls after a macrotask when set, so that concurrency can interleave. */
  slow = false;
  /** Blocks every call until released, when set. */
  gate: Promise<void> | undefined;

  constructor(readonly platform: "lcow" | "wcow" = "lcow") {}

  load(fixture: Fixture): this {
    const nsId = fixture.namespace.ID.toLowerCase();
    const resources = (fixture.namespace.Resources ?? []) as {
      Type: string;
      Data: { ID: string };
    }[];
    this.namespaces.set(nsId, {
      id: nsId,
      endpointIds: resources.filter((r) => r.Type === "Endpoint").map((r) =>
        r.Data.ID.toLowerCase()
      ),
      document: fixture.namespace,
    });
    for (const e of fixture.endpoints) {
      const id = e.ID.toLowerCase();
      this.endpoints.set(id, {
        id,
        name: e.Name ?? "",
        ...(e.MacAddress === undefined ? {} : { macAddress: e.MacAddress }),
        ipConfigurations: [],
        routes: [],
        policies: [],
        document: e,
      });
    }
    return this;
  }

  /** Fails the nth next call of `method` (1-based). */
  fail(method: Method, error: () => unknown, nth = 1, applied = false): this {
    this.#failures.push({ method, nth: (this.#counts.get(method) ?? 0) + nth, error, applied });
    return this;
  }

  get clean(): boolean {
    return this.vmNics.size === 0 && this.guestNics.size === 0 && this.guestNamespaces.size === 0;
  }

  async #call<T>(
    method: Method,
    target: string,
    options: CallOptions | undefined,
    effect: () => T,
  ): Promise<T> {
    const n = (this.#counts.get(method) ?? 0) + 1;
    this.#counts.set(method, n);
    this.calls.push(`${method} ${target}`);
    if (this.gate) await this.gate;
    if (this.slow) await new Promise((r) => setTimeout(r, 1));
    options?.signal?.throwIfAborted();
    const i = this.#failures.findIndex((f) => f.method === method && f.nth === n);
    if (i >= 0) {
      const [f] = this.#failures.splice(i, 1);
      if (f?.applied) effect();
      throw f?.error();
    }
    return effect();
  }

  ports(): NetworkPorts {
    const host: HostNetwork = {
      getNamespace: (id, o) =>
        this.#call("getNamespace", id, o, () => {
          const ns = this.namespaces.get(id);
          if (!ns) throw new NotFoundError("namespace", id);
          return ns;
        }),
      getEndpoint: (id, o) =>
        this.#call("getEndpoint", id, o, () => {
          const ep = this.endpoints.get(id);
          if (!ep) throw new NotFoundError("endpoint", id);
          return ep;
        }),
    };
    const vm: VmNetwork = {
      addNic: (nic: VmNic, o) =>
        this.#call("addNic", nic.nicId, o, () => {
          if (this.vmNics.has(nic.nicId)) throw new Error(`NIC ${nic.nicId} added twice`);
          this.vmNics.add(nic.nicId);
        }),
      removeNic: (nic: VmNic, o) =>
        this.#call("removeNic", nic.nicId, o, () => {
          if (!this.vmNics.delete(nic.nicId)) throw new NotFoundError("NIC", nic.nicId);
          this.iov.delete(nic.nicId);
        }),
      updateNic: (nic: VmNic, iov: IovSettings, o) =>
        this.#call("updateNic", nic.nicId, o, () => {
          if (!this.vmNics.has(nic.nicId)) throw new NotFoundError("NIC", nic.nicId);
          this.iov.set(nic.nicId, { ...this.iov.get(nic.nicId), ...iov });
        }),
    };
    const wcow = this.platform === "wcow";
    const guest: GuestNetwork = {
      platform: this.platform,
      addNamespace: (ns, o) =>
        this.#call("addNamespace", ns.id, o, () => {
          if (!wcow) return false;
          this.guestNamespaces.add(ns.id);
          return true;
        }),
      removeNamespace: (ns, o) =>
        this.#call("removeNamespace", ns.id, o, () => {
          if (!wcow) return;
          if (!this.guestNamespaces.delete(ns.id)) {
            throw new NotFoundError("guest namespace", ns.id);
          }
        }),
      prepare: (nic: GuestNicConfig, o) =>
        this.#call("prepare", nic.nicId, o, () => {
          if (!wcow) return false;
          this.guestNics.set(nic.nicId, "prepared");
          return true;
        }),
      attach: (nic: GuestNicConfig, o) =>
        this.#call("attach", nic.nicId, o, () => {
          if (!this.vmNics.has(nic.nicId)) throw new Error(`attach before hot-add of ${nic.nicId}`);
          this.guestNics.set(nic.nicId, "attached");
        }),
      detach: (nic: GuestNic, o) =>
        this.#call("detach", nic.nicId, o, () => {
          if (!this.guestNics.delete(nic.nicId)) throw new NotFoundError("guest NIC", nic.nicId);
        }),
    };
    return { host, vm, guest };
  }
}
