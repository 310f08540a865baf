/**
 * The administrators' command line: `npm run cli -- <command> [arguments]` (see --help).
 * Commands live in a table (commands/index.ts); texts in locales/{vi,en}/cli.json.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import dotenv from "dotenv";
import { t as translate, type Language } from "../i18n.js";
import { describeStartupError, wantsStack } from "../startup-error.js";
import { OWNER_ONLY_UMASK } from "../store/file-modes.js";
import { COMMANDS } from "./commands/index.js";
import { EXIT, type CliCommand, type CliContext, type CliIo, type ExitCode } from "./types.js";

export { COMMANDS } from "./commands/index.js";
export { EXIT, type CliCommand, type CliContext } from "./types.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

const GLOBAL_OPTIONS: Options = {
  help: { type: "boolean", short: "h" },
  lang: { type: "string" },
};

function optionsOf(cmd: CliCommand | undefined): Options {
  const out: Options = { ...GLOBAL_OPTIONS };
  for (const [name, o] of Object.entries(cmd?.options ?? {})) out[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  return out;
}

/** The command named by the leading words, the longest match first. */
function findCommand(words: readonly string[]): CliCommand | undefined {
  const sorted = [...COMMANDS].sort((a, b) => b.words.length - a.words.length);
  return sorted.find((c) => c.words.every((w, i) => words[i]?.toLowerCase() === w));
}

function pad(s: string, n: number): string {
  return s.length >= n ? `${s}  ` : s + " ".repeat(n - s.length);
}

function globalHelp(ctx: CliContext): string {
  const usages = COMMANDS.map((c) => ctx.t(`cli:commands.${c.id}.usage`));
  usages.push(ctx.t("cli:commands.help.usage"));
  const width = Math.max(...usages.map((u) => u.length)) + 3;
  const lines = [ctx.t("cli:help.title"), "", ctx.t("cli:help.usage"), "", ctx.t("cli:help.commands")];
  COMMANDS.forEach((c, i) => lines.push(`  ${pad(usages[i]!, width)}${ctx.t(`cli:commands.${c.id}.summary`)}`));
  lines.push(`  ${pad(usages[usages.length - 1]!, width)}${ctx.t("cli:commands.help.summary")}`);
  lines.push("", ctx.t("cli:help.globalOptions"), `  ${ctx.t("cli:help.optHelp")}`, `  ${ctx.t("cli:help.optLang")}`);
  lines.push("", ctx.t("cli:help.store"), ctx.t("cli:help.exitCodes"), "", ctx.t("cli:help.more"));
  return lines.join("\n");
}

function commandHelp(ctx: CliContext, cmd: CliCommand): string {
  const lines = [
    ctx.t("cli:help.commandUsage", { usage: ctx.t(`cli:commands.${cmd.id}.usage`) }),
    "",
    ctx.t(`cli:commands.${cmd.id}.summary`),
    "",
    ctx.t(`cli:commands.${cmd.id}.details`),
    "",
    ctx.t("cli:help.options"),
  ];
  for (const o of Object.values(cmd.options ?? {})) lines.push(`  ${ctx.t(o.help)}`);
  lines.push(`  ${ctx.t("cli:help.optHelp")}`, `  ${ctx.t("cli:help.optLang")}`, "", ctx.t("cli:help.exitCodes"));
  return lines.join("\n");
}

function languageOf(value: unknown, env: Record<string, string | undefined>): Language | null {
  if (typeof value === "string") return value === "vi" || value === "en" ? value : null;
  return env.LANGUAGE === "en" ? "en" : "vi";
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<ExitCode> {
  // First pass: every option any command knows, only to find the command words.
  const allOptions: Options = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(allOptions, optionsOf(c));
  const loose = parseArgs({ args: [...argv], options: allOptions, allowPositionals: true, strict: false });
  const lng = languageOf(loose.values.lang, env);
  const ctx: CliContext = {
    ...io,
    lng: lng ?? "vi",
    env,
    t: (key, params) => translate(key, params, lng ?? "vi"),
  };
  if (!lng) {
    ctx.err(ctx.t("cli:errors.badLang", { lang: loose.values.lang }));
    return EXIT.usage;
  }

  let words = loose.positionals;
  let helpWanted = loose.values.help === true;
  if (words[0]?.toLowerCase() === "help") {
    helpWanted = true;
    words = words.slice(1);
  }
  const cmd = findCommand(words);
  if (!cmd) {
    if (words.length === 0) {
      if (helpWanted) {
        ctx.out(globalHelp(ctx));
        return EXIT.ok;
      }
      ctx.err(ctx.t("cli:errors.missingCommand"));
    } else ctx.err(ctx.t("cli:errors.unknownCommand", { command: words.join(" ") }));
    ctx.err("");
    ctx.err(globalHelp(ctx));
    return EXIT.usage;
  }
  if (helpWanted) {
    ctx.out(commandHelp(ctx, cmd));
    return EXIT.ok;
  }

  // Second pass: strictly, with this command's options.
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: optionsOf(cmd), allowPositionals: true, strict: true });
  } catch (err) {
    ctx.err(ctx.t("cli:errors.badArgs", { detail: (err as Error).message }));
    ctx.err(ctx.t("cli:help.commandUsage", { usage: ctx.t(`cli:commands.${cmd.id}.usage`) }));
    return EXIT.usage;
  }
  const args = parsed.positionals.slice(cmd.words.length);
  const name = cmd.words.join(" ");
  if (args.length < cmd.args.min || args.length > cmd.args.max) {
    ctx.err(
      args.length < cmd.args.min
        ? ctx.t("cli:errors.tooFewArgs", { command: name })
        : ctx.t("cli:errors.tooManyArgs", { command: name, extra: args.slice(cmd.args.max).join(" ") }),
    );
    ctx.err(ctx.t("cli:help.commandUsage", { usage: ctx.t(`cli:commands.${cmd.id}.usage`) }));
    return EXIT.usage;
  }
  try {
    return await cmd.run(ctx, { args, options: parsed.values as Record<string, string | boolean | undefined> });
  } catch (err) {
    ctx.err(wantsStack(env) ? ctx.t("cli:errors.unexpected", { detail: (err as Error).stack ?? String(err) }) : describeStartupError(err));
    return EXIT.internal;
  }
}

function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.umask(OWNER_ONLY_UMASK);
  dotenv.config({ quiet: true });
  const code = await runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
  process.exitCode = code;
}
