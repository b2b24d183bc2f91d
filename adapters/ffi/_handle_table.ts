/**
 * The native handles behind the opaque handle objects an FFI API returns.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { formatHResult } from "../../domain/errors.ts";
import { hresultError } from "../dll/error_record.ts";
import { HRESULT } from "../dll/hresult.ts";
import type { NativeLibraries } from "./_native_libraries.ts";

const logger = getLogger(["podnet", "ffi"]);

interface HandleState {
  readonly address: bigint;
  /** The same, as the pointer object calls take (made once). */
  readonly pointer: Deno.PointerValue;
  /** Calls running with this handle. */
  busy: number;
  /** close() was called (or the handle was discarded). */
  closing: boolean;
  /** The native close ran. */
  closed: boolean;
  unregister: () => void;
}

/** A handle lent to one call: its pointer, and the release to call after. */
export interface HandleLease {
  readonly pointer: Deno.PointerValue;
  release(): void;
}

/**
 * Maps handle objects to native handles. The native close runs exactly once:
 * at `close()`, or when the last call using the handle returns, or when the
 * libraries close with the handle still open.
 */
export class HandleTable<H extends object> {
  readonly #states = new WeakMap<H, HandleState>();
  readonly #libraries: NativeLibraries;
  readonly #closeCall: string;
  readonly #closeNative: (pointer: Deno.PointerValue) => number;

  constructor(
    libraries: NativeLibraries,
    closeCall: string,
    closeNative: (pointer: Deno.PointerValue) => number,
  ) {
    this.#libraries = libraries;
    this.#closeCall = closeCall;
    this.#closeNative = closeNative;
  }

  /** Wraps a handle the DLL returned. */
  adopt(address: bigint, handle: H): H {
    const state: HandleState = {
      address,
      pointer: Deno.UnsafePointer.create(address),
      busy: 0,
      closing: false,
      closed: false,
      unregister: () => {},
    };
    state.unregister = this.#libraries.registerHandle(() => this.#nativeClose(state));
    this.#states.set(handle, state);
    return handle;
  }

  /** Lends the handle to one call; E_HANDLE when it is not open. */
  acquire(handle: H, call: string): HandleLease {
    const state = this.#states.get(handle);
    if (state === undefined || state.closing) {
      throw hresultError(call, HRESULT.E_HANDLE, "");
    }
    state.busy++;
    let released = false;
    return {
      pointer: state.pointer,
      release: () => {
        if (released) return;
        released = true;
        state.busy--;
        if (state.closing && state.busy === 0) this.#nativeClose(state);
      },
    };
  }

  /** Closes the handle (now, or when its running calls return). Twice is E_HANDLE. */
  close(handle: H): void {
    const state = this.#states.get(handle);
    if (state === undefined || state.closing) {
      throw hresultError(this.#closeCall, HRESULT.E_HANDLE, "");
    }
    state.closing = true;
    if (state.busy === 0) this.#nativeClose(state);
  }

  /** Closes a handle that nobody will see (a late or failed open). */
  discard(handle: H): void {
    const state = this.#states.get(handle);
    if (state === undefined || state.closing) return;
    state.closing = true;
    if (state.busy === 0) this.#nativeClose(state);
  }

  /** Closes a native handle that was never wrapped. */
  closeAddress(address: bigint): void {
    this.#report(this.#closeNative(Deno.UnsafePointer.create(address)));
  }

  #nativeClose(state: HandleState): void {
    if (state.closed) return;
    state.closed = true;
    state.closing = true;
    state.unregister();
    this.#report(this.#closeNative(state.pointer));
  }

  #report(hresult: number): void {
    if (hresult < 0) {
      // Nothing else can be done with a handle that refuses to close.
      logger.warn("{call} failed with {hresult}", {
        call: this.#closeCall,
        hresult: formatHResult(hresult),
      });
    }
  }
}
