/**
 * /web (private chat): a one-time link to the web dashboard, valid 10 minutes. The link's hash is
 * written in the message's transaction, with the reply (src/app/unit-of-work.ts).
 */
import { t } from "../i18n.js";
import { createLoginLinkIn, LINK_VALID_MS } from "../web/login-links.js";
import type { Command } from "./types.js";

/** The sign-in URL for a token under the dashboard's base URL. */
export function loginUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/web/dangnhap?t=${encodeURIComponent(token)}`;
}

export const webCommand: Command = {
  name: "web",
  needs: "view",
  privateOnly: true,
  async run(ctx) {
    const base = ctx.app.webBaseUrl;
    if (!base) return ctx.reply(t("web:command.not_configured"));
    const personId = ctx.person.id;
    const now = ctx.app.now();
    ctx.write(async (tx) => {
      const token = await createLoginLinkIn(tx, personId, now);
      await ctx.reply(t("web:command.link", { url: loginUrl(base, token), minutes: LINK_VALID_MS / 60_000 }));
    });
    ctx.app.log.info({ personId }, "web sign-in link made");
  },
};
