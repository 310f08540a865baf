-- CreateTable
CREATE TABLE "ZaloChat" (
    "chatId" TEXT NOT NULL,
    "chatType" TEXT NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ZaloChat_pkey" PRIMARY KEY ("chatId")
);

-- Backfill: linked Zalo chats are groups (/lienket works in groups only); a conversation is private
-- when its chat is the person's own chat.
INSERT INTO "ZaloChat" ("chatId", "chatType")
SELECT DISTINCT "chatId", 'group' FROM "ChatLink" WHERE channel = 'zalo'
ON CONFLICT DO NOTHING;

INSERT INTO "ZaloChat" ("chatId", "chatType")
SELECT DISTINCT "chatId", CASE WHEN "chatId" = "personKey" THEN 'private' ELSE 'group' END
FROM "Conversation" WHERE channel = 'zalo'
ON CONFLICT DO NOTHING;
