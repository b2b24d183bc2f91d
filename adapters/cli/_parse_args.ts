/**
 * The part of `node:util`'s `parseArgs` (strict mode) the command line uses,
 * with its results and its messages: string and boolean options, `-x` short
 * names, `--name=value`, defaults, positionals and `--`.
 *
 * Written here because importing `node:util` loads Deno's Node.js
 * compatibility layer, about 8 ms of every command's start-up, for a loop
 * over a dozen arguments. tests/parse_args_test.ts checks it against
 * `node:util` on generated command lines.
 *
 * @module
 */
import type { parseArgs as nodeParseArgs, ParseArgsOptionsConfig } from "node:util";

/** What `parseArgs` returns for these options (the types of `node:util`'s). */
export type ParsedArgs<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof nodeParseArgs<{ args: string[]; options: T; strict: true; allowPositionals: boolean }>
>;

/** A command line that the options do not allow; the message is `node:util`'s. */
export class ParseArgsError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "ParseArgsError";
  }
}

/**
 * Parses `args` as `node:util`'s `parseArgs({ args, options, strict: true,
 * allowPositionals })` does, and fails where it fails, with its messages.
 */
export function parseArgs<T extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: T,
  allowPositionals: boolean,
): ParsedArgs<T> {
  const values: Record<string, string | boolean> = Object.create(null);
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.short !== undefined) byShort.set(o.short, name);
  }
  const typeOf = (name: string) => Object.hasOwn(options, name) ? options[name]?.type : undefined;

  const use = (name: string, rawName: string, value: string | undefined, inline: boolean) => {
    const option = Object.hasOwn(options, name) ? options[name] : undefined;
    if (option === undefined) {
      throw new ParseArgsError(
        `Unknown option '${rawName}'` +
          (allowPositionals
            ? `. To specify a positional argument starting with a '-', place it at the end ` +
              `of the command after '--', as in '-- ${JSON.stringify(rawName)}`
            : ""),
      );
    }
    const shortAndLong = `${option.short === undefined ? "" : `-${option.short}, `}--${name}`;
    if (option.type === "string" && value === undefined) {
      throw new ParseArgsError(`Option '${shortAndLong} <value>' argument missing`);
    }
    if (option.type === "boolean" && value !== undefined) {
      throw new ParseArgsError(`Option '${shortAndLong}' does not take an argument`);
    }
    if (option.type === "string" && !inline && value !== undefined && optionLike(value)) {
      const example = rawName.startsWith("--")
        ? `'${rawName}=-XYZ'`
        : `'--${name}=-XYZ' or '${rawName}-XYZ'`;
      throw new ParseArgsError(
        `Option '${rawName}' argument is ambiguous.\n` +
          `Did you forget to specify the option argument for '${rawName}'?\n` +
          `To specify an option argument starting with a dash use ${example}.`,
      );
    }
    values[name] = value ?? true;
  };

  const positional = (arg: string) => {
    if (!allowPositionals) {
      throw new ParseArgsError(
        `Unexpected argument '${arg}'. This command does not take positional arguments`,
      );
    }
    positionals.push(arg);
  };

  const rest = [...args];
  while (rest.length > 0) {
    const arg = rest.shift() ?? "";
    if (arg === "--") {
      for (const p of rest.splice(0)) positional(p);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq === -1) {
        const name = arg.slice(2);
        const value = typeOf(name) === "string" ? rest.shift() : undefined;
        use(name, arg, value, false);
      } else {
        use(arg.slice(2, eq), arg.slice(0, eq), arg.slice(eq + 1), true);
      }
    } else if (arg.length > 1 && arg.startsWith("-")) {
      const short = arg.charAt(1);
      const name = byShort.get(short) ?? short;
      if (arg.length === 2) {
        const value = typeOf(name) === "string" ? rest.shift() : undefined;
        use(name, arg, value, false);
      } else if (typeOf(name) === "string") {
        use(name, `-${short}`, arg.slice(2), true);
      } else {
        // A group of short flags: -ab is -a -b, and -abVALUE is -a -bVALUE when -b takes a value.
        const expanded: string[] = [];
        for (let i = 1; i < arg.length; i++) {
          const c = arg.charAt(i);
          if (typeOf(byShort.get(c) ?? c) !== "string" || i === arg.length - 1) {
            expanded.push(`-${c}`);
          } else {
            expanded.push(`-${arg.slice(i)}`);
            break;
          }
        }
        rest.unshift(...expanded);
      }
    } else {
      positional(arg);
    }
  }
  for (const [name, o] of Object.entries(options)) {
    if (o.default !== undefined && values[name] === undefined) values[name] = o.default as string;
  }
  return { values, positionals } as unknown as ParsedArgs<T>;
}

function optionLike(value: string): boolean {
  return value.length > 1 && value.startsWith("-");
}
