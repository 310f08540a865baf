/**
 * Owner-only files after a real start of `npm start` (local chat, input closed at once): the data
 * folder and every folder in it 0700, every file 0600 (log and backups included), also when an
 * older version left the PGlite folder 0755 with files 0666 and the log 0644.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/db.js";
import { runProgram } from "../store/run.js";
import { copyOf, makeTemplate, startEnv } from "./helpers.js";

const SLOW = 300_000;
const dirs = tempDir("vundap-modes-");
afterAll(() => dirs.remove());
const template = join(dirs.dir, "template");
beforeAll(() => makeTemplate(template), SLOW);

/** Every entry under `dir` (itself included) whose mode is not the owner-only one. */
function notOwnerOnly(dir: string): string[] {
  const bad: string[] = [];
  const walk = (p: string): void => {
    const st = lstatSync(p);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) bad.push(`${p} ${mode.toString(8)}`);
      for (const name of readdirSync(p)) walk(join(p, name));
    } else if (st.isFile() && mode !== 0o600) bad.push(`${p} ${mode.toString(8)}`);
  };
  walk(dir);
  return bad;
}

/** Makes a tree readable by everyone, as an older version (umask 022, PGlite's 0666) left it. */
function loosen(dir: string): void {
  const st = lstatSync(dir);
  if (st.isDirectory()) {
    chmodSync(dir, 0o755);
    for (const name of readdirSync(dir)) loosen(join(dir, name));
  } else if (st.isFile()) chmodSync(dir, 0o666);
}

describe("file modes after a start", () => {
  it("a pre-existing 0755/0666 folder and a 0644 log become 0700/0600; the log and the day's backup are 0600", async () => {
    const data = join(dirs.dir, "data");
    mkdirSync(data);
    copyOf(template, join(data, "pglite"));
    writeFileSync(join(data, "vun-dap.log"), "");
    loosen(data);
    chmodSync(join(data, "vun-dap.log"), 0o644);
    expect(notOwnerOnly(data).length).toBeGreaterThan(10);

    const r = await runProgram(["src/main.ts"], startEnv(data), SLOW);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(statSync(join(data, "vun-dap.log")).size).toBeGreaterThan(0);
    expect(readdirSync(join(data, "backups")).filter((n) => /^vun-dap-auto-\d{8}-\d{6}\.tar\.gz$/.test(n))).toHaveLength(1);
    expect(notOwnerOnly(data)).toEqual([]);
  }, SLOW);
});
