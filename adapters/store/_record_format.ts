/**
 * The bytes of a pod's record and journal on disk, and their checksums.
 *
 * A record is two lines: a header naming its generation (one more at every
 * whole write) and the SHA-256 of the generation and the snapshot, then the
 * snapshot as JSON. A journal is lines of `<sha256> <json>`: first a header
 * naming the record (generation and digest) it extends, then one line per
 * write of changes. Each line's digest covers the previous line's digest
 * and its own JSON, as write-ahead logs chain theirs, so a line changed,
 * deleted, duplicated or moved breaks the chain where it happened.
 *
 * SHA-256 is synchronous (`@noble/hashes`): a load checks every journal
 * line, and Web Crypto's promise per line cost more than the digest itself.
 * (`node:crypto` is synchronous too, but its first import costs every
 * command-line start about 15 ms.)
 *
 * @module
 */
import { sha256 as sha256Bytes } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";

/** Whatever makes a file unusable, with the line it is on (1-based). */
export class FormatProblem {
  constructor(readonly line: number, readonly reason: string) {}
}

/** A record file's parts once its checksum matched. */
export interface DecodedRecord {
  /** The snapshot's JSON text. */
  readonly body: string;
  /** 0 for a record written before records had headers. */
  readonly generation: number;
  /** The record's digest, which its journal names. */
  readonly digest: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The hex SHA-256 of a text. */
export function sha256(text: string): string {
  return bytesToHex(sha256Bytes(utf8ToBytes(text)));
}

function recordDigest(generation: number, body: string): string {
  return sha256(`podnet-record\n${generation}\n${body}`);
}

/** The text of a record of generation `generation` holding `body`. */
export function encodeRecord(body: string, generation: number): {
  readonly text: string;
  readonly digest: string;
} {
  const digest = recordDigest(generation, body);
  return {
    text: `${JSON.stringify({ podnet: "record", generation, sha256: digest })}\n${body}\n`,
    digest,
  };
}

/**
 * A record file's parts, its checksum checked. A file of one line with no
 * newline is a record of the format before checksums (generation 0: it
 * cannot be told from damage, and is read as it always was).
 */
export function decodeRecord(text: string): DecodedRecord | FormatProblem {
  const end = text.indexOf("\n");
  if (end < 0) return { body: text, generation: 0, digest: sha256(text) };
  const header = parseJson(text.slice(0, end));
  if (!isRecordHeader(header)) return new FormatProblem(1, "not a record header");
  if (!text.endsWith("\n") || text.indexOf("\n", end + 1) !== text.length - 1) {
    return new FormatProblem(2, "truncated or not one line");
  }
  const body = text.slice(end + 1, -1);
  if (recordDigest(header.generation, body) !== header.sha256) {
    return new FormatProblem(2, "does not match the record's checksum (changed or damaged)");
  }
  return { body, generation: header.generation, digest: header.sha256 };
}

/** The generation a record file claims, without checking it (0: none readable). */
export function claimedGeneration(text: string | undefined): number {
  if (text === undefined) return 0;
  const header = parseJson(text.slice(0, Math.max(0, text.indexOf("\n"))));
  if (isRecordHeader(header)) return header.generation;
  const journal = parseJson(text.slice(65, Math.max(0, text.indexOf("\n"))));
  return isJournalHeader(journal) ? journal.generation : 0;
}

/** The header of a journal and its line, chained from nothing. */
export function journalHeader(generation: number, extendsDigest: string): {
  readonly line: string;
  readonly digest: string;
} {
  return chainLine("", JSON.stringify({ podnet: "journal", generation, extends: extendsDigest }));
}

/** One journal line after the line of digest `previous`, and its digest. */
export function chainLine(previous: string, json: string): {
  readonly line: string;
  readonly digest: string;
} {
  const digest = sha256(`${previous}\n${json}`);
  return { line: `${digest} ${json}\n`, digest };
}

/** What a journal's header says (its own checksum checked). */
export interface JournalHeader {
  readonly generation: number;
  readonly extends: string;
}

/** A journal's checked lines: the header, then the JSON of each change line. */
export interface DecodedJournal {
  readonly header: JournalHeader;
  /** The JSON of each change line, with its line number (1-based). */
  readonly entries: readonly { readonly line: number; readonly json: unknown }[];
  /** The line number of a torn last line that was left out, if any. */
  readonly torn?: number;
}

/**
 * A journal's lines with their chain checked. Only the last line may be
 * torn (no newline after it: a crash while it was appended, before the step
 * it records started); it is left out. Anything else wrong is a problem
 * naming its line. `undefined`: nothing but a torn header.
 */
export function decodeJournal(text: string): DecodedJournal | FormatProblem | undefined {
  const lines = text.split("\n");
  const last = lines.pop() ?? "";
  const torn = last === "" ? undefined : lines.length + 1;
  if (lines.length === 0) return undefined;
  let previous = "";
  let header: JournalHeader | undefined;
  const entries: { line: number; json: unknown }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string;
    const digest = text.slice(0, 64);
    const json = text.slice(65);
    if (!HEX64.test(digest) || text[64] !== " " || sha256(`${previous}\n${json}`) !== digest) {
      return new FormatProblem(
        i + 1,
        "does not match its checksum (a line changed, deleted, duplicated or moved)",
      );
    }
    previous = digest;
    const value = parseJson(json);
    if (i === 0) {
      if (!isJournalHeader(value)) return new FormatProblem(1, "not a journal header");
      header = { generation: value.generation, extends: value.extends };
    } else {
      if (value === undefined) return new FormatProblem(i + 1, "not JSON");
      entries.push({ line: i + 1, json: value });
    }
  }
  return {
    header: header as JournalHeader,
    entries,
    ...(torn === undefined ? {} : { torn }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // The caller says what was expected there.
  }
}

function isRecordHeader(v: unknown): v is { generation: number; sha256: string } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const h = v as Record<string, unknown>;
  return Object.keys(h).length === 3 && h.podnet === "record" && isGeneration(h.generation) &&
    typeof h.sha256 === "string" && HEX64.test(h.sha256);
}

function isJournalHeader(v: unknown): v is { generation: number; extends: string } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const h = v as Record<string, unknown>;
  return Object.keys(h).length === 3 && h.podnet === "journal" && isGeneration(h.generation) &&
    typeof h.extends === "string" && HEX64.test(h.extends);
}

function isGeneration(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
}
