-- CreateTable
CREATE TABLE "OutboxPace" (
    "channel" TEXT NOT NULL,
    "nextAt" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "OutboxPace_pkey" PRIMARY KEY ("channel")
);

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "launchedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "OutboxMessage_channel_sentAt_idx" ON "OutboxMessage"("channel", "sentAt");
