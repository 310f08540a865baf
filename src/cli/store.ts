/** Opening the store for a CLI command from the environment (.env included), with readable failures. */
import { loadEnv, type Env } from "../config/env.js";
import { setProcessLanguage } from "../i18n.js";
import { describeStartupError, wantsStack } from "../startup-error.js";
import { openStore, type Store } from "../store/database.js";
import { EXIT, type CliContext, type ExitCode } from "./types.js";

/** Runs `fn` with an open store (PGlite in PGLITE_DIR, or DATABASE_URL) and closes it afterwards. */
export async function withStore(ctx: CliContext, fn: (store: Store, env: Env) => Promise<ExitCode>): Promise<ExitCode> {
  let env: Env;
  let store: Store;
  setProcessLanguage(ctx.lng); // errors raised while opening speak the command's language
  try {
    env = loadEnv(ctx.env);
    store = await openStore({ databaseUrl: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
  } catch (err) {
    ctx.err(describeStartupError(err, { stack: wantsStack(ctx.env) }));
    return EXIT.environment;
  }
  try {
    return await fn(store, env);
  } finally {
    await store.close();
  }
}
