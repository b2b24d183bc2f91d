/**
 * Real pod records to damage: a controller runs setup and teardown on a
 * simulated host with a file store, with faults and crashes, and every time
 * the store lands a write, the record's and journal's bytes are kept with
 * the host as it was then.
 */
import { NetworkController } from "../../domain/network_controller.ts";
import type { RecordChange } from "../../domain/record_change.ts";
import type { Snapshot } from "../../domain/snapshot.ts";
import { createPorts } from "../../adapters/create_ports.ts";
import { FileStore } from "../../adapters/store/file_store.ts";
import { SimulatedHost } from "../../adapters/sim/simulated_host.ts";
import type { SimulatedHostState } from "../../adapters/sim/simulated_host_state.ts";
import type { FaultAction } from "../../adapters/sim/fault_plan.ts";
import type { StateStore } from "../../ports/state_store.ts";
import { readFixture } from "../_fakes/fake_ports.ts";
import { podFixture } from "../_fakes/generated_fixture.ts";

/** The files of a pod's record after one write, and the host then. */
export interface WritePoint {
  /** The scenario it belongs to. */
  readonly scenario: string;
  /** Its place among the scenario's writes (0 first). */
  readonly index: number;
  readonly record: string | undefined;
  readonly journal: string | undefined;
  readonly host: SimulatedHostState;
}

/** One run: its writes in order. */
export interface Scenario {
  readonly name: string;
  readonly podId: string;
  readonly guest: "lcow" | "wcow";
  readonly points: WritePoint[];
}

const POD = "pod-fuzz";

/** Delegates to a file store and keeps the files after each write. */
class Capturing implements StateStore {
  constructor(
    private readonly inner: FileStore,
    private readonly capture: (podId: string) => Promise<void>,
  ) {}
  load(podId: string): Promise<Snapshot | undefined> {
    return this.inner.load(podId);
  }
  list(): Promise<string[]> {
    return this.inner.list();
  }
  async save(snapshot: Snapshot): Promise<void> {
    await this.inner.save(snapshot);
    await this.capture(snapshot.podId);
  }
  async append(podId: string, changes: readonly RecordChange[]): Promise<void> {
    await this.inner.append(podId, changes);
    await this.capture(podId);
  }
  async delete(podId: string): Promise<void> {
    await this.inner.delete(podId);
  }
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

interface Fault {
  readonly on: "vm.add-nic" | "vm.remove-nic" | "guest.nic-add" | "guest.nic-remove";
  readonly nth: number;
  readonly action: FaultAction;
}

interface Plan {
  readonly name: string;
  readonly setupFault?: Fault;
  readonly teardownFault?: Fault;
  readonly teardown: boolean;
}

const CRASH: FaultAction = { type: "crash" };
const FAIL: FaultAction = { type: "hresult", hresult: 0x80004005, message: "injected" };

const PLANS: Plan[] = [
  { name: "Configured", teardown: false },
  { name: "torn down", teardown: true },
  {
    name: "mid-setup (crash at the 2nd NIC add)",
    setupFault: { on: "vm.add-nic", nth: 2, action: CRASH },
    teardown: false,
  },
  {
    name: "mid-setup (lost crash at the 3rd guest attach)",
    setupFault: { on: "guest.nic-add", nth: 3, action: { type: "crash", applied: false } },
    teardown: false,
  },
  {
    name: "mid-teardown (crash at the 2nd guest detach)",
    teardownFault: { on: "guest.nic-remove", nth: 2, action: CRASH },
    teardown: true,
  },
  {
    name: "mid-teardown (crash at the 3rd NIC remove)",
    teardownFault: { on: "vm.remove-nic", nth: 3, action: CRASH },
    teardown: true,
  },
  {
    name: "Invalid (setup failed at the 3rd NIC add)",
    setupFault: { on: "vm.add-nic", nth: 3, action: FAIL },
    teardown: false,
  },
  {
    name: "Invalid (teardown failed at the 2nd NIC remove)",
    teardownFault: { on: "vm.remove-nic", nth: 2, action: FAIL },
    teardown: true,
  },
  {
    name: "Invalid (VM gone at the 2nd guest attach)",
    setupFault: { on: "guest.nic-add", nth: 2, action: { type: "vm-gone" } },
    teardown: false,
  },
];

/** Runs every plan for 3 and 8 NICs, LCOW and WCOW, and returns the writes. */
export async function recordScenarios(): Promise<Scenario[]> {
  const dir = await Deno.makeTempDir();
  const scenarios: Scenario[] = [];
  try {
    for (const guest of ["lcow", "wcow"] as const) {
      for (const nics of [3, 8]) {
        const fixture = nics === 3 ? await readFixture("pod-3nic") : podFixture(8, 7);
        for (const plan of PLANS) {
          const name = `${guest}, ${nics} NICs, ${plan.name}`;
          const points: WritePoint[] = [];
          const host = new SimulatedHost({ guest });
          host.loadFixture(fixture);
          const files = new FileStore(`${dir}/${scenarios.length}`);
          const capture = async (podId: string) => {
            const path = await files.pathOf(podId);
            points.push({
              scenario: name,
              index: points.length,
              record: await readOrUndefined(path),
              journal: await readOrUndefined(path.replace(/\.json$/, ".journal")),
              host: host.exportState(),
            });
          };
          using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
          const controller = new NetworkController(
            {
              podId: POD,
              namespaceId: fixture.namespace.ID,
              store: new Capturing(files, capture),
              rollbackOnSetupFailure: false,
            },
            ports,
          );
          if (plan.setupFault) host.faults.inject(plan.setupFault);
          const setup = await controller.setup().then(() => true, () => false);
          if (plan.teardown && setup) {
            if (plan.teardownFault) host.faults.inject(plan.teardownFault);
            await controller.teardown().catch(() => {});
          }
          scenarios.push({ name, podId: POD, guest, points });
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return scenarios;
}
