/**
 * Turning a DLL's failing HRESULT and error record into an `HResultError`.
 * Shared by every `HcnApi`/`HcsApi` implementation so they fail alike.
 *
 * @module
 */
import { z } from "zod";
import { type ErrorRecord, HResultError } from "../../domain/errors.ts";

const eventSchema = z.object({
  Message: z.string().optional(),
  Provider: z.string().optional(),
  EventId: z.number().optional(),
  Source: z.string().optional(),
}).loose();

const recordSchema = z.object({
  Error: z.union([z.number(), z.string()]).optional(),
  ErrorCode: z.number().optional(),
  ErrorMessage: z.string().optional(),
  Message: z.string().optional(),
  ErrorEvents: z.array(eventSchema).optional(),
}).loose();

/**
 * Parses an error record: an HCS ResultError document, an HNS error record,
 * or plain text. Never throws: unparseable text becomes the message.
 *
 * @example
 * ```ts
 * import { parseErrorRecord } from "@podnet/hcs/native";
 * const r = parseErrorRecord('{"Error":-1070137074,"ErrorMessage":"not found","ErrorEvents":[]}');
 * console.log(r.message, r.hresult?.toString(16)); // not found c037010e
 * ```
 */
export function parseErrorRecord(raw: string): ErrorRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { raw, message: raw.trim(), events: [] };
  }
  const doc = recordSchema.safeParse(parsed);
  if (!doc.success) return { raw, message: raw.trim(), events: [] };
  const d = doc.data;
  const message = d.ErrorMessage ?? (typeof d.Error === "string" ? d.Error : undefined) ??
    d.Message;
  const code = typeof d.Error === "number" ? d.Error : d.ErrorCode;
  const events = (d.ErrorEvents ?? []).map((e) => ({
    ...(e.Message === undefined ? {} : { message: e.Message }),
    ...(e.Provider === undefined ? {} : { provider: e.Provider }),
    ...(e.EventId === undefined ? {} : { eventId: e.EventId }),
    ...(e.Source === undefined ? {} : { source: e.Source }),
  }));
  return {
    raw,
    ...(message === undefined ? {} : { message }),
    ...(code === undefined ? {} : { hresult: code >>> 0 }),
    events,
  };
}

/**
 * Builds the `HResultError` for a failed DLL call. A success HRESULT with a
 * non-empty record is a failure too: it is reported as the record's own
 * HRESULT, or E_FAIL.
 *
 * @example
 * ```ts
 * import { hresultError } from "@podnet/hcs/native";
 * const err = hresultError("HcnOpenNamespace", 0x80070490, "");
 * console.log(err.hex); // 0x80070490
 * ```
 */
export function hresultError(call: string, hresult: number, recordText: string): HResultError {
  const record = recordText.length > 0 ? parseErrorRecord(recordText) : undefined;
  let code = hresult >>> 0;
  const reportedSuccess = (hresult | 0) >= 0;
  if (reportedSuccess) {
    // A success code with a record: report the record's own code if it is a
    // failure code, else E_FAIL (a record saying "ErrorCode": 0 is no code).
    // What the call did is unknown: the DLL said it succeeded.
    const own = record?.hresult;
    code = own !== undefined && (own | 0) < 0 ? own >>> 0 : 0x80004005;
  }
  return new HResultError(call, code, record, { reportedSuccess });
}
