/** /batdau and /trogiup: greet, and list what this person may do. */
import { actionsOf, type Action } from "../domain/permissions.js";
import { bareName } from "../domain/vi/address.js";
import { t } from "../i18n.js";
import type { Command, CommandContext } from "./types.js";

/** Commands in the order /trogiup lists them, with the action each needs (none: anyone). */
const HELP_ORDER: { name: string; needs?: Action }[] = [
  { name: "baocao", needs: "report" },
  { name: "sua", needs: "report" },
  { name: "huy" },
  { name: "nhacnho" },
  { name: "tiendo", needs: "view" },
  { name: "xuat", needs: "view" },
  { name: "baocaotonghop", needs: "view" },
  { name: "web", needs: "view" },
  { name: "noidung" },
  { name: "lienket", needs: "link" },
  { name: "moi", needs: "invite" },
  { name: "tamdung", needs: "admin" },
  { name: "tieptuc", needs: "admin" },
  { name: "tinloi", needs: "admin" },
  { name: "dangky" },
  { name: "trogiup" },
];

export function helpText(ctx: CommandContext): string {
  const actions = actionsOf(ctx.grants);
  if (ctx.grants.length === 0) return t("bot:help.unregistered");
  const lines = HELP_ORDER.filter((c) => !c.needs || actions.has(c.needs)).map((c) => t(`bot:help.commands.${c.name}`));
  return [t("bot:help.header"), ...lines].join("\n");
}

export const startCommand: Command = {
  name: "batdau",
  aliases: ["start"],
  async run(ctx) {
    const tree = ctx.app.tree();
    const units = [...new Set(ctx.grants.map((g) => g.unitId))]
      .map((id) => tree.byId(id)?.name)
      .filter(Boolean)
      .join(", ");
    const greeting = ctx.grants.length
      ? t("bot:start.registered", { name: bareName(ctx.person.displayName), units })
      : t("bot:start.unregistered", { name: bareName(ctx.person.displayName) });
    await ctx.reply(`${greeting}\n\n${helpText(ctx)}`);
  },
};

export const helpCommand: Command = {
  name: "trogiup",
  async run(ctx) {
    await ctx.reply(helpText(ctx));
  },
};
