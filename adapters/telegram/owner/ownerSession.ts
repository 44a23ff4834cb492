import type { PersistedFlow } from "../flowState.ts";

/**
 * What the owner bot keeps per owner chat: the persisted snapshot of each flow machine, so that a
 * restart in the middle of a flow (waiting for a note, say) resumes in the same state, and the
 * owner's language for notifications sent outside an update. Small: storage-free allows 16 KiB.
 */
export interface OwnerSession {
  v: 1;
  lang: "ru" | "en";
  nav: PersistedFlow | null;
  search: PersistedFlow | null;
  note: PersistedFlow | null;
  tags: PersistedFlow | null;
  summary: PersistedFlow | null;
  /** The words of an order move (a tracking note, a reason); absent in sessions written before orders had one. */
  order?: PersistedFlow | null;
  /** The owner's edit of the catalog (catalogEdit.ts), and a previewed import waiting for ✅ (catalogImport.ts). */
  catalogEdit?: PersistedFlow | null;
  catalogImport?: PersistedFlow | null;
  /** A campaign's text or delay being typed (campaigns.ts). */
  campaign?: PersistedFlow | null;
  /** A broadcast being composed (broadcastCompose.ts), until it starts or is cancelled. */
  broadcast?: PersistedFlow | null;
  /** A segment being built (segments.ts), until it is closed. */
  segment?: PersistedFlow | null;
  /** A period of orders to export being typed, then kept until its format is picked (exportScreen.ts). */
  exportPeriod?: PersistedFlow | null;
}

export function initialOwnerSession(): OwnerSession {
  return { v: 1, lang: "ru", nav: null, search: null, note: null, tags: null, summary: null };
}

/** The session key of an owner's private chat; the notifier reads the language through it. */
export const ownerSessionKey = (chatId: number): string => `owner:${chatId}`;
