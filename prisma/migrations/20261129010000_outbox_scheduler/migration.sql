-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" SERIAL NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupeKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMPTZ(3),
    "lockedUntil" TIMESTAMPTZ(3),
    "lockedBy" TEXT,
    "sentAt" TIMESTAMPTZ(3),
    "channelMessageId" TEXT,
    "variant" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScheduledOccurrence" (
    "key" TEXT NOT NULL,
    "ruleKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "unitId" INTEGER NOT NULL,
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "sendAt" TIMESTAMPTZ(3) NOT NULL,
    "itemKey" TEXT,
    "data" JSONB,
    "outcome" TEXT NOT NULL DEFAULT 'claimed',
    "detail" TEXT,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMPTZ(3) NOT NULL,
    "doneAt" TIMESTAMPTZ(3),

    CONSTRAINT "ScheduledOccurrence_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "PausedRule" (
    "key" TEXT NOT NULL,
    "pausedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "pausedById" INTEGER,

    CONSTRAINT "PausedRule_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_dedupeKey_key" ON "OutboxMessage"("dedupeKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_chatId_status_id_idx" ON "OutboxMessage"("channel", "chatId", "status", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_chatId_sentAt_idx" ON "OutboxMessage"("channel", "chatId", "sentAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_channel_id_idx" ON "OutboxMessage"("status", "channel", "id");

-- CreateIndex
CREATE INDEX "ScheduledOccurrence_unitId_kind_sendAt_idx" ON "ScheduledOccurrence"("unitId", "kind", "sendAt");

-- CreateIndex
CREATE INDEX "ScheduledOccurrence_outcome_claimedAt_idx" ON "ScheduledOccurrence"("outcome", "claimedAt");

