/**
 * Hands the operations on a running pod to their bodies, one file each:
 * `_add_endpoint.ts`, `_remove_endpoint.ts`, `_update_endpoint.ts`,
 * `_sync.ts`, `_finish_interrupted.ts`.
 *
 * @module
 */
import { InvalidArgumentError } from "./errors.ts";
import type { IovSettings } from "./iov.ts";
import type { TransitionAction } from "./state.ts";
import { runAddEndpoint } from "./_add_endpoint.ts";
import { runFinish } from "./_finish_interrupted.ts";
import type { ControllerHooks, OperationContext } from "./_operation_context.ts";
import { runRemoveEndpoint } from "./_remove_endpoint.ts";
import { runSync } from "./_sync.ts";
import { runUpdateEndpoint } from "./_update_endpoint.ts";

/** The argument of an operation on one endpoint (checked by the controller). */
export interface EndpointArgument {
  readonly endpointId: string;
  readonly iov: IovSettings | undefined;
}

/** Runs the body of one operation on a running pod. */
export function runLiving(
  action: TransitionAction,
  ctx: OperationContext,
  hooks: ControllerHooks,
  argument: EndpointArgument | undefined,
): Promise<unknown> {
  const endpointId = argument?.endpointId ?? "";
  const iov = argument?.iov;
  switch (action) {
    case "add-endpoint":
      return runAddEndpoint(ctx, hooks, endpointId, iov);
    case "remove-endpoint":
      return runRemoveEndpoint(ctx, hooks, endpointId);
    case "update-endpoint":
      if (iov === undefined) throw new InvalidArgumentError("update.iov", "is required");
      return runUpdateEndpoint(ctx, hooks, endpointId, iov);
    case "sync":
      return runSync(ctx, hooks);
    default:
      return runFinish(ctx, hooks);
  }
}
