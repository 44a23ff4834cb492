import { assign, raise, setup } from "xstate";
import { catalogLimits, checkDescription, checkId, checkPrice, checkStock, checkTitle, meansNone } from "./catalogEdit.input.ts";
import type { CatalogEditActionParams, CatalogEditContext, CatalogEditEvent, EditError, EditTarget, EditValue, InputField } from "./catalogEdit.types.ts";

/**
 * Bump this whenever the machine's states or context change shape.
 * A stored edit of another version is dropped, and the owner starts the edit afresh.
 */
export const catalogEditVersion = 1;

/** Typed text as the value of the field asked for, or why it is not one. */
export function valueOf(field: Exclude<InputField, "id">, text: string): { readonly value: EditValue } | { readonly error: EditError } {
  const of = <T>(checked: { ok: true; value: T } | { ok: false; error: EditError }, make: (value: T) => EditValue) => (checked.ok ? { value: make(checked.value) } : { error: checked.error });
  switch (field) {
    case "title":
      return of(checkTitle(text), (title) => ({ field: "title", text: title }));
    case "categoryTitle":
      return of(checkTitle(text, catalogLimits.categoryTitle), (title) => ({ field: "categoryTitle", text: title }));
    case "description":
      return of(checkDescription(text), (description) => ({ field: "description", text: description }));
    case "price":
      return of(checkPrice(text), (price) => ({ field: "price", price }));
    case "stock":
      return of(checkStock(text), (stock) => ({ field: "stock", stock }));
    case "photo":
      return meansNone(text) ? { value: { field: "photo", fileId: null } } : { error: { code: "photo_expected" } };
  }
}

const refusalOf = (field: InputField | null, text: string): EditError | null => {
  if (field === null) return null;
  if (field === "id") {
    const id = checkId(text);
    return id.ok ? null : id.error;
  }
  const checked = valueOf(field, text);
  return "error" in checked ? checked.error : null;
};

const textOf = (value: EditValue | null): string | null => (value && "text" in value ? value.text : null);

/** The first field a target asks for. */
const firstField = (target: EditTarget): InputField => (target.kind === "product" ? target.field : target.kind === "newProduct" ? "id" : "categoryTitle");

const emptyDraft = { id: null, title: null } as const;

/**
 * The owner's edit of the catalog: idle → awaitingValue → confirming → saving → idle again.
 *
 * `EDIT` (a product's field), `RENAME_CATEGORY` and `NEW_CATEGORY` ask for one value; `NEW_PRODUCT`
 * asks for an id (checked free by the bot's `checkId` in `checkingId`), a title and a price, and
 * the product is created hidden. Each typed value is checked by the rules of catalogEdit.input.ts:
 * a refused one stays in `awaitingValue` with its `error`; a valid one waits in `confirming` for
 * `CONFIRM`, and text typed there replaces it. Entering `saving` names `saveEdit`, which the bot
 * provides (it applies one catalog edit and answers `SAVED` or `FAILED`). The runner answers
 * `checkId` and `saveEdit` within the step that named them, so `checkingId` and `saving` are never
 * what a session keeps, and a failed save returns to `confirming` to be tried again or cancelled.
 *
 * @example
 * const [idle] = initialTransition(catalogEditMachine);
 * const [asking] = transition(catalogEditMachine, idle, { type: "EDIT", productId: "p1", field: "price" });
 * const [confirming] = transition(catalogEditMachine, asking, { type: "TEXT", text: "1 290,50" });
 * confirming.context.value; // { field: "price", price: 1290.5 }
 */
