-- A channel-wide send slot in ONE statement (src/outbox/shared-pace.ts): the same steps as before
-- (the pace row locked FOR UPDATE, sends in flight counted, the answered sends of the last window
-- read, the slot taken and the row's launch recorded), in one statement's transaction instead of
-- BEGIN + five statements + COMMIT per message sent. Instants are epoch milliseconds.
CREATE OR REPLACE FUNCTION vundap_pace_acquire(p_channel text, p_id integer, p_now double precision, p_count integer,
                                               p_per_ms double precision, p_spacing double precision, p_max_ahead double precision)
RETURNS TABLE (granted boolean, at_ms double precision)
LANGUAGE plpgsql AS $fn$
DECLARE
  next_at double precision;
  inflight integer;
  room integer;
  oldest timestamptz;
  t double precision;
BEGIN
  SELECT "nextAt" INTO next_at FROM "OutboxPace" WHERE channel = p_channel FOR UPDATE;
  SELECT count(*)::int INTO inflight FROM "OutboxMessage"
   WHERE channel = p_channel AND status = 'sending' AND "launchedAt" IS NOT NULL AND id <> p_id;
  room := p_count - inflight;
  IF room <= 0 THEN
    RETURN QUERY SELECT false, p_now + greatest(1, ceil(p_spacing));
    RETURN;
  END IF;
  -- The room-th newest answer within the window (fewer than `room` may lie within perMs before the slot).
  SELECT s."sentAt" INTO oldest FROM "OutboxMessage" s
   WHERE s.channel = p_channel AND s."sentAt" > to_timestamp(trunc(p_now - p_per_ms) / 1000)
   ORDER BY s."sentAt" DESC OFFSET room - 1 LIMIT 1;
  t := greatest(p_now, ceil(coalesce(next_at, 0)));
  IF oldest IS NOT NULL THEN
    t := greatest(t, round(extract(epoch FROM oldest) * 1000) + p_per_ms + 1);
  END IF;
  IF t > p_now + p_max_ahead THEN
    RETURN QUERY SELECT false, t;
    RETURN;
  END IF;
  UPDATE "OutboxMessage" SET "launchedAt" = to_timestamp(trunc(t) / 1000) WHERE id = p_id;
  UPDATE "OutboxPace" SET "nextAt" = t + p_spacing WHERE channel = p_channel;
  RETURN QUERY SELECT true, t;
END
$fn$;
