/**
 * What bench:pipeline and bench:baseline share, so that both run the very same flow: each leader's
 * answers to the branch monthly form, her messages as Telegram delivers them, a fake Bot API
 * transport, and the figures' arithmetic.
 */
import type { Update } from "grammy/types";
import { BOT } from "../test/telegram/fixtures.js";

/** A leader's answers after /baocao: the form's ten questions (photos skipped), then "gửi" at the summary. */
export const ANSWERS = ["co", "3", "45", "1,2", "2 ho", "bo qua", "ko", "bo qua", "bo qua", "gui"];

/** A fake Bot API transport: every call succeeds at once, with a fresh message id; sent texts kept, per chat too. */
export function fakeBotApi(): { fetch: typeof fetch; sends: () => number; texts: () => string[]; byChat: Map<string, string[]> } {
  let n = 0;
  const texts: string[] = [];
  const byChat = new Map<string, string[]>();
  const f = async (url: unknown, init?: { body?: unknown }) => {
    n++;
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : {};
    if (/\/send[A-Z]/.test(String(url))) {
      const text = String(body.text ?? body.caption ?? "");
      texts.push(text);
      const list = byChat.get(String(body.chat_id)) ?? [];
      list.push(text);
      byChat.set(String(body.chat_id), list);
    }
    const result = { message_id: 100000 + n, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: "supergroup" }, text: body.text };
    return new Response(JSON.stringify({ ok: true, result }), { headers: { "content-type": "application/json" } });
  };
  return { fetch: f as unknown as typeof fetch, sends: () => texts.length, texts: () => [...texts], byChat };
}

/**
 * Makes a leader's group messages as Telegram delivers them (fresh update and message ids): a
 * command with its entity, an answer as a reply to the bot's question.
 */
export function leaderUpdates(now: Date): (l: { userId: number; chatId: number }, text: string, reply: boolean) => Update {
  let updateId = 1;
  let messageId = 1;
  return (l, text, reply) =>
    ({
      update_id: updateId++,
      message: {
        message_id: messageId++,
        date: Math.floor(now.getTime() / 1000),
        chat: { id: l.chatId, type: "supergroup", title: "Chi hội" },
        from: { id: l.userId, is_bot: false, first_name: "Chị", last_name: String(l.userId) },
        text,
        ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] } : {}),
        ...(reply
          ? { reply_to_message: { message_id: 1, date: 0, chat: { id: l.chatId, type: "supergroup", title: "Chi hội" }, from: { id: BOT.id, is_bot: true, first_name: "Vun Đắp", username: BOT.username }, text: "?" } }
          : {}),
      },
    }) as Update;
}

/**
 * Every leader at once, each sending /baocao then ANSWERS one after another (each update as a
 * reply to the bot's last question), each handed to `handle`; resolves with every update's latency
 * in milliseconds, from making it to `handle` resolving.
 */
export async function driveLeaders<L extends { userId: number; chatId: number }>(
  leaders: readonly L[],
  update: (l: L, text: string, reply: boolean) => Update,
  handle: (u: Update) => Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    leaders.map(async (l) => {
      const script = ["/baocao", ...ANSWERS];
      for (let i = 0; i < script.length; i++) {
        const t0 = performance.now();
        await handle(update(l, script[i]!, i > 0));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies;
}

/** The p-th percentile (0–100) of ascending values (0 when there are none). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Rounded to one decimal. */
export const round1 = (x: number) => Math.round(x * 10) / 10;
