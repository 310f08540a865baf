/**
 * The inbound journal: Zalo has no redelivery (a message the bot received but could not store is
 * gone), so every inbound message is appended to a local file before it is handled and marked done
 * once the handler finished. Entries not marked done (the store was down, the process died) are
 * handed out again at start and when the session retries them.
 *
 * The file (DATA_DIR/zalo-inbound.jsonl) is owner-only (0600), append-only between compactions, one
 * JSON object a line: {"a": message} when a message arrives, {"d": id} when it is done. It is
 * bounded: at most `maxEntries` messages are kept waiting (the oldest are dropped, logged), and the
 * file is rewritten with only the waiting ones when it passes `maxBytes` or `compactEvery` lines.
 * Texts may hold personal details: done entries disappear at the next compaction.
 */
import { appendFileSync, chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../log.js";
import type { InboundMessage } from "../types.js";

/** Where the journal lives in the data folder. */
export function journalPath(dataDir: string): string {
  return join(dataDir, "zalo-inbound.jsonl");
}

/** Options of InboundJournal. */
export interface InboundJournalOptions {
  path: string;
  log?: Logger;
  /** Messages kept waiting at most (default 5000). */
  maxEntries?: number;
  /** Compact when the file is larger (default 4 MB). */
  maxBytes?: number;
  /** Compact after this many appended lines (default 2000). */
  compactEvery?: number;
}

type Line = { a: SerializedMessage } | { d: string };
type SerializedMessage = Omit<InboundMessage, "receivedAt"> & { receivedAt: string };

function serialize(m: InboundMessage): SerializedMessage {
  return { ...m, receivedAt: m.receivedAt.toISOString() };
}

function revive(m: SerializedMessage): InboundMessage {
  return { ...m, receivedAt: new Date(m.receivedAt) };
}

/** A bounded, owner-only, append-only file of inbound messages not yet handled. */
export class InboundJournal {
  private readonly waiting = new Map<string, InboundMessage>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly compactEvery: number;
  private bytes = 0;
  private lines = 0;
  private opened = false;

  constructor(private readonly opts: InboundJournalOptions) {
    this.maxEntries = opts.maxEntries ?? 5000;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.compactEvery = opts.compactEvery ?? 2000;
  }

  /** Reads the file (a torn last line is ignored), compacts it, and returns the messages still waiting, oldest first. */
  open(): InboundMessage[] {
    this.waiting.clear();
    if (existsSync(this.opts.path)) {
      chmodSync(this.opts.path, 0o600);
      for (const raw of readFileSync(this.opts.path, "utf8").split("\n")) {
        if (!raw.trim()) continue;
        let line: Line;
        try {
          line = JSON.parse(raw) as Line;
        } catch {
          this.opts.log?.warn("Zalo journal: a damaged line was skipped");
          continue;
        }
        if ("a" in line) this.keep(revive(line.a));
        else if ("d" in line) this.waiting.delete(line.d);
      }
    }
    this.opened = true;
    this.compact();
    return this.pending();
  }

  /** Messages still waiting, oldest first. */
  pending(): InboundMessage[] {
    return [...this.waiting.values()];
  }

  /** Whether this message id is waiting. */
  has(id: string): boolean {
    return this.waiting.has(id);
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Records a message before it is handled (no-op when it is already waiting). */
  add(msg: InboundMessage): void {
    if (!this.opened) this.open();
    if (this.waiting.has(msg.messageId)) return;
    this.keep(msg);
    this.append({ a: serialize(msg) });
  }

  /** Marks a message handled. */
  done(id: string): void {
    if (!this.waiting.delete(id)) return;
    this.append({ d: id });
  }

  private keep(msg: InboundMessage): void {
    this.waiting.set(msg.messageId, msg);
    while (this.waiting.size > this.maxEntries) {
      const oldest = this.waiting.keys().next().value as string;
      this.waiting.delete(oldest);
      this.opts.log?.error({ messageId: oldest, max: this.maxEntries }, "Zalo journal full: the oldest waiting message was dropped");
    }
  }

  private append(line: Line): void {
    const text = JSON.stringify(line) + "\n";
    try {
      appendFileSync(this.opts.path, text, { mode: 0o600 });
    } catch (err) {
      this.opts.log?.error({ err: (err as Error).message }, "Zalo journal: could not append");
      return;
    }
    this.bytes += Buffer.byteLength(text);
    this.lines++;
    if (this.bytes > this.maxBytes || this.lines >= this.compactEvery) this.compact();
  }

  /** Rewrites the file with only the waiting messages (write to a temporary file, then rename). */
  private compact(): void {
    const body = [...this.waiting.values()].map((m) => JSON.stringify({ a: serialize(m) }) + "\n").join("");
    const tmp = this.opts.path + ".tmp";
    try {
      writeFileSync(tmp, body, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, this.opts.path);
      this.bytes = Buffer.byteLength(body);
      this.lines = this.waiting.size;
    } catch (err) {
      this.opts.log?.error({ err: (err as Error).message }, "Zalo journal: could not compact");
    }
  }
}
