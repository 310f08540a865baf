/** Real-shaped Telegram updates (as the Bot API sends them) and the test bot. */
import type { InboundMessage } from "../../src/channels/types.js";
import type { Store } from "../../src/store/database.js";
import { claimUpdateIn } from "../../src/store/processed-updates.js";
import type { Update, UserFromGetMe } from "grammy/types";

export const TOKEN = "7000000001:AAH-test-token-not-real";

export const BOT: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: "Vun Đắp",
  username: "VunDapBot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export const LAN = { id: 5123456789, is_bot: false, first_name: "Lan", last_name: "Nguyễn Thị", language_code: "vi" } as const;
export const HOA = { id: 5987654321, is_bot: false, first_name: "Hoa", last_name: "Trần", username: "hoatran" } as const;
const BOT_USER = { id: BOT.id, is_bot: true, first_name: BOT.first_name, username: BOT.username } as const;

export const GROUP = { id: -4012345678, title: "Chi hội Yên Tiến", type: "group", all_members_are_administrators: true } as const;
export const SUPERGROUP = { id: -1001987654321, title: "Hội LHPN huyện Ý Yên", type: "supergroup" } as const;
export const DATE = 1748736000; // 2025-06-01T00:00:00Z

export function privateText(update_id: number, text = "Xin chào chị", message_id = 11): Update {
  return {
    update_id,
    message: {
      message_id,
      from: LAN,
      chat: { id: LAN.id, first_name: LAN.first_name, last_name: LAN.last_name, type: "private" },
      date: DATE,
      text,
    },
  } as Update;
}

export function groupReplyToBot(update_id: number, text = "12"): Update {
  return {
    update_id,
    message: {
      message_id: 52,
      from: LAN,
      chat: GROUP,
      date: DATE,
      reply_to_message: {
        message_id: 51,
        from: BOT_USER,
        chat: GROUP,
        date: DATE - 60,
        text: "Chị Lan, số hộ gia đình đăng ký đạt chuẩn tháng này?",
        entities: [{ offset: 4, length: 3, type: "text_mention", user: LAN }],
      },
      text,
    },
  } as unknown as Update; // reply_to_message shapes are narrower in the typings
}

export function groupReplyToPerson(update_id: number): Update {
  return {
    update_id,
    message: {
      message_id: 60,
      from: HOA,
      chat: GROUP,
      date: DATE,
      reply_to_message: { message_id: 59, from: LAN, chat: GROUP, date: DATE - 5, text: "Chào cả nhà" },
      text: "Chào chị",
    },
  } as unknown as Update; // reply_to_message shapes are narrower in the typings
}

export function supergroupMention(update_id: number): Update {
  return {
    update_id,
    message: {
      message_id: 3001,
      from: HOA,
      chat: SUPERGROUP,
      date: DATE,
      text: "@VunDapBot tiến độ tháng này thế nào?",
      entities: [{ offset: 0, length: 10, type: "mention" }],
    },
  } as Update;
}

export function supergroupPlain(update_id: number): Update {
  return {
    update_id,
    message: { message_id: 3002, from: HOA, chat: SUPERGROUP, date: DATE, text: "Cảm ơn các chị 🌸" },
  } as Update;
}

export function groupCommand(update_id: number, text: string, commandLength: number): Update {
  return {
    update_id,
    message: {
      message_id: 70,
      from: HOA,
      chat: SUPERGROUP,
      date: DATE,
      text,
      entities: [{ offset: 0, length: commandLength, type: "bot_command" }],
    },
  } as Update;
}

export function migrateToSupergroup(update_id: number, newChatId = -1002233445566): Update {
  return {
    update_id,
    message: { message_id: 77, from: LAN, chat: GROUP, date: DATE, migrate_to_chat_id: newChatId },
  } as Update;
}

export function editedMessage(update_id: number): Update {
  return {
    update_id,
    edited_message: {
      message_id: 11,
      from: LAN,
      chat: { id: LAN.id, first_name: LAN.first_name, type: "private" },
      date: DATE,
      edit_date: DATE + 30,
      text: "Xin chào chị (sửa)",
    },
  } as Update;
}

/** A 5000-character Vietnamese text of paragraphs. */
export function longVietnameseText(total = 5000): string {
  const sentence =
    "Chi hội phụ nữ thôn Đông đã tổ chức tuyên truyền về bốn chuẩn mực gia đình Việt Nam: no ấm, tiến bộ, hạnh phúc, văn minh. ";
  let text = "";
  let i = 0;
  while (text.length < total) {
    text += sentence;
    if (++i % 6 === 0) text += "\n\n";
  }
  return text.slice(0, total);
}

/**
 * An inbound handler that claims the update id the way the app does (in a transaction, first) and
 * records the message only when the claim is new: what the adapter tests need of the app.
 */
export function claimingHandler(store: Store, received: InboundMessage[], after?: (m: InboundMessage) => Promise<void>) {
  return async (m: InboundMessage): Promise<void> => {
    const fresh = await store.sql.transaction((tx) => (m.updateId ? claimUpdateIn(tx, m.channel, m.updateId) : Promise.resolve(true)));
    if (!fresh) return;
    received.push(m);
    await after?.(m);
  };
}
