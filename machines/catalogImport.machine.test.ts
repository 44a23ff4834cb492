import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { catalogImportMachine } from "./catalogImport.machine.ts";
import type { CatalogImportEvent, ImportCounts } from "./catalogImport.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof catalogImportMachine>;

const start = (): Snapshot => initialTransition(catalogImportMachine)[0];
const send = (snapshot: Snapshot, ...events: CatalogImportEvent[]): Snapshot => events.reduce((current, event) => transition(catalogImportMachine, current, event)[0], snapshot);
const named = (snapshot: Snapshot, event: CatalogImportEvent) =>
  transition(catalogImportMachine, snapshot, event)[1]
    .filter((action) => !action.type.startsWith("xstate."))
    .map(({ type, params }) => ({ type, params }));

const counts: ImportCounts = { newProducts: 12, changedProducts: 30, hiddenProducts: 2, shownProducts: 0, unchangedProducts: 5, newCategories: 1, newCategoryIds: ["cocoa"], changedCategories: 0 };
const source = { kind: "file", fileId: "doc-1", name: "prices.csv" } as const;
const previewed: CatalogImportEvent = { type: "PREVIEWED", source, counts };

const reach = {
  idle: (): Snapshot => start(),
  previewing: (): Snapshot => send(start(), previewed),
};

describe("catalogImport graph", () => {
  it("has exactly these transitions between states", () => {
    expect([...new Set(collectEdges(toDirectedGraph(catalogImportMachine)))].sort()).toEqual(
      [
        "catalogImport --PREVIEWED--> previewing",
        "previewing --CONFIRM--> applying",
        "previewing --CANCEL--> idle",
        "applying --APPLIED--> idle",
        "applying --CHANGED--> previewing",
        "applying --FAILED--> previewing",
      ].sort(),
    );
  });
});

describe("catalogImport", () => {
  it("names applyImport with the previewed source and counts on ✅, and ends idle with what was applied", () => {
    const previewing = send(start(), previewed);
    expect(named(previewing, { type: "CONFIRM" })).toEqual([{ type: "applyImport", params: { source, counts } }]);
    const done = send(previewing, { type: "CONFIRM" }, { type: "APPLIED", counts });
    expect(done.value).toBe("idle");
    expect(done.context).toMatchObject({ source: null, counts: null, applied: counts });
  });

  it("applies nothing on a second ✅ of the same preview", () => {
    const done = send(start(), previewed, { type: "CONFIRM" }, { type: "APPLIED", counts });
    expect(named(done, { type: "CONFIRM" })).toEqual([]);
  });

  it("shows the new counts when the catalog changed since the preview, and waits for ✅ again", () => {
    const newer = { ...counts, newProducts: 11 };
    const changed = send(start(), previewed, { type: "CONFIRM" }, { type: "CHANGED", counts: newer });
    expect(changed.value).toBe("previewing");
    expect(changed.context).toMatchObject({ counts: newer, changed: true, source });
    expect(named(changed, { type: "CONFIRM" })).toEqual([{ type: "applyImport", params: { source, counts: newer } }]);
  });

  it("keeps the preview on a failure, with why, and cancel drops it", () => {
    const failed = send(start(), previewed, { type: "CONFIRM" }, { type: "FAILED", reason: "unavailable" });
    expect(failed.value).toBe("previewing");
    expect(failed.context.error).toBe("unavailable");
    expect(send(failed, { type: "CANCEL" }).context).toMatchObject({ source: null, counts: null, error: null });
  });

  it("takes a newer file's preview in place of the one waiting", () => {
    const other = { kind: "seed" } as const;
    expect(send(start(), previewed, { type: "PREVIEWED", source: other, counts }).context.source).toEqual(other);
  });
});

describe("catalogImport persisted", () => {
  itRestoresEachState(catalogImportMachine, reach);
});
