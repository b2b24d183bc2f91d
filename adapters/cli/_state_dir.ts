/**
 * What every command that works on the state directory opens first.
 *
 * @module
 */
import { FileStore } from "../store/file_store.ts";
import type { Ctx } from "./_command.ts";
import { HostRecords } from "./_host_records.ts";
import { checkStateDir, type Common } from "./_options.ts";

/** The pod records and host records of a state directory. */
export interface StateDir {
  readonly store: FileStore;
  readonly hostRecords: HostRecords;
}

/**
 * Checks the state directory, starts the log records (`--verbose`) and
 * opens its stores.
 */
export async function openStateDir(ctx: Ctx, c: Common): Promise<StateDir> {
  await checkStateDir(c.stateDir);
  await ctx.startLogging(c.verbose, c.logFormat);
  return { store: new FileStore(c.stateDir), hostRecords: new HostRecords(c.stateDir) };
}
