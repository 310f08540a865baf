-- Photos of photo answers (ảnh minh chứng): one row per file (channel + the channel's unique id),
-- written in the update's transaction with the answer; the downloaded copy is a separate job
-- (status pending → done | failed), retried with backoff under a lease.
CREATE TABLE "PhotoFile" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "uniqueId" TEXT NOT NULL,
    "fileId" TEXT NOT NULL,
    "unitId" INTEGER NOT NULL,
    "personId" INTEGER,
    "mime" TEXT,
    "size" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseUntil" TIMESTAMPTZ(3),
    "path" TEXT,
    "bytes" INTEGER,
    "storedBy" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMPTZ(3),

    CONSTRAINT "PhotoFile_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "PhotoFile_channel_uniqueId_key" ON "PhotoFile"("channel", "uniqueId");
CREATE INDEX "PhotoFile_status_nextAttemptAt_idx" ON "PhotoFile"("status", "nextAttemptAt");
