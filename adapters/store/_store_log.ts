/**
 * The store's log records, under the `podnet.store` category. LogTape is
 * imported on the first record only: a command that reads healthy records
 * (`podnet status`) never says a word here, so it never pays for loading it.
 *
 * @module
 */

/** Writes one log record of the store at `level`. */
export async function storeLog(
  level: "info" | "warn",
  message: string,
  properties: Record<string, unknown>,
): Promise<void> {
  const { getLogger } = await import("@logtape/logtape");
  getLogger(["podnet", "store"])[level](message, properties);
}
