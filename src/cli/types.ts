/** The command table of the CLI: add a command by writing a CliCommand and listing it in commands/index.ts. */
import type { Language } from "../i18n.js";

/** Exit codes, documented in `--help`. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, environment: 3, internal: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliContext extends CliIo {
  lng: Language;
  env: Record<string, string | undefined>;
  /** Translation in the chosen language. */
  t(key: string, params?: Record<string, unknown>): string;
}

/** An environment variable, undefined when unset or blank (as loadEnv reads them). */
export function envValue(ctx: Pick<CliContext, "env">, name: string): string | undefined {
  const v = ctx.env[name]?.trim();
  return v ? v : undefined;
}

export interface CliOption {
  type: "string" | "boolean";
  short?: string;
  /** i18n key of the help line, in cli.json. */
  help: string;
}

export interface CliCommand {
  /** The words that name it: ["units", "import"]. */
  words: readonly string[];
  /** Key under "commands" in locales/<lng>/cli.json: usage, summary, details. */
  id: string;
  /** How many positional arguments it takes. */
  args: { min: number; max: number };
  options?: Record<string, CliOption>;
  run(ctx: CliContext, input: { args: string[]; options: Record<string, string | boolean | undefined> }): Promise<ExitCode>;
}
