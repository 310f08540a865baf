import { PGlite } from "@electric-sql/pglite";
import { cpSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
const mode = process.argv[2];
const d = "/tmp/embexp/dmg-" + mode;
rmSync(d, { recursive: true, force: true });
cpSync("/tmp/embexp/db1", d, { recursive: true });
if (mode === "control") writeFileSync(d + "/global/pg_control", Buffer.alloc(8192));
if (mode === "nocontrol") unlinkSync(d + "/global/pg_control");
if (mode === "wal") { for (const f of require("fs").readdirSync(d + "/pg_wal")) if (/^0/.test(f)) writeFileSync(d + "/pg_wal/" + f, Buffer.alloc(1024)); }
try { const db = new PGlite(d); await db.waitReady; console.log("OPENED", (await db.query("select 1")).rows); await db.close(); }
catch (e) { console.log("ERR", (e as Error).name, (e as Error).message, (e as any).code); }
