/** Opening the store for a CLI command from the environment (.env included), with readable failures. */
import { ConfigError, loadEnv, type Env } from "../config/env.js";
import { openStore, type Store } from "../store/database.js";
import { StoreLockedError } from "../store/lock.js";
import { MigrationError } from "../store/migrate.js";
import { EXIT, type CliContext, type ExitCode } from "./types.js";

/** Runs `fn` with an open store (PGlite in PGLITE_DIR, or DATABASE_URL) and closes it afterwards. */
export async function withStore(ctx: CliContext, fn: (store: Store, env: Env) => Promise<ExitCode>): Promise<ExitCode> {
  let env: Env;
  let store: Store;
  try {
    env = loadEnv(ctx.env);
    store = await openStore({ databaseUrl: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StoreLockedError || err instanceof MigrationError) ctx.err(err.message);
    else ctx.err(ctx.t("cli:errors.store", { detail: (err as Error).message }));
    return EXIT.environment;
  }
  try {
    return await fn(store, env);
  } finally {
    await store.close();
  }
}
