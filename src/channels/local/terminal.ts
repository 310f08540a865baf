/**
 * The local chat: a terminal where you act as a person in a group, against the same app core,
 * engine and store as Telegram and Zalo. For trying the bot without any account.
 * Lines starting with ":" drive the simulation (switch person or group); anything else is a
 * chat message from the current person in the current group.
 */
import { sanitizeInbound } from "../sanitize.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { localInstant, localIsoDate, localTimeText } from "../../domain/periods.js";
import { formatDate, isValidDate } from "../../domain/vi/index.js";
import { t } from "../../i18n.js";
import type { ChannelSender, InboundHandler, OutboundMessage, SendResult } from "../types.js";

export interface LocalChat {
  id: string;
  title: string;
  type: "private" | "group";
}

export interface LocalPerson {
  id: string;
  name: string;
}

/**
 * Prints what the bot sends; the outbox hands local messages to it like to any channel.
 * Files (pictures, workbooks) are written to `fileDir` and their path is shown.
 */
export class TerminalSender implements ChannelSender {
  readonly channel = "local" as const;
  private counter = 0;
  constructor(
    private readonly out: (line: string) => void,
    private readonly chatTitle: (chatId: string) => string,
    private readonly fileDir = "data/out",
  ) {}

  async send(msg: OutboundMessage): Promise<SendResult> {
    const id = `bot-${++this.counter}`;
    const to = msg.askPerson ? t("local:asks", { name: msg.askPerson.name }) : "";
    let file = "";
    if (msg.file) {
      mkdirSync(this.fileDir, { recursive: true });
      const path = resolve(join(this.fileDir, msg.file.name));
      writeFileSync(path, msg.file.data);
      file = `\n${t("local:file", { name: path })}`;
    }
    this.out(`\n[${this.chatTitle(msg.chatId)}] ${t("local:bot")}${to}:\n${msg.text}${file}\n`);
    return { messageId: id };
  }
}

export interface TerminalOptions {
  chats: LocalChat[];
  people: LocalPerson[];
  onInbound: InboundHandler;
  input?: NodeJS.ReadableStream;
  output?: (line: string) => void;
  /**
   * The clock, which `:gio dd/mm/yyyy [HH:mm]` moves; absent: the real clock, not movable.
   * `simulated`: it is not the real time now (announced at start).
   */
  clock?: { now(): Date; set(at: Date): void; readonly simulated?: boolean };
  /** Called when the person types :thoat or the input ends. */
  onExit?: () => void | Promise<void>;
}

/** Turn a person's name into a stable id ("Chị Lan" → "chi-lan"). */
export function personIdOf(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/gi, "d")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** "dd/mm/yyyy" or "dd/mm/yyyy HH:mm", local time (Asia/Ho_Chi_Minh). */
export function parseLocalDateTime(text: string): Date | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [d, mo, y, h = "9", mi = "0"] = m.slice(1).map((x) => x ?? undefined) as string[];
  if (!isValidDate({ year: Number(y), month: Number(mo), day: Number(d) })) return null;
  return localInstant(Number(y), Number(mo), Number(d), Number(h), Number(mi));
}

function formatLocal(at: Date): string {
  return `${localTimeText(at)} ${formatDate(localIsoDate(at))}`;
}

export class TerminalChat {
  private rl: Interface | null = null;
  private chat: LocalChat;
  private person: LocalPerson;
  private counter = 0;
  private readonly out: (line: string) => void;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: TerminalOptions) {
    this.chat = opts.chats[0]!;
    this.person = opts.people[0]!;
    this.out = opts.output ?? ((line) => process.stdout.write(`${line}\n`));
  }

  chatTitle = (chatId: string): string => this.opts.chats.find((c) => c.id === chatId)?.title ?? chatId;

  prompt(): string {
    return `${this.person.name} @ ${this.chat.title} > `;
  }

  start(): void {
    this.out(t("local:welcome", { chats: this.opts.chats.map((c) => `  ${c.id} — ${c.title}`).join("\n") }));
    if (this.opts.clock?.simulated) this.out(t("local:time_simulated", { at: formatLocal(this.opts.clock.now()) }));
    this.rl = createInterface({ input: this.opts.input ?? process.stdin, output: process.stdout, terminal: false });
    this.rl.on("line", (line) => {
      // Lines are handled one after another, in order, even when the input arrives all at once.
      this.queue = this.queue.then(() => this.handleLine(line)).catch((err) => this.out(String(err)));
    });
    this.rl.on("close", () => {
      void this.queue.then(() => this.opts.onExit?.());
    });
    this.showPrompt();
  }

  private showPrompt(): void {
    process.stdout.write(this.prompt());
  }

  /** Handle one typed line (exposed for tests). */
  async handleLine(raw: string): Promise<void> {
    const line = raw.trim();
    if (!line) return this.showPrompt();
    if (line.startsWith(":")) {
      this.meta(line);
      return this.showPrompt();
    }
    await this.opts.onInbound(sanitizeInbound({
      channel: "local",
      chatId: this.chat.id,
      chatType: this.chat.type,
      chatTitle: this.chat.title,
      sender: { id: this.person.id, name: this.person.name },
      text: line,
      messageId: `local-${++this.counter}`,
      receivedAt: new Date(),
    }));
    // The prompt comes back with the bot's answer (the sender prints it after each message).
  }

  private meta(line: string): void {
    const [cmd, ...rest] = line.slice(1).split(/\s+/);
    const arg = rest.join(" ").trim();
    switch ((cmd ?? "").toLowerCase()) {
      case "nguoi":
      case "n": {
        if (!arg) return this.out(t("local:people", { list: this.opts.people.map((p) => `  ${p.name}`).join("\n") }));
        const id = personIdOf(arg);
        let person = this.opts.people.find((p) => p.id === id);
        if (!person) {
          person = { id, name: arg };
          this.opts.people.push(person);
        }
        this.person = person;
        return this.out(t("local:now_person", { name: person.name }));
      }
      case "nhom":
      case "g": {
        const chat = this.opts.chats.find((c) => c.id === arg || personIdOf(c.title) === personIdOf(arg));
        if (!chat) return this.out(t("local:chats", { list: this.opts.chats.map((c) => `  ${c.id} — ${c.title}`).join("\n") }));
        this.chat = chat;
        return this.out(t("local:now_chat", { title: chat.title }));
      }
      case "gio": {
        const at = parseLocalDateTime(arg);
        if (!this.opts.clock || !at) return this.out(t("local:time_usage"));
        this.opts.clock.set(at);
        return this.out(t("local:time_now", { at: formatLocal(at) }));
      }
      case "thoat":
      case "q":
        this.rl?.close();
        return;
      default:
        return this.out(t("local:meta_help"));
    }
  }

  close(): void {
    this.rl?.close();
  }
}
