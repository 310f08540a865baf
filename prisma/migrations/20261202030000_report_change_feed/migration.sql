-- The change feed that keeps every /tiendo cache exact (src/progress/feed.ts), kept by the
-- database itself so that every writer is seen: the app, the CLI, another instance, a raw SQL fix.
--
-- 1. Every insert or update of a report stamps the row with the id of the writing (top-level)
--    transaction, "feedXact". No shared row is touched: branches reporting at once do not queue.
-- 2. A report that leaves its (plan, form, period, unit) slot, by DELETE (also cascaded from a
--    unit) or by an UPDATE of those columns, leaves a tombstone in "ReportGone" with the same
--    stamp; TRUNCATE leaves one tombstone with NULL keys (everything gone).
--
-- A reader takes pg_snapshot_xmin(pg_current_snapshot()) in the same statement as what it reads:
-- every transaction not visible to that statement has an id >= that xmin (ids below it have all
-- ended). Reading "feedXact >= previous xmin" next time therefore sees every later commit,
-- whatever order transactions commit in and however long they take.

ALTER TABLE "Report" ADD COLUMN "feedXact" xid8;

CREATE TABLE "ReportGone" (
    "id" BIGSERIAL NOT NULL,
    "xact" xid8 NOT NULL,
    "planKey" TEXT,
    "formKey" TEXT,
    "periodKey" TEXT,
    "unitId" INTEGER,

    CONSTRAINT "ReportGone_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Report_feedXact_idx" ON "Report"("feedXact");
CREATE INDEX "ReportGone_xact_idx" ON "ReportGone"("xact");

CREATE FUNCTION "report_feed_stamp"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."feedXact" := pg_current_xact_id();
  RETURN NEW;
END
$$;

CREATE FUNCTION "report_feed_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ReportGone" ("xact", "planKey", "formKey", "periodKey", "unitId")
  VALUES (pg_current_xact_id(), OLD."planKey", OLD."formKey", OLD."periodKey", OLD."unitId");
  RETURN NULL;
END
$$;

CREATE FUNCTION "report_feed_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "ReportGone" ("xact") VALUES (pg_current_xact_id());
  RETURN NULL;
END
$$;

CREATE TRIGGER "Report_feed_stamp" BEFORE INSERT OR UPDATE ON "Report"
  FOR EACH ROW EXECUTE FUNCTION "report_feed_stamp"();
CREATE TRIGGER "Report_feed_deleted" AFTER DELETE ON "Report"
  FOR EACH ROW EXECUTE FUNCTION "report_feed_gone"();
CREATE TRIGGER "Report_feed_moved" AFTER UPDATE ON "Report"
  FOR EACH ROW
  WHEN ((OLD."planKey", OLD."formKey", OLD."periodKey", OLD."unitId")
        IS DISTINCT FROM (NEW."planKey", NEW."formKey", NEW."periodKey", NEW."unitId"))
  EXECUTE FUNCTION "report_feed_gone"();
CREATE TRIGGER "Report_feed_truncated" AFTER TRUNCATE ON "Report"
  FOR EACH STATEMENT EXECUTE FUNCTION "report_feed_truncated"();

-- Reports written before this migration have no stamp; caches loaded from now on read them whole.
