import { callbackCodec } from "../callbackData.ts";

/**
 * Every inline button of the owner bot. Version "o1"; customer ids travel as integers, tags as a
 * short hash of their text (tags may be Cyrillic, which callback ids cannot carry), so a renamed or
 * removed tag makes its old button decode to nothing rather than toggle the wrong tag.
 */
export const ownerButtons = callbackCodec("o1", {
  menu: [],
  crm: [],
  fun: [],
  leads: ["int"],
  card: ["int"],
  hist: ["int", "int"],
  note: ["int"],
  ncan: [],
  tags: ["int"],
  tag: ["int", "id"],
  tnew: ["int"],
  tcan: ["int"],
  ai: ["int"],
  airt: ["int"],
  orders: [],
  rep: ["id"],
  srch: [],
  sp: ["int"],
  scan: [],
  back: [],
  // Orders: a status's list at an offset (list: the status's index, or 8 for all); a card (with
  // the list it goes back to; 9 for a notice); a card as a new message; an action on an order;
  // the skip and cancel of its words; a refund done by hand (the charge by its hash).
  ol: ["int", "int"],
  oc: ["id", "int", "int"],
  ocn: ["id"],
  oa: ["id", "id", "int", "int"],
  oskip: [],
  ocan: [],
  orfd: ["id", "id"],
  // Catalog: the shelves at an offset; a shelf's products at an offset; a product; a product's
  // field to edit; hide (1) or show (0); a new product on a shelf; a new shelf; a shelf renamed;
  // a shelf moved up (1) or down (0); an edit's ✅ and ✖️; import: its prompt, CATALOG_PATH, ✅, ✖️.
  cat: ["int"],
  ccat: ["id", "int"],
  cprod: ["id"],
  cedit: ["id", "id"],
  chide: ["id", "flag"],
  cnewp: ["id"],
  cnewc: [],
  cren: ["id"],
  cmove: ["id", "flag"],
  cok: [],
  ccan: [],
  cimp: [],
  cseed: [],
  ciok: [],
  cican: [],
  // Broadcasts: the list; a new one; its button (0 none, 1 the catalog, 2 a URL, 3 pick a product);
  // a product's button; its audience (0 everyone, 1 a saved segment by id); send (0 now, 1 in an
  // hour, 2 tomorrow 10:00); back to the text (0) or the audience (1); ✖️; a preview's own buttons;
  // one broadcast's progress or report; pause, resume, cancel (asked), cancel (confirmed).
  bcl: [],
  bcnew: [],
  bcbtn: ["int"],
  bcprod: ["id"],
  bcaud: ["int", "int"],
  bcgo: ["int"],
  bcedit: ["int"],
  bcx: [],
  bcprev: [],
  bco: ["id"],
  bcpau: ["id"],
  bcres: ["id"],
  bccan: ["id"],
  bccok: ["id"],
  // Segments: a new builder; the builder again; the stages and a stage toggled (its index); the tags
  // and a tag cycled (by hash); a yes/no cycled (segmentFlags); a value to type (segmentFields); first
  // (0) or last (1) seen and a quick period (days); a condition removed (segmentFields); all removed;
  // save; cancel; the saved list, one opened, deleted (asked), deleted (confirmed); ✉️ a broadcast.
  sgo: [],
  sgv: [],
  sgstg: [],
  sgst: ["int"],
  sgtg: [],
  sgt: ["id"],
  sgf: ["int"],
  sga: ["int"],
  sgtm: ["int"],
  sgd: ["int", "int"],
  sgc: ["int"],
  sgclr: [],
  sgs: [],
  sgx: [],
  sgl: [],
  sgop: ["int"],
  sgdel: ["int"],
  sgdok: ["int"],
  sgbc: [],
  // Campaigns: the 📣 screen; type a setting (its code in campaignScreens.ts); flip a switch; cancel the typing.
  cmp: [],
  cmpe: ["int"],
  cmpt: ["int"],
  cmpx: [],
  // Charts: the 📊 screen; one chart by its index in charts.ts.
  chs: [],
  ch: ["int"],
  // The journey on a client card: the client, newer (1) or older (0) than an event's seq; seq 0 older: the newest page.
  jr: ["int", "flag", "int"],
  // Export: the 📤 screen; the saved segments to pick; a subject (0 leads: 0 all or a segment's id;
  // 1 orders: the days) and its formats; the subject in a format (its index in exportScreen.ts).
  exp: [],
  exs: [],
  exk: ["int", "int"],
  exf: ["int", "int", "int"],
  // Export: type a period of orders; cancel the typing.
  exr: [],
  exx: [],
  // Export: the weekly export's screen; turn it on (1) or off (0).
  exw: [],
  exwt: ["flag"],
});

export type OwnerButton = NonNullable<ReturnType<typeof ownerButtons.decode>>;

/** A tag's button id: FNV-1a of its text, in base 36. Stable across restarts and releases. */
export function tagHash(tag: string): string {
  let hash = 0x811c9dc5;
  for (const char of tag) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
