import { afterEach, describe, expect, it } from "vitest";
import { sessionStorageFor } from "../sessionStorage.ts";
import { ownerToken, startOwnerHarness, type OwnerHarness } from "./testing/ownerHarness.ts";
import { startFreeSessionStandIn, type FreeSessionStandIn } from "../testing/freeSessionStandIn.ts";
import type { OwnerSession } from "./ownerSession.ts";
import { buttonStarting, seedCustomers } from "./testing/crmScenario.ts";

let shop: OwnerHarness;
let free: FreeSessionStandIn;
afterEach(async () => {
  await shop.close();
  await free.close();
});

describe("owner sessions on @grammyjs/storage-free (SESSION_STORAGE=free)", () => {
  it("keeps the owner's flows in the free service over HTTP, and resumes the note flow after a restart", async () => {
    free = await startFreeSessionStandIn();
    shop = await startOwnerHarness({
      ownerIds: [100],
      sessionStorage: () => sessionStorageFor<OwnerSession>({ kind: "free", store: { readSession: failStore, writeSession: failStore, deleteSession: failStore }, botToken: ownerToken, freeRootUrl: free.rootUrl }),
    });
    await seedCustomers(shop);
    const olga = shop.ownerChat(100);
    await olga.command("crm");
    await olga.press("👥 Последние лиды");
    await olga.press(buttonStarting(olga, "✅ Анна"));
    await olga.press("📝 Заметка");

    const stored = free.values(7003).get("owner:100");
    expect(JSON.parse(stored ?? "{}")).toMatchObject({ note: { version: 1, snapshot: { value: "awaitingText", context: { userId: 501 } } } });
    expect(await shop.store.readSession("owner:100")).toBeUndefined();

    await shop.restart();
    await olga.send("Записала через storage-free");
    expect(olga.screen().text).toContain("✅ Заметка сохранена.");
    expect((await shop.store.lead(501))?.notes.map((note) => note.text)).toEqual(["Записала через storage-free"]);
    expect(free.requests.some((request) => request.path === "/login")).toBe(true);
  });
});

async function failStore(): Promise<never> {
  throw new Error("the owner's sessions must not go to the store when SESSION_STORAGE=free");
}
