import { expect, it } from "vitest";
import { at, type ContractHarness } from "./storeContract.ts";

/**
 * The leads read model: funnel, recent leads, search, a lead by id, notes and tags. Part of the main
 * store contract (storeContract.ts), against each store.
 */
export function leadsContract({ setup }: ContractHarness): void {
  it("computes funnel stats as customers who ever reached each stage", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(1, { type: "start", key: "1" });
    await runtime.dispatch(2, { type: "catalog_view", key: "2" });
    await runtime.dispatch(3, { type: "add_to_cart", productId: "p", qty: 1, key: "3" });
    await runtime.dispatch(4, { type: "order_created", orderId: "A", total: 1, currency: "RUB", key: "4" });
    await runtime.dispatch(4, { type: "catalog_view", key: "4b" });
    const funnel = await store.funnel();
    expect(funnel.total).toBe(4);
    expect(funnel.steps.map((step) => [step.stage, step.current, step.reached])).toEqual([
      ["new", 1, 4],
      ["engaged", 1, 3],
      ["cart", 1, 2],
      ["checkout", 0, 1],
      ["customer", 1, 1],
      ["repeat", 0, 0],
    ]);
    expect(funnel.steps[2]).toMatchObject({ fromPrevious: 0.6667, fromNew: 0.5 });
    expect(funnel.steps[5]).toMatchObject({ fromPrevious: 0, fromNew: 0 });
  });

  it("lists recent leads, the most recently seen first, with pages", async () => {
    const { store, runtime, clock } = await setup();
    for (let user = 1; user <= 5; user++) {
      clock.advance(1_000);
      await runtime.dispatch(user, { type: "start", key: `s${user}` });
    }
    clock.advance(1_000);
    await runtime.dispatch(2, { type: "catalog_view", key: "again" });
    const first = await store.recentLeads({ limit: 2 });
    expect(first.items.map((lead) => lead.userId)).toEqual([2, 5]);
    expect(first.hasMore).toBe(true);
    const last = await store.recentLeads({ offset: 4, limit: 2 });
    expect(last.items.map((lead) => lead.userId)).toEqual([1]);
    expect(last.hasMore).toBe(false);
  });

  it("searches by user id, username, phone, notes and tags, folding case in Cyrillic too", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(101, { type: "start", username: "Ivan_Petrov", key: "a" });
    await runtime.dispatch(102, { type: "contact_shared", phone: "+7 (999) 123-45-67", key: "b" });
    await runtime.addNote(103, "Иван просил перезвонить", "c");
    await runtime.dispatch(104, { type: "tags_changed", added: ["оптовик"], key: "d" });
    const ids = async (query: string) => (await store.search(query)).items.map((lead) => lead.userId);
    expect(await ids("102")).toEqual([102]);
    expect(await ids("ivan")).toEqual([101]);
    expect(await ids("@ivan_petrov")).toEqual([101]);
    expect(await ids("иван")).toEqual([103]);
    expect(await ids("ИВАН ПЕРЕЗВОН")).toEqual([103]);
    expect(await ids("+79991234567")).toEqual([102]);
    expect(await ids("4567")).toEqual([102]);
    expect(await ids("ОПТОВИК")).toEqual([104]);
    expect(await ids("ivan_petrov")).toEqual([101]);
    await runtime.addNote(105, "Оптовый заказ, café на Арбате", "e");
    await runtime.dispatch(106, { type: "start", username: "smirnov740", key: "f" });
    expect(await ids("оптовый")).toEqual([105]);
    expect(await ids("cafe арбат")).toEqual([105]);
    expect(await ids("Café")).toEqual([105]);
    expect(await ids("smirnov")).toEqual([106]);
    expect(await ids("smirnov740")).toEqual([106]);
    expect(await ids("smirnov74")).toEqual([106]);
    expect(await ids("nobody")).toEqual([]);
    expect(await ids("   ")).toEqual([]);
    expect(await ids('"; DROP TABLE crm_leads; --')).toEqual([]);
  });

  it("finds a lead by id", async () => {
    const { store, runtime } = await setup();
    expect(await store.lead(5)).toBeNull();
    await runtime.dispatch(5, { type: "start", source: "friend", username: "olga", key: "s" });
    expect(await store.lead(5)).toMatchObject({ userId: 5, username: "olga", source: "friend", stage: "new", tags: [], notes: [] });
  });

  it("adds notes with a timestamp and toggles tags, each as an event", async () => {
    const { store, runtime, clock } = await setup();
    await runtime.dispatch(1, { type: "start", key: "s" });
    clock.advance(5_000);
    await runtime.addNote(1, "  wants a discount ", "n1");
    await runtime.toggleTag(1, "VIP", "t1");
    await runtime.toggleTag(1, "wholesale", "t2");
    await runtime.toggleTag(1, "vip", "t3");
    const lead = await store.lead(1);
    expect(lead?.notes).toEqual([{ at: at("2026-01-27T10:00:05Z"), text: "wants a discount" }]);
    expect(lead?.tags).toEqual(["wholesale"]);
    expect((await store.events(1)).map((event) => event.type)).toEqual(["start", "note_added", "tags_changed", "tags_changed", "tags_changed"]);
    await expect(runtime.addNote(1, "   ", "n2")).rejects.toThrow(/empty/);
    await expect(runtime.toggleTag(1, "no spaces allowed", "t4")).rejects.toThrow(/tag/);
  });

  it("finds a lead by the name Telegram gives", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(21, { type: "start", name: "Мария Кузнецова", key: "a" });
    await runtime.dispatch(22, { type: "start", username: "maria_k", key: "b" });
    expect((await store.lead(21))?.name).toBe("Мария Кузнецова");
    expect((await store.search("кузнецова")).items.map((lead) => lead.userId)).toEqual([21]);
    expect((await store.search("мария кузн")).items.map((lead) => lead.userId)).toEqual([21]);
  });
}
