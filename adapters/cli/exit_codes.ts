/**
 * The exit codes of `deno task podnet`.
 *
 * @module
 */

/**
 * What a `podnet` command's exit code means. Every code but 0 comes with a
 * message on stderr; with `--json`, stdout still holds one JSON document.
 *
 * - `OK` (0): done.
 * - `FAILED` (1): the operation failed; what was recorded and what to run
 *   next are printed.
 * - `USAGE` (2): bad usage or input (flags, a missing state directory, a
 *   corrupt record, a pod that is not in the state the command needs);
 *   nothing was done.
 * - `BUSY` (3): another process is working on the pod; nothing was done.
 */
export const EXIT_CODES = { OK: 0, FAILED: 1, USAGE: 2, BUSY: 3 } as const;

/**
 * One of {@linkcode EXIT_CODES}.
 */
export type ExitCode = typeof EXIT_CODES[keyof typeof EXIT_CODES];
