import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { catalogEditMachine } from "./catalogEdit.machine.ts";
import type { CatalogEditEvent } from "./catalogEdit.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof catalogEditMachine>;

const start = (): Snapshot => initialTransition(catalogEditMachine)[0];
const send = (snapshot: Snapshot, ...events: CatalogEditEvent[]): Snapshot => events.reduce((current, event) => transition(catalogEditMachine, current, event)[0], snapshot);
const named = (snapshot: Snapshot, event: CatalogEditEvent) =>
  transition(catalogEditMachine, snapshot, event)[1]
    .filter((action) => !action.type.startsWith("xstate."))
    .map(({ type, params }) => ({ type, params }));

const text = (value: string): CatalogEditEvent => ({ type: "TEXT", text: value });
const price: CatalogEditEvent = { type: "EDIT", productId: "p1", field: "price" };
const confirm: CatalogEditEvent = { type: "CONFIRM" };

const reach = {
  idle: (): Snapshot => start(),
  awaitingValue: (): Snapshot => send(start(), price),
  confirming: (): Snapshot => send(start(), price, text("950")),
};

describe("catalogEdit graph", () => {
  it("has exactly these transitions between states", () => {
    expect([...new Set(collectEdges(toDirectedGraph(catalogEditMachine)))].sort()).toEqual(
      [
        "awaitingValue --TEXT--> checkingId",
        "awaitingValue --TEXT--> confirming",
        "awaitingValue --PHOTO--> confirming",
        "awaitingValue --CANCEL--> idle",
        "checkingId --ID_FREE--> awaitingValue",
        "checkingId --ID_TAKEN--> awaitingValue",
        "confirming --CONFIRM--> saving",
        "confirming --TEXT--> awaitingValue",
        "confirming --PHOTO--> awaitingValue",
        "confirming --CANCEL--> idle",
        "saving --SAVED--> idle",
        "saving --FAILED--> confirming",
        "catalogEdit --EDIT--> awaitingValue",
        "catalogEdit --NEW_PRODUCT--> awaitingValue",
        "catalogEdit --NEW_CATEGORY--> awaitingValue",
        "catalogEdit --RENAME_CATEGORY--> awaitingValue",
      ].sort(),
    );
  });
});

describe("catalogEdit: a product's field", () => {
  it("asks for the field, keeps a valid value for confirmation, and names saveEdit on ✅", () => {
    const confirming = send(start(), price, text("1 290,50"));
    expect(confirming.value).toBe("confirming");
    expect(confirming.context.value).toEqual({ field: "price", price: 1290.5 });
    expect(named(confirming, confirm)).toEqual([
      { type: "saveEdit", params: { target: { kind: "product", productId: "p1", field: "price" }, value: { field: "price", price: 1290.5 }, draft: { id: null, title: null } } },
    ]);
    const saved = send(confirming, confirm, { type: "SAVED" });
    expect(saved.value).toBe("idle");
    expect(saved.context).toMatchObject({ target: null, value: null, lastSaved: { kind: "product", productId: "p1", field: "price" } });
  });

  it("refuses a price with 3 decimals, stays and says why; the next valid one goes on", () => {
    const refused = send(start(), price, text("10.999"));
    expect(refused.value).toBe("awaitingValue");
    expect(refused.context.error).toEqual({ code: "price_decimals" });
    expect(named(refused, text("10.99"))).toEqual([]);
    expect(send(refused, text("10.99")).context).toMatchObject({ error: null, value: { field: "price", price: 10.99 } });
  });

  it("takes - for stock that is not tracked, and refuses a negative stock", () => {
    const stock: CatalogEditEvent = { type: "EDIT", productId: "p1", field: "stock" };
    expect(send(start(), stock, text("-")).context.value).toEqual({ field: "stock", stock: null });
    expect(send(start(), stock, text("-2")).context.error).toEqual({ code: "stock_negative" });
  });

  it("takes a photo for the photo, - to remove it, and refuses other text or a photo for text", () => {
    const photo: CatalogEditEvent = { type: "EDIT", productId: "p1", field: "photo" };
    expect(send(start(), photo, { type: "PHOTO", fileId: "f-big" }).context.value).toEqual({ field: "photo", fileId: "f-big" });
    expect(send(start(), photo, text("-")).context.value).toEqual({ field: "photo", fileId: null });
    expect(send(start(), photo, text("a cat")).context.error).toEqual({ code: "photo_expected" });
    const title = send(start(), { type: "EDIT", productId: "p1", field: "title" }, { type: "PHOTO", fileId: "f" });
    expect(title.value).toBe("awaitingValue");
    expect(title.context.error).toEqual({ code: "text_expected" });
  });

  it("replaces the value with text typed while it waits for ✅", () => {
    const replaced = send(start(), price, text("950"), text("990"));
    expect(replaced.value).toBe("confirming");
    expect(replaced.context.value).toEqual({ field: "price", price: 990 });
    const refused = send(start(), price, text("950"), text("abc"));
    expect(refused.value).toBe("awaitingValue");
    expect(refused.context.error).toEqual({ code: "price_not_number" });
  });

  it("goes back to confirming on a failed save, with why, so ✅ tries again", () => {
    const failed = send(start(), price, text("950"), confirm, { type: "FAILED", reason: "store" });
    expect(failed.value).toBe("confirming");
    expect(failed.context.error).toEqual({ code: "failed", reason: "store" });
    expect(named(failed, confirm).map((action) => action.type)).toEqual(["saveEdit"]);
  });

  it("cancels from any waiting state, and a new edit replaces the one waiting", () => {
    expect(send(start(), price, { type: "CANCEL" }).context).toMatchObject({ target: null, value: null });
    expect(send(start(), price, text("950"), { type: "CANCEL" }).value).toBe("idle");
    const other = send(start(), price, text("950"), { type: "EDIT", productId: "p2", field: "title" });
    expect(other.value).toBe("awaitingValue");
    expect(other.context).toMatchObject({ target: { kind: "product", productId: "p2", field: "title" }, field: "title", value: null });
  });
});

