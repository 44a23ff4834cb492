import { describe, expect, it } from "vitest";
import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { toDirectedGraph } from "xstate/graph";
import { ownerBroadcastMachine } from "./ownerBroadcast.machine.ts";
import { messageProblem, urlButtonOf } from "./ownerBroadcast.message.ts";
import type { BroadcastDraft, OwnerBroadcastEvent } from "./ownerBroadcast.types.ts";
import { collectEdges } from "./testing/collectEdges.ts";
import { itRestoresEachState } from "./testing/rehydration.ts";

type Snapshot = SnapshotFrom<typeof ownerBroadcastMachine>;

const start = (): Snapshot => initialTransition(ownerBroadcastMachine)[0];
const send = (snapshot: Snapshot, ...events: OwnerBroadcastEvent[]): Snapshot => events.reduce((current, event) => transition(ownerBroadcastMachine, current, event)[0], snapshot);
const named = (snapshot: Snapshot, event: OwnerBroadcastEvent) =>
  transition(ownerBroadcastMachine, snapshot, event)[1]
    .filter((action) => !action.type.startsWith("xstate."))
    .map(({ type, params }) => ({ type, params }));

const draft: BroadcastDraft = { text: "Скидка 20% до пятницы", entities: [{ type: "bold", offset: 0, length: 6 }], photo: null };
const now = Date.parse("2026-11-23T10:00:00Z");

const reach = {
  idle: (): Snapshot => start(),
  writing: (): Snapshot => send(start(), { type: "START", key: "owner:5:broadcast" }),
  button: (): Snapshot => send(reach.writing(), { type: "MESSAGE", draft }),
  buttonUrl: (): Snapshot => send(reach.button(), { type: "ASK_URL" }),
  audience: (): Snapshot => send(reach.button(), { type: "NO_BUTTON" }),
  confirming: (): Snapshot => send(reach.audience(), { type: "AUDIENCE", audience: { kind: "all" }, count: 12 }),
};

describe("ownerBroadcast graph", () => {
  it("has exactly these transitions between states", () => {
    expect([...new Set(collectEdges(toDirectedGraph(ownerBroadcastMachine)))].sort()).toEqual(
      [
        "ownerBroadcast --START--> writing",
        "writing --MESSAGE--> button",
        "writing --CANCEL--> idle",
        "button --NO_BUTTON--> audience",
        "button --BUTTON--> audience",
        "button --ASK_URL--> buttonUrl",
        "button --EDIT_MESSAGE--> writing",
        "button --CANCEL--> idle",
        "buttonUrl --URL_TEXT--> audience",
        "buttonUrl --NO_BUTTON--> audience",
        "buttonUrl --CANCEL--> idle",
        "audience --AUDIENCE--> confirming",
        "audience --EDIT_MESSAGE--> writing",
        "audience --CANCEL--> idle",
        "confirming --SEND--> starting",
        "confirming --EDIT_MESSAGE--> writing",
        "confirming --EDIT_AUDIENCE--> audience",
        "confirming --CANCEL--> idle",
        "starting --STARTED--> idle",
        "starting --REFUSED--> audience",
        "starting --REFUSED--> confirming",
      ].sort(),
    );
  });
});

