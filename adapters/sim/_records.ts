import type { HResultError } from "../../domain/errors.ts";
import { hresultError } from "../dll/error_record.ts";

/** The simulated HCN failure: an HNS-style error record. */
export function hcnFailure(call: string, hresult: number, message: string): HResultError {
  const record = JSON.stringify({ Error: message, ErrorCode: hresult >>> 0, Success: false });
  return hresultError(call, hresult, record);
}

/** The simulated HCS failure: an HCS ResultError document. */
export function hcsFailure(call: string, hresult: number, message: string): HResultError {
  const record = JSON.stringify({
    Error: hresult | 0,
    ErrorMessage: message,
    ErrorEvents: [{ Message: message, Provider: "podnet-sim", EventId: 1, Source: call }],
  });
  return hresultError(call, hresult, record);
}

/** The failure of a DLL call, with the record style of its DLL. */
export function callFailure(call: string, hresult: number, message: string): HResultError {
  return call.startsWith("Hcn")
    ? hcnFailure(call, hresult, message)
    : hcsFailure(call, hresult, message);
}
