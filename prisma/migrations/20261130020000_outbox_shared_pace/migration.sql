-- CreateTable
CREATE TABLE "OutboxPace" (
    "channel" TEXT NOT NULL,
    "nextAt" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "OutboxPace_pkey" PRIMARY KEY ("channel")
);
