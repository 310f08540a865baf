/**
 * Start-up errors an operator can act on, with real processes (`npm start`, `npm run cli`): one
 * line naming the variable or file, what was found and what to check (file errors add their
 * numbered lines), never a stack (unless LOG_LEVEL=debug) nor a password; exit status non-zero.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { t } from "../../src/i18n.js";
import { explainPostgresError } from "../../src/store/errors.js";
import { openStore } from "../../src/store/database.js";
import { PG_ADMIN_URL, tempDir } from "../helpers/db.js";
import { runProgram } from "../store/run.js";
import { copyOf, lines, makeTemplate, startEnv } from "./helpers.js";

const SLOW = 180_000;
const dirs = tempDir("vundap-startup-");
afterAll(() => dirs.remove());
const template = join(dirs.dir, "template");
beforeAll(() => makeTemplate(template), SLOW);

let n = 0;
/** A fresh root folder for one start. */
function root(): string {
  const dir = join(dirs.dir, `run${++n}`);
  mkdirSync(dir);
  return dir;
}

const STACK = /^\s+at /m;
const start = (env: Record<string, string>) => runProgram(["src/main.ts"], env, SLOW);
const cli = (args: string[], env: Record<string, string>) => runProgram(["src/cli/index.ts", ...args], env, SLOW);

/** The start failed with exactly one line on stderr, no stack, and a non-zero status. */
function expectOneLine(r: { code: number | null; stderr: string }): string {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  expect(r.stderr).not.toMatch(STACK);
  expect(lines(r.stderr)).toHaveLength(1);
  return r.stderr.trim();
}

const pgUrl = (path: string, auth = "") => {
  const u = new URL(PG_ADMIN_URL);
  if (auth) [u.username, u.password] = auth.split(":") as [string, string];
  u.pathname = path;
  return u.toString();
};

describe("npm start refuses with one line an operator can act on", () => {
  it("PostgreSQL unreachable: names DATABASE_URL and host:port, never the password (vi, en, debug)", async () => {
    const url = "postgres://vundap:S3cretPass@127.0.0.1:9/vundap";
    const r = await start(startEnv(root(), { DATABASE_URL: url }));
    const line = expectOneLine(r);
    expect(line).toBe(t("store:unreachable", { address: "127.0.0.1:9", code: "ECONNREFUSED" }, "vi"));
    expect(line).toContain("DATABASE_URL");
    expect(r.stderr + r.stdout).not.toContain("S3cretPass");

    const en = await start(startEnv(root(), { DATABASE_URL: url, LANGUAGE: "en" }));
    expect(expectOneLine(en)).toBe(t("store:unreachable", { address: "127.0.0.1:9", code: "ECONNREFUSED" }, "en"));

    const debug = await start(startEnv(root(), { DATABASE_URL: url, LOG_LEVEL: "debug" }));
    expect(debug.code).not.toBe(0);
    expect(lines(debug.stderr)[0]).toBe(line);
    expect(debug.stderr).toMatch(STACK);
    expect(debug.stderr).not.toContain("S3cretPass");
  }, SLOW);

  it("the database in DATABASE_URL does not exist: names it", async () => {
    const url = pgUrl("/vundap_no_such_db");
    const address = `${new URL(url).hostname}:${new URL(url).port || "5432"}`;
    const r = await start(startEnv(root(), { DATABASE_URL: url }));
    expect(expectOneLine(r)).toBe(t("store:missing", { address, database: "vundap_no_such_db" }, "vi"));
  }, SLOW);

  it("a wrong password (PostgreSQL 28P01) becomes the operator's message without the password", () => {
    const err = Object.assign(new Error('password authentication failed for user "vundap"'), { code: "28P01" });
    const explained = explainPostgresError(err, "postgres://vundap:S3cretPass@db.example.org:5433/vundap") as Error;
    expect(explained.message).toBe(t("store:auth", { address: "db.example.org:5433", user: "vundap" }));
    expect(explained.message).toContain("DATABASE_URL");
    expect(explained.message).not.toContain("S3cretPass");
  });

  it("a bad units file: names the file and UNITS_FILE, then its line-numbered errors", async () => {
    const dir = root();
    copyOf(template, join(dir, "pglite"));
    const file = join(dir, "don-vi.csv");
    writeFileSync(file, "code,name,kind,parent\nNDI,Hội LHPN tỉnh,province,\nNDI-X,,district,NDI\nNDI-Y,Huyện Y,district,KHONGCO\n");
    const r = await start(startEnv(dir, { UNITS_FILE: file }));
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    const [head, ...rest] = lines(r.stderr);
    expect(head).toContain(file);
    expect(head).toContain("UNITS_FILE");
    expect(rest.length).toBeGreaterThanOrEqual(2);
    for (const l of rest) expect(l).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: `));
  }, SLOW);

  it("a bad plan file: names the file, then file:line: path: problem", async () => {
    const dir = root();
    const file = join(dir, "ke-hoach.yaml");
    writeFileSync(file, "id: x\ntitle: 12\nforms: nope\n");
    const r = await start(startEnv(dir, { PLAN_FILE: file }));
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    const [head, ...rest] = lines(r.stderr);
    expect(head).toContain(file);
    expect(rest.length).toBeGreaterThanOrEqual(1);
    for (const l of rest) expect(l.startsWith(`${file}:`)).toBe(true);
  }, SLOW);

  it("a damaged PGlite folder: names the folder and says to restore a backup or move it away", async () => {
    const dir = root();
    const pglite = copyOf(template, join(dir, "pglite"));
    rmSync(join(pglite, "global", "pg_control"));
    const r = await start(startEnv(dir));
    const line = expectOneLine(r);
    expect(line.startsWith(t("store:damaged", { dir: resolve(pglite), detail: "§" }, "vi").split("§")[0]!)).toBe(true);
    expect(line).toContain("npm run cli -- restore");
    expect(line).toContain("PGLITE_DIR");
  }, SLOW);

  it("a folder held by another live process: names its pid; the CLI says the same with exit 3", async () => {
    const dir = root();
    const pglite = copyOf(template, join(dir, "pglite"));
    const holder = await openStore({ pgliteDir: pglite });
    try {
      const expected = t("store:locked", { dir: resolve(pglite), pid: process.pid }, "vi");
      const r = await start(startEnv(dir));
      expect(expectOneLine(r)).toBe(expected);
      const c = await cli(["progress"], startEnv(dir));
      expect(c.code).toBe(3);
      expect(expectOneLine(c)).toBe(expected);
    } finally {
      await holder.close();
    }
  }, SLOW);

  it("the CLI on an unreachable database: one line, exit 3", async () => {
    const c = await cli(["invite", "NDI"], startEnv(root(), { DATABASE_URL: "postgres://u:S3cretPass@127.0.0.1:9/x" }));
    expect(c.code).toBe(3);
    expect(expectOneLine(c)).toBe(t("store:unreachable", { address: "127.0.0.1:9", code: "ECONNREFUSED" }, "vi"));
  }, SLOW);
});
