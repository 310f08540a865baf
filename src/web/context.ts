/** What the web dashboard needs from the process (the app's services) and what each request knows about its viewer. */
import type { AppServices } from "../commands/types.js";
import type { Grant } from "../domain/permissions.js";
import type { WebSession } from "./sessions.js";

/** Options of the web app. */
export interface WebOptions {
  /** The app's services: store, plans, tree, clock, log. */
  app: AppServices;
  /** Public base URL (http://host:port or https://…); its origin is the only one accepted for forms. */
  baseUrl: string;
  /** Sign-in attempts allowed per client address in {@link WebOptions.signInWindowMs} (default 20). */
  signInLimit?: number;
  /** Default 10 minutes. */
  signInWindowMs?: number;
  /** The data folder whose photos/ the answer photos are served from (absent: no photo is served). */
  dataDir?: string;
}

/** The signed-in person of a request. */
export interface Viewer {
  session: WebSession;
  personId: number;
  displayName: string;
  grants: Grant[];
}

/** Hono's per-request variables. */
export type WebEnv = { Variables: { viewer: Viewer | null; opts: WebOptions } };
