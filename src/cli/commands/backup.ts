/** `backup [--out file]` and `restore <file>`: the embedded store's backups (PostgreSQL: pg_dump). */
import { join, resolve } from "node:path";
import { loadEnv } from "../../config/env.js";
import { setProcessLanguage } from "../../i18n.js";
import { describeStartupError, wantsStack } from "../../startup-error.js";
import { backupStamp, BackupUnsupportedError, restoreBackup, writeBackup } from "../../store/backup.js";
import { withStore } from "../store.js";
import { EXIT, type CliCommand, type CliContext } from "../types.js";

export const backupCommand: CliCommand = {
  words: ["backup"],
  id: "backup",
  args: { min: 0, max: 0 },
  options: { out: { type: "string", short: "o", help: "cli:commands.backup.optOut" } },
  async run(ctx, { options }) {
    return withStore(ctx, async (store, env) => {
      if (!store.backup) {
        ctx.err(new BackupUnsupportedError().message);
        return EXIT.environment;
      }
      const out = typeof options.out === "string" ? options.out : join(env.BACKUP_DIR, `vun-dap-${backupStamp(new Date())}.tar.gz`);
      const written = await writeBackup(store, out);
      ctx.out(ctx.t("backup:done", { dir: resolve(env.PGLITE_DIR), file: written.file, size: Math.ceil(written.bytes / 1024) }));
      return EXIT.ok;
    });
  },
};

function failed(ctx: CliContext, err: unknown): typeof EXIT.environment {
  ctx.err(describeStartupError(err, { stack: wantsStack(ctx.env) }));
  return EXIT.environment;
}

export const restoreCommand: CliCommand = {
  words: ["restore"],
  id: "restore",
  args: { min: 1, max: 1 },
  async run(ctx, { args }) {
    setProcessLanguage(ctx.lng);
    const file = args[0]!;
    let env;
    try {
      env = loadEnv(ctx.env);
      if (env.DATABASE_URL) throw new BackupUnsupportedError();
    } catch (err) {
      return failed(ctx, err);
    }
    try {
      const r = await restoreBackup(file, env.PGLITE_DIR);
      ctx.out(ctx.t("backup:restored", { file, dir: r.dir }));
      if (r.previous) ctx.out(ctx.t("backup:keptAside", { previous: r.previous }));
      return EXIT.ok;
    } catch (err) {
      return failed(ctx, err);
    }
  },
};
