/** `npm run cli -- invite <unit> [role]` prints a code that registers the first admin through the bot. */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/database.js";
import { redeemInvite, upsertPerson } from "../../src/store/people.js";
import { tempDir } from "../helpers/db.js";
import { runProgram } from "../store/run.js";

const files = tempDir("vundap-invite-");
afterAll(() => files.remove());
const ENV = { DATABASE_URL: "", PLAN_FILE: "", UNITS_FILE: "", LANGUAGE: "vi", PGLITE_DIR: join(files.dir, "pg") };

describe("cli invite", () => {
  it("prints a single-use admin code for the province that the bot accepts once", async () => {
    const r = await runProgram(["src/cli/index.ts", "invite", "NDI"], ENV);
    expect(r.code).toBe(0);
    const code = /\/dangky ([A-Z0-9]{8})/.exec(r.stdout)?.[1];
    expect(code, r.stdout).toBeDefined();
    expect(r.stdout).toContain("Hội LHPN tỉnh Nam Định");

    const store = await openStore({ pgliteDir: ENV.PGLITE_DIR });
    try {
      const person = await upsertPerson(store, "telegram", "12345", "Chị Mai");
      const first = await redeemInvite(store, code!, person.id, new Date());
      expect(first).toMatchObject({ ok: true, role: "admin" });
      // Single-use: someone else is refused; she herself (a redelivered /dangky) is told she is registered.
      const other = await upsertPerson(store, "telegram", "67890", "Chị Hoa");
      expect(await redeemInvite(store, code!, other.id, new Date())).toEqual({ ok: false, reason: "used" });
      expect(await redeemInvite(store, code!, person.id, new Date())).toMatchObject({ ok: true, role: "admin" });
    } finally {
      await store.close();
    }
  });

  it("refuses an unknown unit and an unknown role with their own exit codes", async () => {
    const unknownUnit = await runProgram(["src/cli/index.ts", "invite", "KHONGCO"], ENV);
    expect(unknownUnit.code).toBe(1);
    expect(unknownUnit.stderr).toContain("KHONGCO");
    const badRole = await runProgram(["src/cli/index.ts", "invite", "NDI", "vua"], ENV);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("vua");
  });
});

describe("cli export", () => {
  it("writes the workbook of a unit's subtree to the named file", async () => {
    const out = join(files.dir, "y-yen.xlsx");
    const r = await runProgram(["src/cli/index.ts", "export", "NDI-YYE", "--out", out, "--now", "2024-05-25"], ENV);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(out);
    const ExcelJS = (await import("exceljs")).default;
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    const names = book.worksheets.map((w) => w.name);
    expect(names.length).toBeGreaterThan(1);
    // Only Ý Yên's subtree: the Xuân Kiên branch (Xuân Trường) is not on any sheet.
    const all = book.worksheets.map((w) => JSON.stringify(w.getSheetValues())).join("\n");
    expect(all).toContain("NDI-YYE-YPHUONG-CH01");
    expect(all).not.toContain("NDI-XTR-XKIEN-CH01");
  });
});
