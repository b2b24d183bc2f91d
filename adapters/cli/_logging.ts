import {
  configure,
  defaultTextFormatter,
  jsonLinesFormatter,
  type LogRecord,
  reset,
} from "@logtape/logtape";

/** How log records are written: text for people, JSON lines for machines. */
export type LogFormat = "text" | "json";

/**
 * Sends podnet's log records (LogTape category `podnet`, every level) to
 * `write`, one line each; returns the function that stops it. The library
 * never configures sinks: the command line does, and only when asked.
 */
export async function startLogging(
  format: LogFormat,
  write: (line: string) => void,
): Promise<() => Promise<void>> {
  const formatter = format === "json" ? jsonLinesFormatter : defaultTextFormatter;
  await configure({
    reset: true,
    sinks: {
      lines: (record: LogRecord) => write(formatter(record).replace(/\r?\n$/, "")),
    },
    loggers: [
      { category: ["podnet"], lowestLevel: "debug", sinks: ["lines"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["lines"] },
    ],
  });
  return () => reset();
}
