// Prisma CLI configuration: the JavaScript (WASM) schema engine over an embedded PGlite, so that
// `prisma generate`, `migrate diff` and `migrate status` need no engine download (see STACK notes).
import path from "node:path";
import { defineConfig } from "prisma/config";

// The schema's `url = env("DATABASE_URL")` must resolve or the CLI asks for the binary engine;
// the JS engine below never uses it, so any value works for generate / diff.
process.env.DATABASE_URL ??= "postgresql://localhost/unused";

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    // PGLITE_DIR=data/pglite points the CLI at the bot's embedded store (e.g. for `migrate status`);
    // without it an in-memory database serves commands such as `migrate diff`.
    const dir = process.env.PGLITE_DIR;
    if (dir) (await import("node:fs")).mkdirSync(dir, { recursive: true });
    return new PrismaPGlite(new PGlite(dir)) as never;
  },
});
