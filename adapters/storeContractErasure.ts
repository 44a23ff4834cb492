import { expect, it } from "vitest";
import { replayLog } from "../actors/customerRuntime.ts";
import { orderJustPlaced } from "../actors/store.port.ts";
import { anOrder, at, type ContractHarness, personalTraces, seedPersonalData } from "./storeContract.ts";

/**
 * `/forget`: personal data erased in the unit of work, facts kept, and no trace left in any file. Part
 * of the main store contract (storeContract.ts), against each store.
 */
export function erasureContract({ setup, stores, traces }: ContractHarness): void {
  it("erases a customer's personal data, keeps the facts, and leaves no trace in any file after a reopen", async () => {
    const { dir, store, runtime } = await setup();
    const order = await seedPersonalData(runtime, store);
    await runtime.dispatch(8, { type: "start", username: "olga_keeps", key: "8:start" });
    await runtime.dispatch(8, { type: "consent_given", version: "v1", key: "8:consent" });
    await runtime.dispatch(8, { type: "contact_shared", phone: "+78880001122", key: "8:contact" });
    await runtime.logMessage(8, { direction: "in", type: "text", text: "olga stays", key: "8:m" });
    const ids = async (query: string) => (await store.search(query)).items.map((lead) => lead.userId);
    expect(await ids("ivan_secret")).toEqual([7]);
    expect(await ids("secretov")).toEqual([7]);
    expect(traces(dir, personalTraces)).not.toEqual([]);

    await store.transact((tx) => tx.erasePersonalData(7));
    const erased = await runtime.dispatch(7, { type: "data_erased", key: "7:forget" });
    expect(erased.stage).toBe("customer");

    expect(await store.messages(7)).toEqual([]);
    expect(await store.messagesCount(7)).toBe(0);
    expect(Object.fromEntries((await store.events(7)).map((event) => [event.type, event.payload]))).toEqual({
      start: { source: "ads" },
      consent_given: { version: "v1" },
      message_in: { messageType: "text", chars: 33 },
      message_out: { messageType: "ai_response", chars: 31 },
      search: { query: "" },
      checkout_started: {},
      contact_shared: { phone: "" },
      delivery_given: { text: "" },
      note_added: { text: "" },
      tags_changed: {},
      order_created: { orderId: "SO-7A", total: 1980, currency: "RUB", items: order.items },
      data_erased: {},
    });
    expect(await store.order("SO-7A")).toEqual({ ...order, phone: null, delivery: null });
    const lead = await store.lead(7);
    expect(lead).toMatchObject({ stage: "customer", ordersCount: 1, lifetimeValue: 1980, lastOrderId: "SO-7A", source: "ads" });
    expect(lead).toMatchObject({ username: null, name: null, phone: null, notes: [], tags: [], consentAt: null, erasedAt: expect.any(Number) });
    for (const query of ["ivan_secret", "secretov", "+79991234567", "1234567", "zamoskvorechye", "quartzfan"]) expect(await ids(query)).toEqual([]);
    expect(await ids("olga_keeps")).toEqual([8]);
    expect(await ids("+78880001122")).toEqual([8]);
    expect((await store.messages(8)).map((message) => message.text)).toEqual(["olga stays"]);
    expect(traces(dir, personalTraces)).toEqual([]);

    await runtime.close();
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await setup({ dir });
    expect(await again.store.lead(7)).toEqual(lead);
    const fromLog = replayLog(7, again.store.loadEvents(7));
    expect(fromLog.value).toMatchObject({ funnel: "customer" });
    expect(fromLog.context).toMatchObject({ username: null, name: null, phone: null, notes: [], tags: [], ordersCount: 1, lifetimeValue: 1980 });
    expect(await again.store.messages(7)).toEqual([]);
    expect((await again.store.order("SO-7A"))?.delivery).toBeNull();
    await again.runtime.close();
    await again.store.close();
    stores.splice(stores.indexOf(again.store), 1);
    expect(traces(dir, personalTraces)).toEqual([]);
  });

  it("places an order with its event exactly once, and forgets in one unit through the runtime", async () => {
    const { dir, store, runtime } = await setup();
    await runtime.dispatch(7, { type: "checkout_started", key: "7:checkout" });
    await runtime.dispatch(7, { type: "contact_shared", phone: "+79991234567", key: "7:contact" });
    await runtime.dispatch(7, { type: "delivery_given", text: "Lenina street 5", key: "7:delivery" });
    const input = { type: "order_created", orderId: "SO-1", items: [{ productId: "p1", title: "Пуэр", price: 990, qty: 1 }], total: 990, currency: "RUB", key: "7:o1" } as const;
    const placed = await runtime.dispatch(7, input);
    expect(await runtime.dispatch(7, input)).toEqual({ ...placed, duplicate: true });
    await expect(runtime.dispatch(7, { ...input, key: "7:o2" })).rejects.toThrow(/SO-1 is already stored/);
    expect((await store.events(7, { types: ["order_created"] })).map((event) => event.key)).toEqual(["7:o1"]);
    const { key: _key, type: _type, ...ordered } = input;
    expect((await store.orders(7)).items).toEqual([{ ...orderJustPlaced, ...ordered, phone: "+79991234567", delivery: "Lenina street 5", userId: 7, at: at("2026-01-27T10:00:00Z") }]);

    expect((await runtime.forget(7, "7:forget")).stage).toBe("customer");
    expect(traces(dir, ["79991234567", "lenina"])).toEqual([]);
    expect(await store.lead(7)).toMatchObject({ phone: null, ordersCount: 1, lifetimeValue: 990, erasedAt: at("2026-01-27T10:00:00Z") });
    expect(await store.order("SO-1")).toMatchObject({ phone: null, delivery: null, total: 990 });
  });

  it("erases inside the unit of work: in order with its other writes, and not at all if the unit fails", async () => {
    const { store, runtime } = await setup();
    await runtime.dispatch(7, { type: "consent_given", version: "v1", key: "c" });
    await runtime.logMessage(7, { direction: "in", type: "text", text: "before", key: "m" });
    await runtime.dispatch(7, { type: "contact_shared", phone: "+70000000002", key: "phone-committed" });
    await expect(
      store.transact((tx) => {
        tx.erasePersonalData(7);
        throw new Error("the unit fails");
      }),
    ).rejects.toThrow("the unit fails");
    expect((await store.messages(7)).map((message) => message.text)).toEqual(["before"]);
    expect((await store.events(7, { types: ["contact_shared"] }))[0]?.payload).toEqual({ phone: "+70000000002" });

    const t = at("2026-01-27T11:00:00Z");
    await store.transact((tx) => {
      tx.appendEvent({ userId: 7, type: "contact_shared", payload: JSON.stringify({ phone: "+70000000001" }), at: t, key: "phone-before" });
      tx.appendMessage({ userId: 7, direction: "in", type: "text", text: "in the unit", at: t });
      tx.saveOrder({ ...anOrder("SO-9", 7, t), delivery: "before the erasure" });
      tx.erasePersonalData(7);
      tx.appendEvent({ userId: 7, type: "note_added", payload: JSON.stringify({ text: "after the erasure" }), at: t, key: "note-after" });
      tx.appendMessage({ userId: 7, direction: "in", type: "text", text: "after", at: t });
      expect(tx.eventByKey("phone-before")?.payload).toEqual({ phone: "" });
      expect(tx.eventByKey("phone-committed")?.payload).toEqual({ phone: "" });
    });
    expect((await store.events(7, { types: ["contact_shared", "note_added"] })).map((event) => event.payload)).toEqual([
      { phone: "" },
      { phone: "" },
      { text: "after the erasure" },
    ]);
    expect((await store.messages(7)).map((message) => message.text)).toEqual(["after"]);
    expect((await store.order("SO-9"))?.delivery).toBeNull();
  });
}
