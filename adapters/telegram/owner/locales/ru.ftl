# Owner bot, Russian (the default). Values may hold Telegram HTML; variables arrive already escaped.

refusal = Извините, этот бот — рабочий инструмент владельца магазина. Доступа у вас нет.
menu-title = 👋 Панель владельца. Что смотрим?
btn-crm = 📊 CRM
btn-orders = 🧾 Заказы
btn-menu = ◀️ Меню
btn-back = ◀️ Назад
btn-prev = ◀️
btn-next = ▶️
crm-title = 📊 <b>CRM</b>
btn-funnel = 📈 Воронка
btn-leads = 👥 Последние лиды
btn-search = 🔍 Поиск
btn-report = 📅 Отчёт за день

funnel-title = 📈 <b>Воронка</b> — всего лидов: { $total }
funnel-line = { $emoji } { $stage }: <b>{ $current }</b> сейчас, дошли { $reached }
funnel-line-dormant = { $emoji } { $stage }: <b>{ $current }</b> сейчас (💤 { $dormant } спят), дошли { $reached }
funnel-dormant = 💤 Спят (давно не заходили, этап у них прежний): <b>{ $dormant }</b>
funnel-conv = { $bar } { $fromNew } от новых · { $fromPrevious } от прошлого этапа
funnel-empty = Лидов пока нет. Они появятся, когда покупатели нажмут «Старт» в магазине.
stage-new = новый
stage-engaged = интересуется
stage-cart = корзина
stage-checkout = оформляет
stage-customer = покупатель
stage-repeat = постоянный

leads-title = 👥 <b>Последние лиды</b> — стр. { $page }
leads-empty = Лидов пока нет.
search-prompt = 🔍 Кого ищем? Имя, @username, телефон, ID или слово из заметок и тегов.
search-results = 🔍 Найдено по запросу «{ $query }» — стр. { $page }:
search-none = По запросу «{ $query }» никого нет. Напишите другой запрос или отмените поиск.
search-empty = Напишите запрос текстом.
search-too-long = Слишком длинный запрос: не больше { $max } символов.
search-cancelled = Поиск отменён.
btn-cancel = ✖️ Отмена

card-title = { $emoji } <b>{ $name }</b>
card-erased = 🗑 Клиент удалил свои данные { $date }. Остались только обезличенные счётчики.
card-blocked = 🚫 Заблокировал(а) бота { $date }: сообщения не доходят.
card-dormant = 💤 Спит с { $date }: давно ничего не делал(а) в магазине.
label-user-id = ID
label-username = Username
label-source = Источник
label-stage = Этап
label-stages = Этапы
label-first-seen = Первый визит
label-last-seen = Последний визит
label-orders = Заказов
label-ltv = Сумма покупок
label-last-order = Последний заказ
label-reminders = Напоминания о корзине
reminders-value = { $count }, последнее { $date }
label-consent = Согласие
label-phone = Телефон
label-tags = Теги
label-notes = Заметки
consent-yes = да, версия { $version }, { $date }
consent-no = нет
none = —
btn-note = 📝 Заметка
btn-tags = 🏷 Теги
btn-history = 📜 История
btn-summary = 🧠 AI-сводка
btn-card = ◀️ К карточке
btn-leads-back = ◀️ К списку

note-prompt = 📝 Напишите заметку о клиенте { $name } (до { $max } символов).
note-saved = ✅ Заметка сохранена.
note-empty = Напишите заметку текстом.
note-too-long = Слишком длинная заметка: не больше { $max } символов.
note-failed = Не удалось сохранить заметку. Ничего не потеряно — отправьте её ещё раз.
note-cancelled = Заметка отменена.
text-needed = Здесь нужен текст.

tags-title = 🏷 <b>Теги</b> клиента { $name }. Нажмите, чтобы поставить или снять.
btn-new-tag = ➕ Новый тег
tag-prompt = Напишите новый тег: буквы, цифры, _ или -, до 32 символов.
tag-invalid = Тег — это от 1 до 32 букв, цифр, _ или -. Попробуйте ещё раз.

history-title = 📜 <b>История</b> — { $name }, стр. { $page } из { $pages }
history-empty = 📜 Переписки нет: клиент не давал согласия или ещё не писал.

summary-loading = 🧠 Готовлю сводку по клиенту { $name }…
summary-title = 🧠 <b>AI-сводка</b> — { $name }
summary-failed = 🧠 Сводку сейчас не получить: { $reason }. Ничего не потеряно — попробуйте ещё раз.
summary-timeout = AI отвечает слишком долго
summary-unavailable = AI недоступен
btn-retry = 🔁 Повторить

report-title = 📅 <b>Отчёт за { $day }</b>, { $weekday } — { $span }
report-span-today = сегодня, с 00:00 до { $time }
report-span-yesterday = вчера, весь день
report-span-day = весь день
report-new-leads = Новых лидов: <b>{ $count }</b>
report-orders = Заказов: <b>{ $count }</b> на { $revenue }
report-activity = 🔔 Напоминаний о корзине: { $reminders } · 💤 уснули: { $dormant } · 🔄 вернулись: { $reactivated }
report-events = События:
report-event-line = • { $type }: { $count }
report-moves = Переходы по этапам:
report-move-line = • { $emoji } { $stage }: { $count }
report-nothing = • нет
btn-today = Сегодня
btn-report-today = 📅 Сегодня

orders-title = 🧾 <b>Заказы</b>
orders-period = { $period }: <b>{ $count }</b> на { $revenue }, средний { $average }
period-today = Сегодня
period-7 = 7 дней
period-30 = 30 дней
orders-latest = Последние заказы:
orders-line = • { $orderId } — { $total }, { $name }, { $date }
orders-none = Заказов пока нет.

new-order = 🛒 <b>Новый заказ { $orderId }</b> на { $total }
    Клиент: { $name }
    { $items }
    Телефон: { $phone }
    Доставка: { $delivery }
btn-open-card = 👤 Открыть карточку

erased-action = Клиент удалил свои данные (/forget): заметки, теги, история и сводка недоступны.
lead-missing = Такого клиента нет.
ai-off = AI не настроен.
button-outdated = Эта кнопка устарела. Вот актуальное меню.
error-generic = ⚠️ Что-то пошло не так. Ничего не потеряно — попробуйте ещё раз.

effect-failed = ⚠️ Не удалось { $what } для клиента { $customer } после { $attempts } { $attempts ->
        [one] попытки
       *[other] попыток
    }: { $reason }
effect-sendCartReminder = отправить напоминание о корзине
effect-askConsultant = получить ответ AI-консультанта
effect-sendConsultantAnswer = отправить клиенту ответ консультанта
effect-sendConsultantFailure = сообщить клиенту, что консультант не ответил
effect-notifyOwnersOfOrder = сообщить о новом заказе { $orderId }
effect-other = выполнить «{ $type }»
