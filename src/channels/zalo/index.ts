/** The Zalo channel (zca-js, personal account). */
export { ZaloSession, zaloLoginInteractive, isLoginRefusal, ZALO_LOGIN_COMMAND } from "./session.js";
export type { ZaloSessionOptions, ZaloSenderSession, ZaloHealth, ZaloState } from "./session.js";
export { ZaloSender } from "./sender.js";
export type { ZaloSenderOptions } from "./sender.js";
export { isForBot, normalizeCommand, toInbound, ZALO_COMMANDS } from "./inbound.js";
export { composeText, splitText, mapZaloError, imageSize, ZALO_TEXT_LIMIT } from "./outbound.js";
export { acquireZaloLeadership, ZALO_LEADER_LOCK } from "./leadership.js";
export type { ZaloLeadership, ZaloLeadershipOptions } from "./leadership.js";
export { credentialsPath, qrPath, loadCredentials, saveCredentials } from "./credentials.js";
export type { ZaloCredentials } from "./credentials.js";
export { realClock, backoffDelay } from "./clock.js";
export type { Clock } from "./clock.js";
export { createRealZalo, ZALO_OPTIONS } from "./zca.js";
export type { ApiLike, ListenerLike, ZaloLike, CreateZalo, ZaloOptions } from "./zca.js";
