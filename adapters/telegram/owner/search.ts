import { Composer } from "grammy";
import { maxQueryChars } from "../../../machines/ownerSearch.machine.ts";
import { clip, escapeHtml } from "../format.ts";
import type { OwnerContext } from "./ownerContext.ts";
import { onButton, type OwnerKit } from "./ownerKit.ts";
import { crmMenu, leadsPerPage, searchPromptScreen, searchResultsScreen } from "./ownerScreens.ts";

async function startSearch(kit: OwnerKit, ctx: OwnerContext): Promise<void> {
  kit.dropInputFlows(ctx);
  await kit.flows.search.step(ctx, { type: "START" });
  await kit.answer(ctx);
  await kit.show(ctx, searchPromptScreen(kit.view(ctx)));
}

/** A typed query (in the search prompt, or any text outside a flow): the first page of clients, or why not. */
async function runSearch(kit: OwnerKit, ctx: OwnerContext, text: string): Promise<void> {
  const search = kit.flows.search;
  let waiting = search.of(ctx);
  if (waiting.value !== "awaitingQuery") {
    kit.dropInputFlows(ctx);
    waiting = await search.step(ctx, { type: "START" }, search.fresh());
  }
  const asked = await search.step(ctx, { type: "QUERY", text }, waiting);
  if (asked.value !== "searching" || asked.context.query === null) {
    const notice = asked.context.error === "too_long" ? ctx.t("search-too-long", { max: maxQueryChars }) : ctx.t("search-empty");
    return kit.send(ctx, searchPromptScreen(kit.view(ctx), notice));
  }
  const query = asked.context.query;
  const page = await kit.store.search(query, { offset: 0, limit: leadsPerPage });
  const found = await search.step(ctx, { type: "FOUND", count: page.items.length + (page.hasMore ? 1 : 0) }, asked);
  await kit.go(ctx, { type: "CRM" });
  if (found.value !== "results") return kit.send(ctx, searchPromptScreen(kit.view(ctx), ctx.t("search-none", { query: escapeHtml(clip(query, 60)) })));
  await kit.send(ctx, searchResultsScreen(kit.view(ctx), query, page));
}

async function searchPage(kit: OwnerKit, ctx: OwnerContext, offset: number): Promise<void> {
  const current = kit.flows.search.of(ctx);
  if (current.value !== "results" || current.context.query === null) {
    await kit.answer(ctx, ctx.t("button-outdated"));
    return kit.show(ctx, crmMenu(kit.view(ctx), kit.today()));
  }
  const paged = await kit.flows.search.step(ctx, { type: "PAGE", offset }, current);
  const query = paged.context.query ?? "";
  await kit.go(ctx, { type: "CRM" });
  await kit.answer(ctx);
  await kit.show(ctx, searchResultsScreen(kit.view(ctx), query, await kit.store.search(query, { offset: paged.context.offset, limit: leadsPerPage })));
}

/** 🔍 Search by name, @username, phone, id or a word of notes and tags: the prompt, pages, cancel, and any text typed outside a flow. */
export function search(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  onButton(composer, "srch", (ctx) => startSearch(kit, ctx));
  onButton(composer, "sp", (ctx, [offset]) => searchPage(kit, ctx, offset));
  onButton(composer, "scan", async (ctx) => {
    await kit.flows.search.step(ctx, { type: "CANCEL" });
    await kit.go(ctx, { type: "CRM" });
    await kit.answer(ctx, ctx.t("search-cancelled"));
    await kit.show(ctx, crmMenu(kit.view(ctx), kit.today()));
  });
  composer.on("message:text", (ctx, next) => (ctx.message.text.startsWith("/") ? next() : runSearch(kit, ctx, ctx.message.text)));
  return composer;
}
