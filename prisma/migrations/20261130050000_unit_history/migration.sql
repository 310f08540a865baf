-- AlterTable
ALTER TABLE "Unit" ADD COLUMN     "successorId" INTEGER,
ADD COLUMN     "validFrom" DATE,
ADD COLUMN     "validUntil" DATE;

-- CreateTable
CREATE TABLE "UnitPastParent" (
    "unitId" INTEGER NOT NULL,
    "parentId" INTEGER,
    "validUntil" DATE NOT NULL,

    CONSTRAINT "UnitPastParent_pkey" PRIMARY KEY ("unitId","validUntil")
);

-- CreateTable
CREATE TABLE "UnitReorganisation" (
    "id" SERIAL NOT NULL,
    "effectiveFrom" DATE NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "summary" JSONB NOT NULL,
    "appliedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnitReorganisation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "UnitReorganisation_fingerprint_key" ON "UnitReorganisation"("fingerprint");

-- CreateIndex
CREATE INDEX "Unit_successorId_idx" ON "Unit"("successorId");

-- AddForeignKey
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_successorId_fkey" FOREIGN KEY ("successorId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitPastParent" ADD CONSTRAINT "UnitPastParent_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitPastParent" ADD CONSTRAINT "UnitPastParent_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Unit"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Kept by the database (not expressible in schema.prisma): a unit's days are a non-empty range,
-- and only a unit that has ended has a successor, never itself.
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_valid_range_check" CHECK ("validFrom" IS NULL OR "validUntil" IS NULL OR "validFrom" < "validUntil");
ALTER TABLE "Unit" ADD CONSTRAINT "Unit_successor_check" CHECK ("successorId" IS NULL OR ("validUntil" IS NOT NULL AND "successorId" <> "id"));
