/**
 * A gzip tarball of a PGlite data folder read straight from the disk, in the layout of PGlite's own
 * `dumpDataDir("gzip")` (entries named "/PG_VERSION", "/base/1/112"…), so that `loadDataDir` (and
 * `restore`) read it the same. PGlite's dump reads every file through its WebAssembly file system
 * into one buffer (the whole folder, ~40 MB for an empty store) before compressing it, which leaves
 * about 55 MB more resident in the bot after each daily backup; this reads one file at a time in
 * 1 MB pieces. The caller keeps the database quiet meanwhile (PGlite's query lock, after a CHECKPOINT).
 */
import { closeSync, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";

const BLOCK = 512;
const PIECE = 1 << 20;

/** A ustar header block for `name` ("/base/1/112"). */
function header(name: string, mode: number, size: number, mtimeMs: number, dir: boolean): Buffer {
  const h = Buffer.alloc(BLOCK);
  let base = name;
  let prefix = "";
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (cut <= 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) throw new Error(`path too long for a tar entry: ${name}`);
  }
  const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, "0")}\0`;
  h.write(base, 0, 100, "utf8");
  h.write(octal(mode & 0o7777, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid
  h.write(octal(0, 8), 116, "ascii"); // gid
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(Math.floor(mtimeMs / 1000), 12), 136, "ascii");
  h.write("        ", 148, "ascii"); // checksum, counted as spaces
  h.write(dir ? "5" : "0", 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

/** The tar stream of `root`'s folders and regular files (sorted; `skip` names at the top are left out). */
function* tarEntries(root: string, skip: ReadonlySet<string>): Generator<Buffer> {
  function* walk(rel: string): Generator<Buffer> {
    const names = readdirSync(join(root, rel)).sort();
    for (const n of names) {
      if (rel === "" && skip.has(n)) continue;
      const r = `${rel}/${n}`;
      const st = lstatSync(join(root, r));
      if (st.isDirectory()) {
        yield header(r, st.mode, 0, st.mtimeMs, true);
        yield* walk(r);
      } else if (st.isFile()) {
        yield header(r, st.mode, st.size, st.mtimeMs, false);
        const fd = openSync(join(root, r), "r");
        try {
          let left = st.size;
          while (left > 0) {
            const piece = Buffer.alloc(Math.min(PIECE, left));
            const got = readSync(fd, piece, 0, piece.length, st.size - left);
            if (got === 0) break; // shorter than stat said: the rest stays zeros
            left -= got;
            yield got === piece.length ? piece : piece.subarray(0, got);
          }
          if (left > 0) yield Buffer.alloc(left);
        } finally {
          closeSync(fd);
        }
        const pad = (BLOCK - (st.size % BLOCK)) % BLOCK;
        if (pad > 0) yield Buffer.alloc(pad);
      }
    }
  }
  yield* walk("");
  yield Buffer.alloc(2 * BLOCK);
}

/** The gzip tarball of the folder `root` (files named `skip` at its top left out). */
export async function tarGzipFolder(root: string, skip: readonly string[] = []): Promise<Blob> {
  const chunks: Buffer[] = [];
  const gzip = Readable.from(tarEntries(root, new Set(skip)), { objectMode: false }).pipe(createGzip());
  for await (const c of gzip) chunks.push(c as Buffer);
  return new Blob(chunks, { type: "application/x-gzip" });
}
