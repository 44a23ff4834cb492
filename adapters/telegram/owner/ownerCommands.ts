import type { Api } from "grammy";

/**
 * The owner bot's command menu in Telegram, in Russian (the default) and English. `signal` bounds the
 * calls, which auto-retry would otherwise retry forever on a network error.
 */
export async function ownerCommands(api: Api, signal?: Parameters<Api["setMyCommands"]>[2]): Promise<void> {
  await api.setMyCommands(
    [
      { command: "start", description: "Главное меню" },
      { command: "crm", description: "CRM: воронка, лиды, поиск, отчёт" },
      { command: "cancel", description: "Отменить ввод" },
    ],
    undefined,
    signal,
  );
  await api.setMyCommands(
    [
      { command: "start", description: "Main menu" },
      { command: "crm", description: "CRM: funnel, leads, search, report" },
      { command: "cancel", description: "Cancel what you are typing" },
    ],
    { language_code: "en" },
    signal,
  );
}
