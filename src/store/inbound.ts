/**
 * What an inbound message needs from the store, read in ONE statement (the first of the two round
 * trips of an answered message; the second is its commit, lean-commit.ts): whether its update was
 * claimed already, the sender (person and roles), the unit the chat is linked to and the sender's
 * open conversation in that chat. Read fresh for every message, not cached: a role removed, a
 * link moved or a name changed by any writer (a command, the CLI, the web admin pages, a
 * reorganisation, another instance, psql) counts from the very next message, with nothing to
 * invalidate. One plpgsql function (its plan made once per connection): this runs for every message.
 * Reads of messages arriving together go as one statement (coalesce.ts, vundap_inbound_many).
 */
import { isRoleName, type Grant } from "../domain/permissions.js";
import type { LoadedConversation } from "./conversations.js";
import type { Store } from "./database.js";
import type { PersonRecord } from "./people.js";
import { coalescerPerStore } from "./coalesce.js";

/** Who sent a message, where, and which delivery it is. */
export interface InboundKey {
  channel: string;
  /** The channel's update id; absent when the channel has none (nothing to claim). */
  updateId?: string;
  /** The sender's id on the channel (also the conversation's personKey). */
  externalId: string;
  chatId: string;
}

/** What loadInbound read. */
export interface InboundView<S> {
  /** The update was claimed already: a redelivery, to skip. */
  claimed: boolean;
  /** The sender, or null when she has never written before. */
  person: PersonRecord | null;
  grants: Grant[];
  /** The unit the chat is linked to (any chat; callers use it for groups). */
  chatUnitId: number | null;
  /** Her open conversation in this chat. */
  conversation: LoadedConversation<S> | null;
}

interface Row {
  claimed: boolean;
  person_id: number | null;
  display_name: string | null;
  roles: unknown;
  chat_unit: number | null;
  conv_id: number | null;
  conv_state: unknown;
  conv_expires_ms: string | number | null;
  conv_version: number | null;
}

/** The statement: migration 20261202010000_lean_commit's vundap_inbound (its plan is kept per connection). */
const SQL = `SELECT * FROM vundap_inbound($1, $2, $3, $4)`;
/** Several reads in one statement: migration 20261203010000_batched_hot_path's vundap_inbound_many. */
const SQL_MANY = `SELECT * FROM vundap_inbound_many($1::jsonb)`;

type Params = [channel: string, updateId: string | null, externalId: string, chatId: string];

/** The read's coalescer (coalesce.ts), one per store connection. */
const coalescer = coalescerPerStore<Params, Row>((sql) => ({
  name: "vundap_inbound",
  one: async (params) => {
    const [row] = await sql.query<Row>(SQL, params);
    if (!row) throw new Error("loadInbound: no row");
    return row;
  },
  many: async (list) => {
    const rows = await sql.query<Row & { n: number }>(SQL_MANY, [JSON.stringify(list)]);
    const byPosition: Row[] = [];
    for (const row of rows) byPosition[Number(row.n) - 1] = row;
    for (let i = 0; i < list.length; i++) if (!byPosition[i]) throw new Error(`vundap_inbound_many: no row ${i + 1}`);
    return byPosition;
  },
  // A read keeps nothing: any failure but an outage is tried again alone.
  retryAlone: () => true,
}));

/** Reads what a message needs (see the file comment), in one statement (shared with messages arriving together). */
export async function loadInbound<S>(store: Store, key: InboundKey): Promise<InboundView<S>> {
  const row = await coalescer(store).run([key.channel, key.updateId ?? null, key.externalId, key.chatId]);
  return viewOf<S>(row, key);
}

/** The row of vundap_inbound as what a handler reads. */
function viewOf<S>(row: Row, key: InboundKey): InboundView<S> {
  const person: PersonRecord | null =
    row.person_id === null ? null : { id: Number(row.person_id), channel: key.channel, externalId: key.externalId, displayName: row.display_name ?? "" };
  const grants: Grant[] = [];
  const roles = (typeof row.roles === "string" ? JSON.parse(row.roles) : row.roles) as [string, number][] | null;
  for (const [role, unitId] of roles ?? []) if (isRoleName(role)) grants.push({ role, unitId: Number(unitId) });
  const conversation: LoadedConversation<S> | null =
    row.conv_id === null
      ? null
      : {
          id: Number(row.conv_id),
          state: (typeof row.conv_state === "string" ? JSON.parse(row.conv_state) : row.conv_state) as S,
          expiresAt: new Date(Number(row.conv_expires_ms)),
          version: Number(row.conv_version),
        };
  return { claimed: Boolean(row.claimed), person, grants, chatUnitId: row.chat_unit === null ? null : Number(row.chat_unit), conversation };
}

/** Creates the person behind a first-time sender (raw SQL; a concurrent first message gets the same row). */
export async function createPerson(store: Store, channel: string, externalId: string, displayName: string): Promise<PersonRecord> {
  const [row] = await store.sql.query<{ id: number; displayName: string }>(
    `INSERT INTO "Person" (channel, "externalId", "displayName", "createdAt") VALUES ($1, $2, $3, timezone('UTC', now()))
     ON CONFLICT (channel, "externalId") DO UPDATE SET "displayName" = EXCLUDED."displayName"
     RETURNING id, "displayName"`,
    [channel, externalId, displayName],
  );
  return { id: Number(row!.id), channel, externalId, displayName: row!.displayName };
}
