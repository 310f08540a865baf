/**
 * Short notes for messages the app does not take as input: messages sent in the name of a chat
 * (anonymous admins, channels), edited messages, and photos, stickers, voice… When nobody asked
 * anything they stay unanswered in groups; during an open question she is told what was (not)
 * taken and what to send instead.
 */
import type { InboundMessage } from "../channels/types.js";
import type { CommandContext } from "../commands/types.js";
import { t } from "../i18n.js";

/** True when the message speaks to the bot: a private chat, a command, a mention, a reply to the bot. */
function speaksToBot(msg: InboundMessage): boolean {
  return msg.chatType === "private" || /^\/[a-z]/i.test(msg.text.trim()) || Boolean(msg.mentionsBot || msg.replyTo?.fromBot);
}

/**
 * The note for a message sent in the name of a chat (no person behind it: it may not register or
 * act with any role), or null when it does not speak to the bot (group chatter, edits: ignored).
 */
export function chatSenderNote(msg: InboundMessage): string | null {
  if (!msg.senderIsChat || msg.kind === "edited" || !speaksToBot(msg)) return null;
  return t("bot:denied.as_chat");
}

/**
 * Answers an edited or non-text message: during an open question (addressed to the bot as answers
 * must be) a note on what was taken and what to resend; a photo or sticker in a private chat gets
 * a pointer to the help; anything else is ignored.
 */
export async function answerNonText(ctx: CommandContext, addressed: boolean): Promise<void> {
  const { msg } = ctx;
  const open = ctx.conversation;
  const what = t(`bot:input.media.${msg.media ?? "other"}`);
  if (open && open.expiresAt.getTime() >= ctx.app.now().getTime() && addressed) {
    const note = msg.kind === "edited" ? t("bot:input.edited_in_question") : t("bot:input.media_in_question", { what });
    await ctx.reply(note, { ask: true });
    return;
  }
  if (msg.kind === "media" && msg.chatType === "private") await ctx.reply(t("bot:input.media_private", { what }));
}
