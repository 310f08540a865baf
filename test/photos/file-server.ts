/**
 * A stand-in, on loopback HTTP, for where photos come from, answering as the real services do:
 * - Telegram's Bot API file side: POST /bot<token>/getFile {file_id} → { ok, result: { file_id,
 *   file_unique_id, file_size, file_path } }; a file over 20 MB → 400 "Bad Request: file is too
 *   big"; an unknown file_id → 400 "Bad Request: invalid file_id"; a wrong token → 401
 *   "Unauthorized". GET /file/bot<token>/<file_path> → the bytes; a file_path that expired
 *   (handed out more than `pathTtlMs` ago: Telegram keeps it an hour) → 404.
 * - Zalo's CDN: GET /zalo/<name> → the bytes; once expired → 403 (Zalo's CDN refuses old links).
 * Each file can misbehave: `hang` (headers sent, the body never ends), `fail5xx` (the next n
 * downloads answer 502), `lieSize` (no content-length, more bytes than getFile said).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A JPEG of `n` bytes (a real signature, then filler). */
export function jpeg(n: number, fill = 7): Uint8Array {
  const data = new Uint8Array(Math.max(n, 4)).fill(fill);
  data.set([0xff, 0xd8, 0xff, 0xe0]);
  return data;
}

/** A PNG of `n` bytes. */
export function png(n: number): Uint8Array {
  const data = new Uint8Array(Math.max(n, 8)).fill(1);
  data.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return data;
}

export interface StoredFile {
  bytes: Uint8Array;
  uniqueId: string;
  /** What getFile reports (default: the real length); above 20 MB getFile refuses. */
  size?: number;
  /** Headers, then silence. */
  hang?: boolean;
  /** The next n downloads answer 502. */
  fail5xx?: number;
  /** Sent without content-length. */
  chunked?: boolean;
}

export class PhotoSources {
  private server: Server | null = null;
  readonly telegram = new Map<string, StoredFile>();
  readonly zalo = new Map<string, StoredFile & { expired?: boolean }>();
  /** file_path → when handed out. */
  private readonly paths = new Map<string, { fileId: string; at: number }>();
  /** Every request: method and path (the token shows in paths; tests check it never reaches logs). */
  readonly requests: { method: string; path: string }[] = [];
  /** Completed downloads per file id or Zalo name. */
  readonly downloads = new Map<string, number>();
  pathTtlMs = 3_600_000;
  root = "";
  private readonly hung: ServerResponse[] = [];

  constructor(readonly token: string) {}

  async listen(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.root = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The URL of a Zalo photo. */
  zaloUrl(name: string): string {
    return `${this.root}/zalo/${name}`;
  }

  /** Forget the file paths handed out (as if an hour passed). */
  expirePaths(): void {
    for (const p of this.paths.values()) p.at = -Infinity;
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    this.requests.push({ method: req.method ?? "GET", path });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");

    const getFile = /^\/bot([^/]+)\/getFile$/.exec(path);
    if (getFile) {
      if (getFile[1] !== this.token) return this.json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      let fileId = "";
      try {
        fileId = String((JSON.parse(body || "{}") as { file_id?: unknown }).file_id ?? "");
      } catch {
        fileId = "";
      }
      const file = this.telegram.get(fileId);
      if (!file) return this.json(res, 400, { ok: false, error_code: 400, description: "Bad Request: invalid file_id" });
      const size = file.size ?? file.bytes.length;
      if (size > 20 * 1024 * 1024) return this.json(res, 400, { ok: false, error_code: 400, description: "Bad Request: file is too big" });
      const filePath = `photos/file_${this.paths.size}.jpg`;
      this.paths.set(filePath, { fileId, at: Date.now() });
      return this.json(res, 200, { ok: true, result: { file_id: fileId, file_unique_id: file.uniqueId, file_size: size, file_path: filePath } });
    }

    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (download) {
      const handed = this.paths.get(decodeURIComponent(download[2]!));
      if (download[1] !== this.token || !handed || Date.now() - handed.at > this.pathTtlMs) {
        return this.json(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      }
      return this.serve(res, handed.fileId, this.telegram.get(handed.fileId)!);
    }

    const zalo = /^\/zalo\/([A-Za-z0-9_-]+)$/.exec(path);
    if (zalo) {
      const file = this.zalo.get(zalo[1]!);
      if (!file || file.expired) return void res.writeHead(403, { "content-type": "text/html" }).end("<h1>403 Forbidden</h1>");
      return this.serve(res, zalo[1]!, file);
    }
    res.writeHead(404).end();
  }

  private serve(res: ServerResponse, key: string, file: StoredFile): void {
    if (file.fail5xx && file.fail5xx > 0) {
      file.fail5xx--;
      return void res.writeHead(502, { "content-type": "text/html" }).end("Bad Gateway");
    }
    if (file.hang) {
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": String(file.bytes.length) });
      res.write(file.bytes.subarray(0, 1));
      this.hung.push(res);
      return;
    }
    res.writeHead(200, { "content-type": "image/jpeg", ...(file.chunked ? {} : { "content-length": String(file.bytes.length) }) });
    res.end(Buffer.from(file.bytes));
    this.downloads.set(key, (this.downloads.get(key) ?? 0) + 1);
  }
}
