/**
 * Which Windows directory a `SystemRoot` value may name.
 *
 * @module
 */

/** Where Windows lives when `SystemRoot` cannot be used. */
const USUAL_SYSTEM_ROOT = "C:\\Windows";

/**
 * The Windows directory for a `SystemRoot` value: the value when it is an
 * absolute drive path (`C:\Windows`, `E:/WinNT`), else `C:\Windows`. A
 * relative path would resolve against the current directory and a UNC path
 * to another machine; either would load whatever DLL is there.
 *
 * @param value the value of `SystemRoot`, or undefined when unset or unreadable
 */
export function trustedSystemRoot(value: string | undefined): string {
  return value !== undefined && /^[A-Za-z]:[\\/]/.test(value) ? value : USUAL_SYSTEM_ROOT;
}