describe("ownerBroadcast", () => {
  it("names startBroadcast once on ✅ with the composition's key, and ends idle with the started id", () => {
    const confirming = send(reach.audience(), { type: "AUDIENCE", audience: { kind: "saved", id: 3, name: "VIP" }, count: 12 });
    expect(named(confirming, { type: "SEND", at: null, now })).toEqual([
      { type: "startBroadcast", params: { key: "owner:5:broadcast:0", draft, button: null, audience: { kind: "saved", id: 3, name: "VIP" }, at: null } },
    ]);
    const done = send(confirming, { type: "SEND", at: null, now }, { type: "STARTED", id: "b1", at: null });
    expect(done.value).toBe("idle");
    expect(done.context).toMatchObject({ started: "b1", draft: null, key: null });
    expect(named(done, { type: "SEND", at: null, now })).toEqual([]);
  });

  it("refuses a time in the past or over 90 days ahead, and takes one ahead", () => {
    const confirming = reach.confirming();
    expect(send(confirming, { type: "SEND", at: now - 1, now })).toMatchObject({ value: "confirming", context: { error: { kind: "time_past" } } });
    expect(send(confirming, { type: "SEND", at: now + 91 * 86_400_000, now })).toMatchObject({ value: "confirming", context: { error: { kind: "time_far" } } });
    expect(send(confirming, { type: "BAD_TIME" })).toMatchObject({ value: "confirming", context: { error: { kind: "time_format" } } });
    expect(named(confirming, { type: "SEND", at: now + 3_600_000, now })).toMatchObject([{ type: "startBroadcast", params: { at: now + 3_600_000 } }]);
  });

  it("refuses an audience of 0 recipients and stays choosing", () => {
    const refused = send(reach.audience(), { type: "AUDIENCE", audience: { kind: "all" }, count: 0 });
    expect(refused.value).toBe("audience");
    expect(refused.context.error).toEqual({ kind: "no_recipients" });
  });

  it("goes back to the audience with a new attempt when the start finds no recipients, and to ✅ when another broadcast is sending", () => {
    const empty = send(reach.confirming(), { type: "SEND", at: null, now }, { type: "REFUSED", reason: "no_recipients" });
    expect(empty).toMatchObject({ value: "audience", context: { attempt: 1, error: { kind: "no_recipients" } } });
    const busy = send(reach.confirming(), { type: "SEND", at: null, now }, { type: "REFUSED", reason: "another_is_sending" });
    expect(busy).toMatchObject({ value: "confirming", context: { attempt: 1, error: { kind: "another_is_sending" } } });
    expect(named(busy, { type: "SEND", at: null, now })).toMatchObject([{ params: { key: "owner:5:broadcast:1" } }]);
  });

  it("takes a URL button as `Label https://…` and refuses one without a usable URL or a label", () => {
    const asking = reach.buttonUrl();
    expect(send(asking, { type: "URL_TEXT", text: "https://shop.example" }).context.error).toEqual({ kind: "button_text" });
    expect(send(asking, { type: "URL_TEXT", text: "Открыть javascript:alert(1)" }).context.error).toEqual({ kind: "button_url" });
    expect(send(asking, { type: "URL_TEXT", text: "Открыть https://shop.example/sale" })).toMatchObject({ value: "audience", context: { button: { kind: "url", url: "https://shop.example/sale", text: "Открыть" } } });
  });

  it("keeps the message refused in writing with its problem", () => {
    const refused = send(reach.writing(), { type: "MESSAGE", draft: { text: "  ", entities: [], photo: null } });
    expect(refused).toMatchObject({ value: "writing", context: { error: { kind: "message", problem: { kind: "empty" } } } });
    expect(send(reach.writing(), { type: "NOT_TEXT" }).context.error).toEqual({ kind: "message", problem: { kind: "not_text" } });
  });

  it("keeps a segment handed over by the builder until the audience is offered, and forgets it when the owner changes the audience", () => {
    const handed = { kind: "built", name: "VIP", filter: { tags: { any: ["vip"] } } } as const;
    const audience = send(start(), { type: "START", key: "owner:9:broadcast", audience: handed }, { type: "MESSAGE", draft }, { type: "NO_BUTTON" });
    expect(audience).toMatchObject({ value: "audience", context: { audience: handed, count: null } });
    const confirming = send(audience, { type: "AUDIENCE", audience: handed, count: 4 });
    expect(send(confirming, { type: "EDIT_AUDIENCE" })).toMatchObject({ value: "audience", context: { audience: null, count: null } });
  });

  itRestoresEachState(ownerBroadcastMachine, reach);
});

