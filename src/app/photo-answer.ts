/**
 * A photo sent while a report is open: the photo question takes it (conversation/engine.ts
 * handlePhoto) and the photo's download job is recorded in the same transaction as the answer
 * (store/photos.ts), so that a photo in a stored conversation or report always has its row and
 * a redelivered update (claimed by its id) records nothing twice. No photo question open: the
 * usual note about messages without text (inbound-notes.ts).
 */
import type { CommandContext } from "../commands/types.js";
import { handlePhoto, type ConversationState } from "../conversation/index.js";
import { vietnamToday } from "../domain/vi/index.js";
import type { Form, PhotoRef } from "../plan/schema.js";
import { loadConversation, type ConversationKey } from "../store/conversations.js";
import { recordPhotoIn } from "../store/photos.js";
import { notifyPhotoRecorded } from "../photos/wake.js";
import { applyStep, conversationKey, formOf } from "./conversation-runner.js";
import { answerNonText } from "./inbound-notes.js";

type Open = NonNullable<Awaited<ReturnType<typeof loadConversation<ConversationState>>>>;

/** The checks an open conversation passes before going on (App.formToContinue: expiry, her role, the form). */
export type ContinueCheck = (key: ConversationKey, open: Open) => Promise<Form | null>;

/**
 * A tap on "Xong" / "Bỏ qua" under a photo acknowledgement while that photo question is still
 * asked: it stays good although photos arrived since (each one saves the conversation, and an
 * album's later photos send no new message with fresh buttons).
 */
export function isPhotoQuestionTap(ctx: CommandContext, state: ConversationState, action: string): boolean {
  if (action !== "d" && action !== "s") return false;
  if (state.phase !== "asking" && state.phase !== "change_answer") return false;
  const form = formOf(ctx.app, state.formKey, state);
  return form?.questions.find((q) => q.key === state.questionKey)?.type === "photo";
}

/** True when the state holds the photo (being collected, or recorded as an answer). */
function holds(state: ConversationState | null, ref: PhotoRef): boolean {
  if (!state) return false;
  const same = (p: unknown) => typeof p === "object" && p !== null && (p as PhotoRef).channel === ref.channel && (p as PhotoRef).uniqueId === ref.uniqueId;
  if (state.photos?.some(same)) return true;
  return Object.values(state.answers).some((v) => Array.isArray(v) && (v as unknown[]).some(same));
}

/**
 * Answers a message carrying a photo (msg.photo). `addressed`: the message speaks to the bot (in a
 * Telegram group, a reply to it); a photo of the album she is sending counts too.
 */
export async function answerPhoto(ctx: CommandContext, addressed: boolean, check: ContinueCheck): Promise<void> {
  const { msg } = ctx;
  const photo = msg.photo;
  const key = conversationKey(msg);
  const open = photo ? await loadConversation<ConversationState>(ctx.app.store, key) : null;
  const inAlbum = Boolean(photo?.group && open?.state.photoGroup === photo.group);
  if (!photo || !open || !(addressed || inAlbum)) return answerNonText(ctx, addressed);
  const form = formOf(ctx.app, open.state.formKey, open.state);
  const ref: PhotoRef = {
    channel: msg.channel,
    fileId: photo.fileId,
    uniqueId: photo.uniqueId,
    ...(photo.size !== undefined ? { size: photo.size } : {}),
    ...(photo.mime !== undefined ? { mime: photo.mime } : {}),
  };
  const step = form ? handlePhoto(open.state, { ref, ...(photo.group ? { group: photo.group } : {}) }, { form, today: vietnamToday(ctx.app.now()) }) : null;
  if (!step) return answerNonText(ctx, addressed);
  // Expired, her role gone, the form gone: ended with its note, the photo not taken.
  if (!(await check(key, open))) return;
  if (holds(step.state, ref) && !holds(open.state, ref)) {
    const unitId = open.state.unitId;
    ctx.write(async (tx) => void (await recordPhotoIn(tx, { ref, unitId, personId: ctx.person.id })));
    ctx.onCommitted(notifyPhotoRecorded);
  }
  await applyStep(ctx, step, open);
}
