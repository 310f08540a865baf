-- CreateIndex
CREATE INDEX "Report_formKey_unitId_periodKey_idx" ON "Report"("formKey", "unitId", "periodKey");