describe("messageProblem", () => {
  const text = "Привет, мир! Скидки";
  const with_ = (entities: BroadcastDraft["entities"], photo: string | null = null): BroadcastDraft => ({ text, entities, photo });

  it("takes Telegram's own kinds of nesting: formatting inside a link, a link inside a quote", () => {
    expect(messageProblem(with_([{ type: "text_link", offset: 0, length: 11, url: "https://shop.example" }, { type: "bold", offset: 0, length: 6 }]))).toBeNull();
    expect(messageProblem(with_([{ type: "blockquote", offset: 0, length: 19 }, { type: "url", offset: 8, length: 3 }]))).toBeNull();
    expect(messageProblem({ text: "Новинка", entities: [], photo: "photo-1" })).toBeNull();
  });

  it("refuses an empty message and one over Telegram's limits (4,096 text, 1,024 caption)", () => {
    expect(messageProblem({ text: "", entities: [], photo: null })).toEqual({ kind: "empty" });
    expect(messageProblem({ text: " ", entities: [], photo: "photo-1" })).toEqual({ kind: "empty" });
    expect(messageProblem({ text: "a".repeat(4097), entities: [], photo: null })).toEqual({ kind: "too_long", length: 4097, max: 4096 });
    expect(messageProblem({ text: "a".repeat(4096), entities: [], photo: null })).toBeNull();
    expect(messageProblem({ text: "a".repeat(1025), entities: [], photo: "photo-1" })).toEqual({ kind: "too_long", length: 1025, max: 1024 });
  });

  it("refuses an entity out of the text, of an unknown type, or a text link to no usable URL, with its position", () => {
    expect(messageProblem(with_([{ type: "bold", offset: 15, length: 5 }]))).toEqual({ kind: "entity_range", type: "bold", offset: 15, length: 5 });
    expect(messageProblem(with_([{ type: "bold", offset: -1, length: 2 }]))).toMatchObject({ kind: "entity_range" });
    expect(messageProblem(with_([{ type: "italic", offset: 2, length: 0 }]))).toMatchObject({ kind: "entity_range", offset: 2 });
    expect(messageProblem(with_([{ type: "marquee", offset: 0, length: 3 }]))).toEqual({ kind: "entity_type", type: "marquee", offset: 0, length: 3 });
    expect(messageProblem(with_([{ type: "text_link", offset: 8, length: 3, url: "javascript:alert(1)" }]))).toEqual({ kind: "entity_url", type: "text_link", offset: 8, length: 3 });
    expect(messageProblem(with_([{ type: "text_link", offset: 8, length: 3 }]))).toMatchObject({ kind: "entity_url" });
  });

  it("refuses entities that cross, code holding formatting, a link in a link, and quotes in quotes", () => {
    expect(messageProblem(with_([{ type: "bold", offset: 0, length: 6 }, { type: "italic", offset: 3, length: 6 }]))).toEqual({ kind: "entity_overlap", type: "italic", offset: 3, length: 6, other: "bold", otherOffset: 0 });
    expect(messageProblem(with_([{ type: "code", offset: 0, length: 11 }, { type: "bold", offset: 0, length: 6 }]))).toMatchObject({ kind: "entity_overlap", other: "code" });
    expect(messageProblem(with_([{ type: "text_link", offset: 0, length: 11, url: "https://a.example" }, { type: "url", offset: 2, length: 3 }]))).toMatchObject({ kind: "entity_overlap" });
    expect(messageProblem(with_([{ type: "blockquote", offset: 0, length: 19 }, { type: "expandable_blockquote", offset: 8, length: 3 }]))).toMatchObject({ kind: "entity_overlap" });
  });

  it("reads the URL button's label and URL", () => {
    expect(urlButtonOf("  Наш сайт   https://shop.example  ")).toEqual({ button: { kind: "url", url: "https://shop.example", text: "Наш сайт" } });
    expect(urlButtonOf(`${"я".repeat(65)} https://shop.example`)).toEqual({ error: { kind: "button_text" } });
    expect(urlButtonOf("Сайт http://")).toEqual({ error: { kind: "button_url" } });
    expect(urlButtonOf("Канал tg://resolve?domain=shop")).toEqual({ error: { kind: "button_url" } });
  });
});
