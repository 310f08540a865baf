/** Types of build.mjs (for test/global-setup.ts). */
/** Every non-test TypeScript file under src/. */
export function sources(dir?: string): string[];
/** True when dist/ is missing or older than a source file (or than the build script). */
export function isStale(outdir?: string): boolean;
/** Compiles src/ into `outdir` (default dist/), removing what was there; returns the folder. */
export function build(outdir?: string): Promise<string>;
/** Makes the installation's migrated PGlite template unless a current one is there; true when it made one. */
export function buildPgliteTemplate(outdir?: string): Promise<boolean>;