export const catalogEditMachine = setup({
  types: {
    context: {} as CatalogEditContext,
    events: {} as CatalogEditEvent,
  },
  actions: {
    /** Declared for their names and params; the bot's implementations run them (adapters/telegram/flowState.ts). */
    checkId: (_: unknown, _params: CatalogEditActionParams["checkId"]) => {},
    saveEdit: (_: unknown, _params: CatalogEditActionParams["saveEdit"]) => {},
    begin: assign((_, params: { target: EditTarget }) => ({ target: params.target, field: firstField(params.target), draft: emptyDraft, value: null, error: null })),
    refuse: assign((_, params: { error: EditError | null }) => ({ error: params.error })),
    keep: assign(({ context }, params: { text: string }) => {
      const checked = context.field === null || context.field === "id" ? null : valueOf(context.field, params.text);
      return { value: checked && "value" in checked ? checked.value : null, error: null };
    }),
    keepPhoto: assign((_, params: { fileId: string }) => ({ value: { field: "photo", fileId: params.fileId } as const, error: null })),
    keepId: assign(({ context }, params: { text: string }) => ({ draft: { ...context.draft, id: params.text.trim() }, error: null })),
    askTitle: assign({ field: "title", error: null }),
    keepTitleAskPrice: assign(({ context }, params: { text: string }) => {
      const checked = valueOf("title", params.text);
      return { draft: { ...context.draft, title: "value" in checked ? textOf(checked.value) : null }, field: "price", error: null };
    }),
    idTaken: assign({ error: { code: "id_taken" } }),
    failed: assign((_, params: { reason: "gone" | "photo" | "store" }) => ({ error: { code: "failed", reason: params.reason } as const })),
    finish: assign(({ context }) => ({ target: null, field: null, draft: emptyDraft, value: null, error: null, lastSaved: context.target })),
    drop: assign({ target: null, field: null, draft: emptyDraft, value: null, error: null }),
    again: raise(({ event }) => event),
  },
  guards: {
    isRefused: ({ context }, params: { text: string }) => refusalOf(context.field, params.text) !== null,
    asksId: ({ context }) => context.field === "id",
    asksNewTitle: ({ context }) => context.target?.kind === "newProduct" && context.field === "title",
    asksPhoto: ({ context }) => context.field === "photo",
  },
}).createMachine({
  id: "catalogEdit",
  initial: "idle",
  context: { target: null, field: null, draft: emptyDraft, value: null, error: null, lastSaved: null },
  on: {
    EDIT: { target: ".awaitingValue", actions: { type: "begin", params: ({ event }) => ({ target: { kind: "product", productId: event.productId, field: event.field } }) } },
    NEW_PRODUCT: { target: ".awaitingValue", actions: { type: "begin", params: ({ event }) => ({ target: { kind: "newProduct", categoryId: event.categoryId } }) } },
    NEW_CATEGORY: { target: ".awaitingValue", actions: { type: "begin", params: { target: { kind: "newCategory" } } } },
    RENAME_CATEGORY: { target: ".awaitingValue", actions: { type: "begin", params: ({ event }) => ({ target: { kind: "category", categoryId: event.categoryId } }) } },
  },
  states: {
    idle: {},
    awaitingValue: {
      on: {
        TEXT: [
          { guard: { type: "isRefused", params: ({ event }) => ({ text: event.text }) }, actions: { type: "refuse", params: ({ context, event }) => ({ error: refusalOf(context.field, event.text) }) } },
          { guard: "asksId", target: "checkingId", actions: { type: "keepId", params: ({ event }) => ({ text: event.text }) } },
          { guard: "asksNewTitle", actions: { type: "keepTitleAskPrice", params: ({ event }) => ({ text: event.text }) } },
          { target: "confirming", actions: { type: "keep", params: ({ event }) => ({ text: event.text }) } },
        ],
        PHOTO: [
          { guard: "asksPhoto", target: "confirming", actions: { type: "keepPhoto", params: ({ event }) => ({ fileId: event.fileId }) } },
          { actions: { type: "refuse", params: { error: { code: "text_expected" } } } },
        ],
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    checkingId: {
      entry: { type: "checkId", params: ({ context }) => ({ id: context.draft.id }) },
      on: {
        ID_FREE: { target: "awaitingValue", actions: "askTitle" },
        ID_TAKEN: { target: "awaitingValue", actions: "idTaken" },
      },
    },
    confirming: {
      on: {
        CONFIRM: { target: "saving" },
        TEXT: { target: "awaitingValue", actions: "again" },
        PHOTO: { target: "awaitingValue", actions: "again" },
        CANCEL: { target: "idle", actions: "drop" },
      },
    },
    saving: {
      entry: { type: "saveEdit", params: ({ context }) => ({ target: context.target, value: context.value, draft: context.draft }) },
      on: {
        SAVED: { target: "idle", actions: "finish" },
        FAILED: { target: "confirming", actions: { type: "failed", params: ({ event }) => ({ reason: event.reason }) } },
      },
    },
  },
});
