import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { PNG } from "pngjs";
import type { Clock } from "../../src/channels/zalo/clock.js";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
  every?: number;
}

/** A clock whose time moves only by advance(). */
export class ManualClock implements Clock {
  time = 1_750_000_000_000;
  randomValue = 0.5;
  private timers: Timer[] = [];
  private seq = 0;
  now = () => this.time;
  random = () => this.randomValue;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ id, at: this.time + ms, fn });
    return id;
  };
  setInterval = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ id, at: this.time + ms, fn, every: ms });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== h);
  };
  clearInterval = (h: unknown) => this.clearTimeout(h);
  timerCount(): number {
    return this.timers.length;
  }
  /** Delays (from now) of pending one-shot timers. */
  pendingTimeouts(): number[] {
    return this.timers.filter((t) => t.every === undefined).map((t) => t.at - this.time);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      if (next.every !== undefined) next.at += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.time = end;
  }
}

export interface CapturedLog {
  log: Logger;
  lines: Record<string, unknown>[];
  messages: () => string[];
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines, messages: () => lines.map((l) => String(l.msg ?? "")) };
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "vundap-zalo-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A QR-like module grid: the three finder patterns and pseudo-random data. */
export function qrLikeMatrix(n = 25, seed = 7): boolean[][] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) % 2 === 0);
  const m: boolean[][] = Array.from({ length: n }, () => Array.from({ length: n }, () => rnd()));
  const finder = (r0: number, c0: number) => {
    for (let r = -1; r <= 7; r++)
      for (let c = -1; c <= 7; c++) {
        const rr = r0 + r, cc = c0 + c;
        if (rr < 0 || cc < 0 || rr >= n || cc >= n) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        m[rr]![cc] = ring === 3 || ring <= 1; // dark border, light ring, dark 3x3 centre; separator light
        if (r === -1 || c === -1 || r === 7 || c === 7) m[rr]![cc] = false;
      }
  };
  finder(0, 0);
  finder(0, n - 7);
  finder(n - 7, 0);
  return m;
}

export function matrixToPng(m: boolean[][], scale = 6, margin = 4): Buffer {
  const n = m.length;
  const size = (n + 2 * margin) * scale;
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const r = Math.floor(y / scale) - margin, c = Math.floor(x / scale) - margin;
      const dark = m[r]?.[c] ?? false;
      const i = (y * size + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = dark ? 0 : 255;
      png.data[i + 3] = 255;
    }
  return PNG.sync.write(png);
}

/** Reads back a "plain" terminal rendering into a module grid (quiet zone included). */
export function parsePlainQr(text: string): boolean[][] {
  const rows: boolean[][] = [];
  for (const line of text.split("\n")) {
    const top: boolean[] = [], bottom: boolean[] = [];
    for (const ch of line) {
      // light = ink: █ both light, ▀ top light, ▄ bottom light, space both dark
      top.push(ch === "▄" || ch === " ");
      bottom.push(ch === "▀" || ch === " ");
    }
    rows.push(top, bottom);
  }
  return rows;
}
