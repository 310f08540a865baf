-- The hot path's two statements for several messages at once (src/store/coalesce.ts): when
-- messages from many chats arrive together, their reads go to the database as ONE statement and
-- their commits as ONE statement, instead of one each. Each message still waits for exactly two
-- statements; a message alone (no others waiting) uses the single functions of
-- 20261202010000_lean_commit unchanged.

-- Several vundap_inbound reads in one statement. Input: a JSON array of
-- [channel, updateId or null, externalId, chatId]; output: one row per element, `n` its 1-based
-- position. Each element is read by vundap_inbound itself (index lookups, one source of truth).
CREATE OR REPLACE FUNCTION vundap_inbound_many(p jsonb)
RETURNS TABLE (n integer, claimed boolean, person_id integer, display_name text, roles json, chat_unit integer,
               conv_id integer, conv_state jsonb, conv_expires_ms bigint, conv_version integer)
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN QUERY
  SELECT k.i::integer, v.*
    FROM jsonb_array_elements(p) WITH ORDINALITY AS k(x, i)
    CROSS JOIN LATERAL vundap_inbound(k.x->>0, k.x->>1, k.x->>2, k.x->>3) AS v
   ORDER BY k.i;
END
$fn$;

-- Several vundap_commit calls in one statement (one transaction), in the array's order. Each
-- element is vundap_commit's own input and gets its own answer, at the same position of the output
-- array: a "retry" of one element undoes only that element's writes (vundap_commit's block is a
-- subtransaction), so the others commit. An error of any other kind fails the statement, nothing
-- of it is kept, and the caller commits the elements one by one.
CREATE OR REPLACE FUNCTION vundap_commit_many(p jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  answers jsonb[] := '{}';
BEGIN
  FOR i IN 0 .. jsonb_array_length(p) - 1 LOOP
    answers := answers || vundap_commit(p->i);
  END LOOP;
  RETURN to_jsonb(answers);
END
$fn$;
