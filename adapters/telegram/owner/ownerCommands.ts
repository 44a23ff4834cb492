import type { Api } from "grammy";

/** The owner bot's command menu in Telegram, in Russian (the default) and English. */
export async function ownerCommands(api: Api): Promise<void> {
  await api.setMyCommands([
    { command: "start", description: "Главное меню" },
    { command: "crm", description: "CRM: воронка, лиды, поиск, отчёт" },
    { command: "cancel", description: "Отменить ввод" },
  ]);
  await api.setMyCommands(
    [
      { command: "start", description: "Main menu" },
      { command: "crm", description: "CRM: funnel, leads, search, report" },
      { command: "cancel", description: "Cancel what you are typing" },
    ],
    { language_code: "en" },
  );
}
