import { callbackCodec } from "../callbackData.ts";

/**
 * Every inline button of the shop bot. Version "s1": a button from before a change of meaning
 * decodes to null and is answered as out of date.
 */
export const shopButtons = callbackCodec("s1", {
  menu: [],
  cats: [],
  cat: ["id", "int"],
  prod: ["id"],
  add: ["id"],
  cart: [],
  inc: ["id", "int"],
  dec: ["id", "int"],
  rm: ["id", "int"],
  co: [],
  ok: ["id"],
  cancel: [],
  editp: [],
  editd: [],
  find: [],
  sp: ["int"],
  ai: [],
  aix: [],
  cons: ["flag"],
  forget: ["flag"],
  revoke: [],
  priv: [],
  mydata: [],
  pm: ["id", "id"],
  ords: ["int"],
  ord: ["id"],
  oc: ["id"],
  ocy: ["id"],
  opay: ["id"],
  rate: ["id", "int"],
  rp: ["id"],
  unsub: [],
});

export type ShopButton = NonNullable<ReturnType<typeof shopButtons.decode>>;
