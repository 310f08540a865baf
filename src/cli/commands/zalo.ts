/** `zalo login`: log the bot's Zalo account in by QR code and save its credentials for `npm start`. */
import { loadEnv, ConfigError } from "../../config/env.js";
import { createLogger } from "../../log.js";
import { EXIT, type CliCommand } from "../types.js";

export const zaloLoginCommand: CliCommand = {
  words: ["zalo", "login"],
  id: "zaloLogin",
  args: { min: 0, max: 0 },
  async run(ctx) {
    let env;
    try {
      env = loadEnv(ctx.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      ctx.err(err.message);
      return EXIT.environment;
    }
    try {
      const { zaloLoginInteractive } = await import("../../channels/zalo/index.js"); // zca-js only for this command
      const { ownId, credentialsPath } = await zaloLoginInteractive({
        dataDir: env.DATA_DIR,
        log: createLogger("warn"),
        language: ctx.lng,
      });
      ctx.out(ctx.t("cli:zalo.done", { id: ownId, path: credentialsPath }));
      return EXIT.ok;
    } catch (err) {
      ctx.err(ctx.t("cli:zalo.failed", { detail: (err as Error).message }));
      return EXIT.invalid;
    }
  },
};
