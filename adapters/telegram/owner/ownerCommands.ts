import { Composer, type Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { OwnerContext } from "./ownerContext.ts";
import type { OwnerKit } from "./ownerKit.ts";

/**
 * Every command the owner bot handles, each in its feature: `/start` and `/menu` (navigation.ts),
 * `/crm` and `/cancel` (navigation.ts), `/catalog` (catalogEdit.ts), `/import` (catalogImport.ts).
 */
export const ownerCommandNames = ["start", "menu", "crm", "cancel", "catalog", "import"] as const;

/**
 * The menu Telegram shows under "/", in Russian (the default) and English: the same commands in both,
 * each one the bot handles (`/menu` is left out: it is `/start` again). A test sends each one.
 */
export const ownerCommandMenu: { readonly ru: readonly BotCommand[]; readonly en: readonly BotCommand[] } = {
  ru: [
    { command: "start", description: "Главное меню" },
    { command: "crm", description: "CRM: воронка, лиды, поиск, отчёт" },
    { command: "catalog", description: "Каталог: товары, цены, остатки, фото" },
    { command: "import", description: "Импорт каталога из файла CSV или JSON" },
    { command: "cancel", description: "Отменить ввод" },
  ],
  en: [
    { command: "start", description: "Main menu" },
    { command: "crm", description: "CRM: funnel, leads, search, report" },
    { command: "catalog", description: "Catalog: products, prices, stock, photos" },
    { command: "import", description: "Import the catalog from a CSV or JSON file" },
    { command: "cancel", description: "Cancel what you are typing" },
  ],
};

/**
 * The owner bot's command menu in Telegram, in Russian (the default) and English. `signal` bounds the
 * calls, which auto-retry would otherwise retry forever on a network error.
 */
export async function ownerCommands(api: Api, signal?: Parameters<Api["setMyCommands"]>[2]): Promise<void> {
  await api.setMyCommands([...ownerCommandMenu.ru], undefined, signal);
  await api.setMyCommands([...ownerCommandMenu.en], { language_code: "en" }, signal);
}

/**
 * Commands before the flows that wait for text: a command the bot has ends whatever input is under
 * way (a note, a tag, an order's reason, a catalog value), as its own handler does, so that it
 * reaches its feature and is never taken as that text (`/catalog` saved as a note). Composed right
 * after the redelivery check, before every feature.
 */
export function ownerCommandsFirst(kit: OwnerKit): Composer<OwnerContext> {
  const composer = new Composer<OwnerContext>();
  composer.command([...ownerCommandNames], (ctx, next) => {
    kit.dropInputFlows(ctx);
    return next();
  });
  return composer;
}
