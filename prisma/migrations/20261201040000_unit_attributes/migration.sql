-- Pilot units (đơn vị điểm) and the new-countryside status of a unit's area, from the units file.
ALTER TABLE "Unit" ADD COLUMN "pilot" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Unit" ADD COLUMN "ntmStatus" TEXT;
