import type { Api } from "grammy";

/**
 * The shop bot's command menu in Telegram, in Russian (the default) and English. `signal` bounds the
 * calls, which auto-retry would otherwise retry forever on a network error.
 */
export async function shopCommands(api: Api, signal?: Parameters<Api["setMyCommands"]>[2]): Promise<void> {
  await api.setMyCommands(
    [
      { command: "start", description: "Главное меню" },
      { command: "catalog", description: "Каталог" },
      { command: "cart", description: "Корзина" },
      { command: "orders", description: "Мои заказы" },
      { command: "privacy", description: "Согласие на обработку данных" },
      { command: "mydata", description: "Что магазин хранит обо мне" },
      { command: "forget", description: "Удалить мои данные" },
      { command: "help", description: "Помощь" },
    ],
    undefined,
    signal,
  );
  await api.setMyCommands(
    [
      { command: "start", description: "Main menu" },
      { command: "catalog", description: "Catalog" },
      { command: "cart", description: "Cart" },
      { command: "orders", description: "My orders" },
      { command: "privacy", description: "Data processing consent" },
      { command: "mydata", description: "What the shop keeps about me" },
      { command: "forget", description: "Erase my data" },
      { command: "help", description: "Help" },
    ],
    { language_code: "en" },
    signal,
  );
}