describe("catalogEdit: a new product and categories", () => {
  it("asks for an id (checked free by the bot), a title and a price", () => {
    const asked = send(start(), { type: "NEW_PRODUCT", categoryId: "tea" });
    expect(asked.context.field).toBe("id");
    expect(send(asked, text("кофе")).context.error).toEqual({ code: "not_id" });
    expect(named(asked, text(" puer-1 "))).toEqual([{ type: "checkId", params: { id: "puer-1" } }]);
    const taken = send(asked, text("puer-1"), { type: "ID_TAKEN" });
    expect(taken.value).toBe("awaitingValue");
    expect(taken.context.error).toEqual({ code: "id_taken" });
    const titled = send(asked, text("puer-1"), { type: "ID_FREE" }, text("Шу пуэр"));
    expect(titled.context).toMatchObject({ field: "price", draft: { id: "puer-1", title: "Шу пуэр" } });
    const ready = send(titled, text("1690"));
    expect(named(ready, confirm)).toEqual([
      { type: "saveEdit", params: { target: { kind: "newProduct", categoryId: "tea" }, value: { field: "price", price: 1690 }, draft: { id: "puer-1", title: "Шу пуэр" } } },
    ]);
  });

  it("asks a category's title, at most 64 characters", () => {
    const renaming = send(start(), { type: "RENAME_CATEGORY", categoryId: "tea" });
    expect(send(renaming, text("x".repeat(65))).context.error).toEqual({ code: "too_long", max: 64, length: 65 });
    expect(send(renaming, text("Чай")).context.value).toEqual({ field: "categoryTitle", text: "Чай" });
    expect(send(start(), { type: "NEW_CATEGORY" }, text("Какао")).context).toMatchObject({ target: { kind: "newCategory" }, value: { field: "categoryTitle", text: "Какао" } });
  });
});

describe("catalogEdit: any input", () => {
  const anyEvent = fc.oneof(
    fc.string().map(text),
    fc.constantFrom<CatalogEditEvent>(price, confirm, { type: "CANCEL" }, { type: "PHOTO", fileId: "f" }, { type: "NEW_PRODUCT", categoryId: "c" }, { type: "ID_FREE" }, { type: "SAVED" }),
  );

  it("never names saveEdit without a checked value", () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 12 }), (events) => {
        let snapshot = start();
        for (const event of events) {
          for (const action of named(snapshot, event)) if (action.type === "saveEdit") expect((action.params as { value: unknown }).value).not.toBeNull();
          snapshot = send(snapshot, event);
        }
      }),
    );
  });
});

describe("catalogEdit persisted", () => {
  itRestoresEachState(catalogEditMachine, reach);
});
