-- Reports and period locks are keyed by plan: two plans with the same form and period keys never
-- mix. Rows written before this migration belong to the seed plan (52/KH-BTV, 2023-2025).

-- DropIndex
DROP INDEX "Report_formKey_unitId_periodKey_idx";

-- DropIndex
DROP INDEX "Report_formKey_periodKey_unitId_key";

-- AlterTable: fill existing rows with the seed plan's key, then require a key on every new row.
ALTER TABLE "Report" ADD COLUMN     "planKey" TEXT NOT NULL DEFAULT 'vun_dap_gia_dinh_2023_2025';
ALTER TABLE "Report" ALTER COLUMN "planKey" DROP DEFAULT;

-- AlterTable
ALTER TABLE "PeriodLock" DROP CONSTRAINT "PeriodLock_pkey",
ADD COLUMN     "planKey" TEXT NOT NULL DEFAULT 'vun_dap_gia_dinh_2023_2025',
ADD CONSTRAINT "PeriodLock_pkey" PRIMARY KEY ("planKey", "formKey", "periodKey");
ALTER TABLE "PeriodLock" ALTER COLUMN "planKey" DROP DEFAULT;

-- CreateIndex
CREATE INDEX "Report_planKey_formKey_unitId_periodKey_idx" ON "Report"("planKey", "formKey", "unitId", "periodKey");

-- CreateIndex
CREATE UNIQUE INDEX "Report_planKey_formKey_periodKey_unitId_key" ON "Report"("planKey", "formKey", "periodKey", "unitId");
