-- One inbound update's commit in ONE statement (src/store/lean-commit.ts): the update's claim, the
-- conversation's save or end, the report, the sender's display name and the replies' outbox rows
-- commit together or not at all. Called as `SELECT vundap_commit($1::jsonb)` outside any explicit
-- transaction, so the statement is the transaction (PostgreSQL and PGlite alike).
--
-- Input (jsonb):
--   claim    {channel, updateId} or null
--   expect   {noReport: {planKey, formKey, periodKey, unitId}} or null   (what the handler assumed)
--   report   {planKey, formKey, periodKey, unitId, answers, personId, atMs} or null   (a new report)
--   conv     {op: "save"|"delete", channel, chatId, personKey, state, expiresMs, expectedVersion} or null
--   person   {id, displayName} or null   (a changed display name)
--   outbox   [{channel, chatId, payload (JSON text)}]   (in order; the template below filled in)
--   template {text, prefix} or null: in the replies' payloads, `text` (the placeholder a button's
--            data carries for the saved conversation, src/app/tap-data.ts) becomes
--            prefix || "<id>.<version>." of the conversation saved here, known only now
-- Output (jsonb):
--   {"duplicate": true}         the claim existed: nothing written
--   {"retry": "<what>"}         something was not as the handler assumed (another report, a locked
--                               period, a conversation changed meanwhile): nothing written; the
--                               caller handles the update again on the general path
--   {"conv": {id, version}}     committed (conv null when no conversation was saved)
CREATE OR REPLACE FUNCTION vundap_commit(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  c jsonb := p->'conv';
  r jsonb := p->'report';
  x jsonb := p->'expect'->'noReport';
  conv_id integer;
  conv_version integer;
  real_prefix text;
BEGIN
  -- One block: a RAISE of 'VD409' below undoes everything written in it, the claim included.
  BEGIN
    IF p->'claim' IS NOT NULL AND jsonb_typeof(p->'claim') = 'object' THEN
      INSERT INTO "ProcessedUpdate" (channel, "updateId") VALUES (p->'claim'->>'channel', p->'claim'->>'updateId')
        ON CONFLICT DO NOTHING;
      IF NOT FOUND THEN
        RETURN '{"duplicate": true}'::jsonb;
      END IF;
    END IF;

    IF x IS NOT NULL AND jsonb_typeof(x) = 'object' THEN
      PERFORM 1 FROM "Report"
        WHERE "planKey" = x->>'planKey' AND "formKey" = x->>'formKey' AND "periodKey" = x->>'periodKey'
          AND "unitId" = (x->>'unitId')::integer;
      IF FOUND THEN
        RAISE EXCEPTION 'report exists' USING ERRCODE = 'VD409';
      END IF;
    END IF;

    IF r IS NOT NULL AND jsonb_typeof(r) = 'object' THEN
      PERFORM 1 FROM "PeriodLock"
        WHERE "planKey" = r->>'planKey' AND "formKey" = r->>'formKey' AND "periodKey" = r->>'periodKey';
      IF FOUND THEN
        RAISE EXCEPTION 'period locked' USING ERRCODE = 'VD409';
      END IF;
      INSERT INTO "Report" ("planKey", "formKey", "periodKey", "unitId", answers, "submittedById", "submittedAt", "updatedAt")
        VALUES (r->>'planKey', r->>'formKey', r->>'periodKey', (r->>'unitId')::integer, r->'answers',
                (r->>'personId')::integer,
                timezone('UTC', to_timestamp((r->>'atMs')::double precision / 1000)),
                timezone('UTC', to_timestamp((r->>'atMs')::double precision / 1000)))
        ON CONFLICT ("planKey", "formKey", "periodKey", "unitId") DO NOTHING;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'report exists' USING ERRCODE = 'VD409';
      END IF;
    END IF;

    IF c IS NOT NULL AND jsonb_typeof(c) = 'object' THEN
      IF c->>'op' = 'save' AND (c->>'expectedVersion') IS NULL THEN
        INSERT INTO "Conversation" (channel, "chatId", "personKey", state, "updatedAt", "expiresAt")
          VALUES (c->>'channel', c->>'chatId', c->>'personKey', c->'state', timezone('UTC', now()),
                  timezone('UTC', to_timestamp((c->>'expiresMs')::double precision / 1000)))
          ON CONFLICT (channel, "chatId", "personKey")
          DO UPDATE SET state = EXCLUDED.state, "updatedAt" = EXCLUDED."updatedAt", "expiresAt" = EXCLUDED."expiresAt",
                        version = "Conversation".version + 1
          RETURNING id, version INTO conv_id, conv_version;
      ELSIF c->>'op' = 'save' THEN
        UPDATE "Conversation" SET state = c->'state', "updatedAt" = timezone('UTC', now()),
               "expiresAt" = timezone('UTC', to_timestamp((c->>'expiresMs')::double precision / 1000)),
               version = version + 1
          WHERE channel = c->>'channel' AND "chatId" = c->>'chatId' AND "personKey" = c->>'personKey'
            AND version = (c->>'expectedVersion')::integer
          RETURNING id, version INTO conv_id, conv_version;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'conversation changed' USING ERRCODE = 'VD409';
        END IF;
      ELSE
        DELETE FROM "Conversation"
          WHERE channel = c->>'channel' AND "chatId" = c->>'chatId' AND "personKey" = c->>'personKey'
            AND ((c->>'expectedVersion') IS NULL OR version = (c->>'expectedVersion')::integer);
        IF NOT FOUND AND (c->>'expectedVersion') IS NOT NULL THEN
          RAISE EXCEPTION 'conversation changed' USING ERRCODE = 'VD409';
        END IF;
      END IF;
    END IF;

    IF p->'person' IS NOT NULL AND jsonb_typeof(p->'person') = 'object' THEN
      UPDATE "Person" SET "displayName" = p->'person'->>'displayName' WHERE id = (p->'person'->>'id')::integer;
    END IF;

    IF jsonb_typeof(p->'outbox') = 'array' AND jsonb_array_length(p->'outbox') > 0 THEN
      real_prefix := CASE WHEN conv_id IS NULL THEN NULL
                          ELSE (p->'template'->>'prefix') || conv_id::text || '.' || conv_version::text || '.' END;
      INSERT INTO "OutboxMessage" ("channel", "chatId", "payload", "updatedAt")
        SELECT o->>'channel', o->>'chatId',
               (CASE WHEN real_prefix IS NOT NULL AND (p->'template'->>'text') IS NOT NULL
                     THEN replace(o->>'payload', p->'template'->>'text', real_prefix)
                     ELSE o->>'payload' END)::jsonb,
               now()
          FROM jsonb_array_elements(p->'outbox') WITH ORDINALITY AS e(o, n)
         ORDER BY n;
      PERFORM pg_notify('vundap_outbox', ch)
         FROM (SELECT DISTINCT o->>'channel' AS ch FROM jsonb_array_elements(p->'outbox') AS e(o)) AS chans;
    END IF;
  EXCEPTION WHEN SQLSTATE 'VD409' THEN
    -- Nothing of the block is kept (the claim neither): the caller handles the update again on
    -- the general path, which claims it there.
    RETURN jsonb_build_object('retry', SQLERRM);
  END;

  RETURN jsonb_build_object('conv', CASE WHEN conv_id IS NULL THEN NULL ELSE jsonb_build_object('id', conv_id, 'version', conv_version) END);
END
$fn$;

-- What an inbound message needs, in one statement (src/store/inbound.ts): whether its update was
-- claimed, the sender and her roles, the chat's unit, her open conversation in the chat. A plpgsql
-- function so that its plan is made once per connection, not at every message.
CREATE OR REPLACE FUNCTION vundap_inbound(p_channel text, p_update_id text, p_external_id text, p_chat_id text)
RETURNS TABLE (claimed boolean, person_id integer, display_name text, roles json, chat_unit integer,
               conv_id integer, conv_state jsonb, conv_expires_ms bigint, conv_version integer)
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN QUERY
  SELECT
    EXISTS (SELECT 1 FROM "ProcessedUpdate" u WHERE u.channel = p_channel AND u."updateId" = p_update_id),
    p.id, p."displayName",
    (SELECT json_agg(json_build_array(r.role, r."unitId") ORDER BY r.id) FROM "Role" r WHERE r."personId" = p.id),
    (SELECT l."unitId" FROM "ChatLink" l WHERE l.channel = p_channel AND l."chatId" = p_chat_id),
    c.id, c.state, (EXTRACT(EPOCH FROM c."expiresAt") * 1000)::bigint, c.version
  FROM (SELECT 1) AS one
  LEFT JOIN "Person" p ON p.channel = p_channel AND p."externalId" = p_external_id
  LEFT JOIN "Conversation" c ON c.channel = p_channel AND c."chatId" = p_chat_id AND c."personKey" = p_external_id;
END
$fn$;
