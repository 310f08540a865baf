-- AlterTable
ALTER TABLE "Invite" ADD COLUMN     "voidedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "InviteFailure" (
    "id" SERIAL NOT NULL,
    "personId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InviteFailure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InviteFailure_personId_at_idx" ON "InviteFailure"("personId", "at");

