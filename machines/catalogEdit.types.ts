/**
 * The vocabulary of the owner editing the catalog in the owner bot: which product or category,
 * which field, the value typed (or the photo sent) and checked, and whether the bot stored it.
 * Plain JSON and bounded: it lives in the owner's grammY session.
 */
import type { FieldError } from "./catalogEdit.input.ts";

/** A product's field the owner can type (or, for `photo`, send) a new value for. */
export type ProductField = "title" | "description" | "price" | "stock" | "photo";

/** What the flow is asking for now. */
export type InputField = ProductField | "id" | "categoryTitle";

/** What the edit is about. A new product is asked for its id, then its title, then its price. */
export type EditTarget =
  | { readonly kind: "product"; readonly productId: string; readonly field: ProductField }
  | { readonly kind: "newProduct"; readonly categoryId: string }
  | { readonly kind: "category"; readonly categoryId: string }
  | { readonly kind: "newCategory" };

/** A checked value, waiting for the owner's ✅. `photo` null removes the photo; `stock` null is "not tracked". */
export type EditValue =
  | { readonly field: "title" | "description" | "categoryTitle"; readonly text: string }
  | { readonly field: "price"; readonly price: number }
  | { readonly field: "stock"; readonly stock: number | null }
  | { readonly field: "photo"; readonly fileId: string | null };

/** Why the last input did not move the edit on; the bot says it and asks again. */
export type EditError =
  | FieldError
  /** A photo was asked for and text came (other than `-`). */
  | { readonly code: "photo_expected" }
  /** Text was asked for and a photo came. */
  | { readonly code: "text_expected" }
  /** A new product's id is already a product's. */
  | { readonly code: "id_taken" }
  /** The bot could not store the edit: `gone` when the product or category no longer exists, `photo` when the photo could not be fetched. */
  | { readonly code: "failed"; readonly reason: SaveFailure };

export type SaveFailure = "gone" | "photo" | "store";

/** A new product's answers so far. */
export interface NewProductDraft {
  readonly id: string | null;
  readonly title: string | null;
}

export interface CatalogEditContext {
  /** What is being edited; null when idle. */
  readonly target: EditTarget | null;
  /** The field asked for now; null when idle. */
  readonly field: InputField | null;
  readonly draft: NewProductDraft;
  /** The checked value shown for confirmation (and being saved); null before one. */
  readonly value: EditValue | null;
  readonly error: EditError | null;
  /** What was saved last, so the bot can show it; null before the first. */
  readonly lastSaved: EditTarget | null;
}

/** Everything the edit reacts to; an event the current state does not list is ignored. */
export type CatalogEditEvent =
  /** ✏️ on a product's card: which field. While another edit waits, this one replaces it. */
  | { readonly type: "EDIT"; readonly productId: string; readonly field: ProductField }
  | { readonly type: "NEW_PRODUCT"; readonly categoryId: string }
  | { readonly type: "NEW_CATEGORY" }
  | { readonly type: "RENAME_CATEGORY"; readonly categoryId: string }
  /** The owner typed something. */
  | { readonly type: "TEXT"; readonly text: string }
  /** The owner sent a photo: the file_id of its largest size. */
  | { readonly type: "PHOTO"; readonly fileId: string }
  | { readonly type: "CONFIRM" }
  | { readonly type: "CANCEL" }
  /** The bot's answers to `checkId`. */
  | { readonly type: "ID_FREE" }
  | { readonly type: "ID_TAKEN" }
  /** The bot's answers to `saveEdit`. */
  | { readonly type: "SAVED" }
  | { readonly type: "FAILED"; readonly reason: SaveFailure };

/**
 * The named actions of the edit flow and their params: declared in the machine's `setup`, provided
 * by the bot, run right after the step that names them.
 */
export interface CatalogEditActionParams {
  /** Whether a product has this id already; the bot answers `ID_FREE` or `ID_TAKEN`. */
  checkId: { readonly id: string | null };
  /** Store the edit as a catalog edit of this owner; the bot answers `SAVED` or `FAILED`. */
  saveEdit: { readonly target: EditTarget | null; readonly value: EditValue | null; readonly draft: NewProductDraft };
}
