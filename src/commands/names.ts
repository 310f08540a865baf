/**
 * Every command word the app answers, in menu order. Channels read it (Telegram's command menu,
 * Zalo's slash-less commands); the command table in index.ts must match it (a test checks).
 */
export const COMMAND_NAMES = [
  "batdau",
  "trogiup",
  "baocao",
  "tiendo",
  "nhacnho",
  "sua",
  "huy",
  "dangky",
  "lienket",
  "moi",
  "noidung",
  "xuat",
  "baocaotonghop",
  "tamdung",
  "tieptuc",
  "tinloi",
  "web",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];
