/**
 * UTF-16LE strings as the Windows DLLs take them: NUL-terminated buffers in,
 * returned strings measured and copied out in one piece.
 *
 * @module
 */
import { InvalidArgumentError } from "../../domain/errors.ts";

const decoder = new TextDecoder("utf-16le", { ignoreBOM: true });

/**
 * Encodes text as a NUL-terminated UTF-16LE buffer (`PCWSTR`). JavaScript
 * strings are UTF-16 already, so characters outside the BMP travel as their
 * surrogate pairs, unchanged. Text containing U+0000 is rejected: the DLL
 * would stop reading there. (Little-endian: every platform Windows runs on.)
 * (`encodeWide("h𝄞")` is `[104, 55348, 56606, 0]`.)
 *
 * @param text the text
 * @param what what the text is, for the error ("query", "configuration"...)
 */
export function encodeWide(text: string, what = "text"): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) {
      throw new InvalidArgumentError(what, `contains U+0000 at index ${i}`);
    }
    out[i] = unit;
  }
  return out;
}

/**
 * Decodes `length` UTF-16LE code units at `pointer` into a string (one copy,
 * one decode). A byte-order mark is kept; an unpaired surrogate becomes
 * U+FFFD.
 *
 * @param pointer where the string starts
 * @param length its length in code units (from `lstrlenW`)
 */
export function decodeWide(pointer: Deno.PointerObject, length: number): string {
  if (length <= 0) return "";
  const units = new Uint16Array(length);
  Deno.UnsafePointerView.copyInto(pointer, units);
  return decoder.decode(units);
}
