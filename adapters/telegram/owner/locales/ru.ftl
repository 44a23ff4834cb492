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
command-unknown = 🤷 Такой команды нет. Команды бота — в меню «/»; вот главное меню.

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
report-orders = Заказов: <b>{ $count }</b> · выручка { $revenue }
report-activity = 🔔 Напоминаний о корзине: { $reminders } · 💤 уснули: { $dormant } · 🔄 вернулись: { $reactivated }
report-events = События:
report-event-line = • { $type }: { $count }
report-moves = Переходы по этапам:
report-move-line = • { $emoji } { $stage }: { $count }
report-nothing = • нет
btn-today = Сегодня
btn-report-today = 📅 Сегодня

orders-title = 🧾 <b>Заказы</b>
orders-period = { $period }: <b>{ $count }</b> · выручка { $revenue } · средний чек { $average }
period-today = Сегодня
period-7 = 7 дней
period-30 = 30 дней
orders-latest = Последние заказы:
orders-line = • { $orderId } — { $total }, { $name }, { $date }
orders-none = Заказов пока нет.

btn-open-card = 👤 Открыть карточку

erased-action = Клиент удалил свои данные (/forget): заметки, теги, история и сводка недоступны.
lead-missing = Такого клиента нет.
ai-off = AI не настроен.
button-outdated = Эта кнопка устарела. Вот актуальное меню.
error-generic = ⚠️ Что-то пошло не так. Ничего не потеряно — попробуйте ещё раз.

effect-failed = ⚠️ Не удалось { $what } { $customer } после { $attempts } { $attempts ->
        [one] попытки
       *[other] попыток
    }: { $reason }
effect-sendCartReminder = отправить напоминание о корзине
effect-askConsultant = получить ответ AI-консультанта
effect-sendConsultantAnswer = отправить клиенту ответ консультанта
effect-sendConsultantFailure = сообщить клиенту, что консультант не ответил
effect-notifyOwnersOfOrder = сообщить о новом заказе { $orderId }
effect-other = выполнить «{ $type }»

# Orders as actors (issue 12): statuses, lists, the order card and its moves, notices.
effect-customer = для клиента { $customer }
effect-order = по заказу { $orderId }
effect-notifyCustomerOfOrder = сообщить клиенту, что стало с заказом
effect-notifyOwnersOfOrderMove = показать владельцам, что стало с заказом
effect-sendInvoice = выставить счёт
effect-refundStarPayment = вернуть звёзды
effect-askOwnersToRefund = попросить владельцев вернуть оплату вручную
effect-askForRating = попросить клиента оценить заказ
ord-status-placed = новый
ord-status-awaiting_payment = ждёт оплаты
ord-status-paid = оплачен
ord-status-shipped = отправлен
ord-status-delivered = доставлен
ord-status-cancelled = отменён
ord-status-refunding = возврат денег
ord-status-refunded = деньги возвращены
ord-filter-placed = Новые
ord-filter-awaiting_payment = Ждут оплаты
ord-filter-paid = Оплачены
ord-filter-shipped = Отправлены
ord-filter-delivered = Доставлены
ord-filter-cancelled = Отменены
ord-filter-refunding = Возврат
ord-filter-refunded = Возвращены
ord-filter-all = 🗂 Все
ord-revenue-rule = <i>Выручка — заказы, за которые заплатили (или доставленные с оплатой при получении), кроме отменённых и возвращённых; заказы, оформленные до того, как бот начал их вести, — сразу; средний чек — по ним же.</i>
ord-list-title = { $title } — стр. { $page }
ord-list-line = { $emoji } { $orderId } — { $total }, { $name }, { $date }
ord-list-empty = Здесь пока пусто.
ord-by-customer = клиент
ord-by-owner = владелец
ord-by-payment = оплата
ord-by-timer = таймер
ord-pay-stars = ⭐ Telegram Stars ({ $amount } ⭐)
ord-pay-provider = 💳 картой ({ $amount })
ord-pay-cash = 💵 при получении
ord-reason-payment_timeout = не оплачен вовремя
ord-reason-second_charge = повторная оплата уже оплаченного заказа
ord-reason-late_charge = оплата после отмены
ord-card-title = 🧾 <b>Заказ { $orderId }</b> на { $total }
ord-notice-new = 🛒 <b>Новый заказ { $orderId }</b> на { $total }
ord-label-status = Статус
ord-label-customer = Клиент
ord-label-payment = Оплата
ord-label-delivery = Доставка
ord-label-tracking = Трек
ord-label-reason = Причина
ord-label-rating = Оценка
ord-date-placed = Оформлен
ord-date-paid = Оплачен
ord-date-shipped = Отправлен
ord-date-delivered = Доставлен
ord-date-cancelled = Отменён
ord-date-refunded = Деньги возвращены
ord-history = 📜 <b>История</b>
ord-history-earlier = … и ещё { $count } раньше
ord-ev-order_placed = 🆕 оформлен
ord-ev-payment_received = 💳 оплата получена
ord-ev-invoice_requested = 🧾 счёт выставлен снова
ord-ev-marked_paid = 💵 отмечен оплаченным
ord-ev-shipped = 📦 отправлен
ord-ev-delivered = ✅ доставлен
ord-ev-cancel_requested = ✖️ отмена
ord-ev-refund_requested = ↩️ возврат денег
ord-ev-refund_completed = 💸 деньги возвращены
ord-ev-refund_failed = ⚠️ возврат не прошёл
ord-ev-repriced = 🔁 новые цены приняты
ord-ev-rated = ⭐ оценка
ord-ev-payment-timeout = ⌛ не оплачен вовремя — отменён
ord-ev-rating-asked = 💬 попросили оценку
ord-ev-timer = ⏱ таймер
ord-btn-paid = 💵 Оплачен
ord-btn-ship = 📦 Отправлен
ord-btn-dlvr = ✅ Доставлен
ord-btn-cncl = ✖️ Отменить
ord-btn-rfnd = ↩️ Вернуть деньги
ord-btn-rfdn = 💸 Деньги возвращены
ord-btn-rtry = 🔁 Повторить возврат
ord-btn-skip = ⏭ Пропустить
ord-btn-card = 🧾 Заказ
ord-btn-customer = 👤 Клиент
ord-ask-ship = 📦 Заказ { $orderId } отправлен? Пришлите трек-номер или короткую заметку для клиента (до { $max } символов) — или пропустите.
ord-ask-cancel = ✖️ Отмена заказа { $orderId }. Напишите причину — клиент её увидит (до { $max } символов).
ord-ask-refund = ↩️ Возврат денег по заказу { $orderId }. Напишите причину для клиента (до { $max } символов) — или пропустите.
ord-input-empty = Напишите текстом.
ord-input-too_long = Слишком длинно: не больше { $max } символов.
ord-input-failed = Не удалось сохранить. Ничего не потеряно — отправьте ещё раз.
ord-input-cancelled = Действие отменено.
ord-done-paid = ✅ Заказ { $orderId } отмечен оплаченным.
ord-done-ship = ✅ Заказ { $orderId } отправлен.
ord-done-dlvr = ✅ Заказ { $orderId } доставлен.
ord-done-cncl = ✅ Заказ { $orderId } отменён.
ord-done-rfnd = ✅ Возврат денег по заказу { $orderId } начат.
ord-done-rfdn = ✅ Деньги по заказу { $orderId } возвращены.
ord-done-rtry = ✅ Возврат по заказу { $orderId } запрошен снова.
ord-refused = ⚠️ Заказ { $orderId } сейчас «{ $status }»: «{ $act }» уже недоступно. Ничего не изменилось.
ord-duplicate = Это уже сделано: заказ { $orderId } не изменился второй раз.
ord-missing = Такого заказа нет.
ord-older = ℹ️ Этот заказ оформлен до того, как бот начал вести заказы: у него нет истории и здесь нет действий (оплачен, отправлен, отмена), а в выручке он учтён с момента оформления, как тогда учитывались все заказы.
ord-off = Заказы сейчас можно только смотреть.
ord-move = 🧾 Заказ { $orderId } на { $total }: <b>{ $status }</b> · { $by }
ord-refund-ask = 💸 <b>Верните оплату вручную</b> по заказу { $orderId }: { $amount }, платёж <code>{ $charge }</code>. Причина: { $reason }.
    Верните её в кабинете платёжного провайдера, затем нажмите кнопку.
ord-refund-done = ✅ Отмечено: деньги возвращены.
ord-refund-recorded = Возврат записан: заказ { $orderId } теперь «{ $status }».
ord-refund-noted = Отмечено. Сам заказ { $orderId } не меняется: «{ $status }».

## Catalog (catalogEdit.ts, catalogImport.ts, catalogScreens.ts)

btn-catalog = 🛍 Каталог
btn-catalog-new-category = ➕ Категория
btn-catalog-import = 📥 Импорт
btn-catalog-new-product = ➕ Товар
btn-catalog-rename = ✏️ Переименовать
btn-catalog-up = ⬆️ Выше
btn-catalog-down = ⬇️ Ниже
btn-catalog-back = ◀️ Каталог
btn-catalog-title = ✏️ Название
btn-catalog-description = 📝 Описание
btn-catalog-price = 💰 Цена
btn-catalog-stock = 📦 Остаток
btn-catalog-photo = 📷 Фото
btn-catalog-hide = 🙈 Скрыть
btn-catalog-show = 👁 Показать
btn-catalog-to-category = ◀️ К категории
btn-catalog-save = ✅ Сохранить
btn-catalog-apply = ✅ Применить
btn-catalog-seed = 🔄 Загрузить { $name }

catalog-title = 🛍 <b>Каталог</b>: категорий { $categories }, товаров { $products } (скрыто { $hidden })
catalog-empty = Каталог пуст. Добавьте категорию или загрузите файл CSV или JSON.
catalog-category-title = <b>{ $name }</b> (<code>{ $id }</code>) — товаров: { $count }, стр. { $page }
    👁 — виден покупателям, 🙈 — скрыт.
catalog-category-empty = Товаров пока нет. Покупатели не видят пустую категорию.
catalog-product = { $mark } <b>{ $title }</b>
    Код: <code>{ $id }</code> · { $category }

    { $description }

    Цена: { $price }
    Остаток: { $stock }
    Фото: { $photo }
    Видимость: { $visibility }
catalog-stock-untracked = не учитывается
catalog-photo-none = нет
catalog-photo-set = есть
catalog-photo-new = новое фото
catalog-hidden = 🙈 скрыт от покупателей
catalog-shown = 👁 виден покупателям
catalog-gone = Этого уже нет в каталоге.
catalog-saved = ✅ Сохранено.
catalog-edit-cancelled = Изменение отменено.
catalog-first = Категория и так первая.
catalog-last = Категория и так последняя.
catalog-moved = Категория теперь { $position }-я из { $count }.
catalog-now-hidden = 🙈 Товар скрыт: покупатели его не видят и не могут купить.
catalog-now-shown = 👁 Товар снова виден покупателям.
catalog-text-or-photo = Здесь нужен текст (или фото, если спрашиваю фото).

catalog-ask-title = ✏️ Новое название товара «{ $title }» (до { $max } символов):
catalog-ask-description = 📝 Новое описание товара «{ $title }» (до { $max } символов; «-» — без описания). Сейчас: { $now }
catalog-ask-price = 💰 Новая цена товара «{ $title }», сейчас { $now }. Например: 1290 или 99,90.
catalog-ask-stock = 📦 Сколько «{ $title }» в наличии? Сейчас: { $now }. Целое число; 0 — нет в наличии; «-» — не считать остаток.
catalog-ask-photo = 📷 Пришлите фото для «{ $title }» (фотографией или файлом) или «-», чтобы убрать фото.
catalog-ask-new-id = ➕ Новый товар в «{ $category }». Напишите его код: латиница, цифры, _ или -, до 24 символов (например, puer-2016).
catalog-ask-new-title = Название товара <code>{ $id }</code> (до { $max } символов):
catalog-ask-new-price = Цена товара «{ $title }» (например, 1290 или 99,90):
catalog-ask-category = ✏️ Новое название категории «{ $now }» (до { $max } символов):
catalog-ask-new-category = ➕ Название новой категории (до { $max } символов):
catalog-label-title = Название
catalog-label-description = Описание
catalog-label-price = Цена
catalog-label-stock = Остаток
catalog-label-photo = Фото
catalog-label-categoryTitle = Название категории
catalog-confirm-change = { $label } «{ $name }»: { $before } → <b>{ $after }</b>. Сохранить?
catalog-confirm-new-product = Новый товар «{ $title }» (<code>{ $id }</code>) в «{ $category }» за <b>{ $price }</b>. Он появится скрытым: покажите его, когда всё будет готово. Сохранить?
catalog-confirm-new-category = Новая категория «<b>{ $title }</b>». Сохранить?

catv-empty = Пусто: напишите значение.
catv-too_long = Слишком длинно: не больше { $max } символов, а здесь { $length }.
catv-not_id = Код — это от 1 до 24 латинских букв, цифр, _ или - (например, puer-2016).
catv-price_not_number = Цена — это число, например 1290 или 99,90.
catv-price_not_positive = Цена должна быть больше нуля.
catv-price_decimals = Не больше 2 знаков после запятой: 10,005 → 10,01.
catv-price_too_large = Слишком большая цена: не больше 999 999 999,99.
catv-stock_not_whole = Остаток — целое число (0, 1, 2…) или «-», чтобы не считать его.
catv-stock_negative = Остаток не может быть меньше нуля.
catv-stock_too_large = Слишком большой остаток: не больше 1 000 000 000.
catv-photo_invalid = Фото — это ссылка https://… или file_id фото, которое бот магазина уже отправлял.
cate-photo_expected = Нужна фотография (или «-», чтобы убрать фото).
cate-text_expected = Здесь нужен текст, а не фото.
cate-id_taken = Такой код уже есть у другого товара. Придумайте другой.
cate-failed-gone = Не сохранено: этого уже нет в каталоге.
cate-failed-photo = Не сохранено: не удалось скачать фото из Telegram. Пришлите его ещё раз.
cate-failed-store = ⚠️ Не удалось сохранить. Ничего не потеряно — попробуйте ещё раз.

catalog-import-prompt = 📥 <b>Импорт каталога</b>
    Пришлите файл CSV или JSON (до { $kb } КБ, до { $rows } строк). Столбцы CSV: <code>id, category, title, price</code> — обязательные; <code>description, currency, stock, photo, hidden</code> — по желанию. Перед применением покажу, что изменится. Формат: docs/catalog.md.
catalog-import-refused = ⛔️ <b>{ $name }</b>: ничего не изменено, ошибок: { $total }.
catalog-import-more = …и ещё { $count }.
catalog-import-nothing = Исправьте файл и пришлите его снова: пока есть ошибки, ничего не применяется.
catalog-import-preview = 📥 <b>{ $name }</b>: вот что изменится.
catalog-import-changed = ⚠️ Пока вы смотрели, каталог изменился. <b>{ $name }</b> теперь изменит вот что:
catalog-import-counts = Новых: { $new }, изменённых: { $changed }, скрыть: { $hidden }, показать: { $shown }, без изменений: { $unchanged }.
catalog-import-new-categories = Новых категорий: { $count } ({ $ids }).
catalog-import-changed-categories = Переименованных категорий: { $count }.
catalog-import-confirm = Применить? Всё применится разом; заказы, которые уже оформлены, не изменятся.
catalog-import-failed-refused = ⚠️ Файл больше не читается так же. Пришлите его снова.
catalog-import-failed-unavailable = ⚠️ Не удалось снова скачать файл. Попробуйте ещё раз или пришлите его снова.
catalog-import-failed-store = ⚠️ Не удалось сохранить. Ничего не применено — попробуйте ещё раз.
catalog-import-none = Нечего применять: пришлите файл ещё раз.
catalog-import-applied = ✅ Импорт применён.
catalog-import-cancelled = Импорт отменён, ничего не изменено.

imp-at-row = Строка { $row }
imp-at-cell = Строка { $row }, столбец { $column }
imp-file_too_large = файл больше 1 МБ: разделите его на части.
imp-file_unavailable = не удалось скачать файл из Telegram. Пришлите его ещё раз.
imp-seed_invalid = { $reason }
imp-file_empty = файл пустой.
imp-file_encoding = файл не в кодировке UTF-8: сохраните его как «CSV UTF-8».
imp-file_format = это не CSV и не JSON. Таблицу Excel сохраните как «CSV UTF-8» (Файл → Сохранить как).
imp-too_many_rows = слишком много строк: { $rows }, можно до { $max }. Разделите файл на части.
imp-no_rows = в файле нет товаров.
imp-csv_quote = кавычка открыта и не закрыта до конца файла.
imp-csv_row_too_long = слишком длинная строка (больше 64 КБ).
imp-csv_malformed = строка не читается как CSV (строка файла { $line }).
imp-cells_count = ячеек { $cells }, а столбцов в заголовке { $columns }.
imp-missing_column = нет обязательного столбца «{ $column }» в первой строке.
imp-unknown_column = неизвестный столбец «{ $column }» (опечатка?). Столбцы: { $known }.
imp-duplicate_column = столбец «{ $column }» повторяется: { $first }-й и { $second }-й.
imp-json_malformed = это не JSON: { $reason }
imp-json_shape = { $expected ->
        [object] здесь нужен объект с полями товара.
       *[other] нужен объект с "products": [...] (и, по желанию, "categories": [...]) или список товаров [...].
    }
imp-required = нужно значение.
imp-unknown_field = неизвестное поле «{ $field }» (опечатка?).
imp-expected_text = нужен текст в кавычках, а здесь { $got }.
imp-expected_number = нужно число без кавычек, а здесь { $got }.
imp-expected_boolean = нужно true или false, а здесь { $got }.
imp-duplicate_id = код «{ $id }» повторяется (первый раз: { $at ->
        [row] строка { $first }
       *[other] { $first }
    }).
imp-category_unknown = нет категории «{ $category }» (есть: { $known }). Новая категория в CSV — это её код латиницей.
imp-category_moved = товар { $id } в категории «{ $from }», а здесь «{ $to }»: импорт не переносит товар в другую категорию (дайте ему новый код).
imp-currency_other = валюта каталога — { $expected }, а здесь { $got }.
imp-currency_format = валюта — это 3 заглавные латинские буквы (RUB, USD), а здесь «{ $got }».
imp-hidden_invalid = «{ $got }»: напишите «да» или «нет» (yes/no, 1/0).

# Broadcasts (broadcastCompose.ts, broadcastProgress.ts, broadcastScreens.ts)
btn-broadcasts = 📣 Рассылки
bc-new = ✍️ Новая рассылка
bc-list = 📣 Рассылки
bc-list-title = 📣 <b>Рассылки</b> — последние. Откройте, чтобы увидеть ход или отчёт.
bc-list-empty = 📣 <b>Рассылки</b>

    Рассылок ещё не было.
bc-off = Рассылки в этом запуске не подключены.
bc-write = ✍️ <b>Новая рассылка</b>

    Пришлите сообщение так, как его получат покупатели: текст с форматированием (жирный, курсив, ссылки) или фото с подписью. До 4096 символов, подпись к фото — до 1024.
bc-message-ok = ✅ Сообщение принято.
bc-photo-off = ⚠️ Фото в рассылке сейчас не отправить: магазинный бот не подключён к загрузке фото.
bc-button-ask = Добавить под сообщением кнопку?
bc-btn-none = Без кнопки
bc-btn-product = 🛍 Товар
bc-btn-catalog = 📂 Каталог
bc-btn-url = 🔗 Ссылка
bc-btn-edit-text = ✏️ Сообщение
bc-btn-edit-audience = 👥 Аудитория
bc-catalog-button = 🛍 Открыть каталог
bc-url-ask = 🔗 Пришлите текст кнопки и ссылку в конце, например: <code>Наш сайт https://example.com</code>
bc-products-ask = 🛍 Какой товар откроет кнопка?
bc-products-none = В каталоге нет товаров, которые видят покупатели.
bc-audience-ask = 👥 Кому отправить? В скобках — сколько получателей сейчас (без отписавшихся и заблокировавших бота).
bc-aud-all = 👥 Все подписчики ({ $count })
bc-everyone = все подписчики
bc-confirm = 👆 Выше — превью: так сообщение увидят покупатели.

    Аудитория: <b>{ $audience }</b>, получателей: <b>{ $count }</b>.
    Отправить сейчас, позже кнопкой или напишите время, например <code>2026-12-01 10:00</code> ({ $zone }).
bc-send-now = 🚀 Отправить сейчас
bc-send-hour = 🕐 Через 1 ч
bc-send-tomorrow = 🌅 Завтра в 10:00
bc-preview-refused = Превью не получилось: { $reason }. Исправьте сообщение и пришлите снова.
bc-photo-unavailable = фото не скачалось из Telegram (больше 10 МБ или недоступно)
bc-preview-button = Это превью: у покупателей эта кнопка сработает.
bc-composition-cancelled = Рассылка отменена, ничего не отправлено.
bc-outdated = Эта кнопка устарела: рассылка уже отправлена или отменена.
bc-segment-gone = Этого сегмента больше нет. Выберите другой.
bc-problem-empty = Сообщение пустое: пришлите текст или фото с подписью (подпись нужна: её читают покупатели).
bc-problem-not_text = Нужен текст или фото с подписью: стикеры, голосовые и файлы не рассылаются.
bc-problem-too_long = Слишком длинно: { $length } символов, а Telegram принимает до { $max }.
bc-problem-entity_range = Форматирование «{ $type }» с позиции { $position } не попадает в текст: оно пустое или выходит за его конец.
bc-problem-entity_type = Неизвестное форматирование «{ $type }» на позиции { $position } («{ $fragment }»).
bc-problem-entity_url = Ссылка на позиции { $position } («{ $fragment }») ведёт на недопустимый адрес: нужен https://…
bc-problem-entity_overlap = Форматирование «{ $type }» на позиции { $position } («{ $fragment }») пересекается с «{ $other }» с позиции { $otherPosition } так, как Telegram не принимает.
bc-error-button_url = Нужна ссылка https://… в конце: <code>Текст кнопки https://example.com</code>
bc-error-button_text = Нужен текст кнопки перед ссылкой, до 64 символов.
bc-error-no_recipients = В этой аудитории 0 получателей: отправлять некому. Выберите другую.
bc-error-time_format = Не понял время. Напишите так: <code>2026-12-01 10:00</code> ({ $zone }).
bc-error-time_past = Это время уже прошло.
bc-error-time_far = Запланировать можно не дальше чем на 90 дней вперёд.
bc-error-another_is_sending = Сейчас идёт другая рассылка. Отправьте, когда она закончится, или запланируйте на позже.
bc-error-failed = Не получилось начать рассылку (фото не загрузилось или хранилище недоступно). Ничего не отправлено, попробуйте ещё раз.
bc-progress-title = { $emoji } <b>Рассылка { $id }</b> — { $status }
bc-status-scheduled = запланирована
bc-status-sending = идёт
bc-status-paused = на паузе
bc-status-finished = завершена
bc-status-cancelled = отменена
bc-progress-counts = Отправлено: <b>{ $sent }</b> · осталось: { $left } · заблокировали: { $blocked } · ошибки: { $failed } (из { $total })
bc-progress-starts = 🕒 Начнётся { $at }
bc-progress-eta = ⏱ Закончится около { $at }
bc-progress-rate-limited = ⏳ Telegram просит подождать: продолжим в { $at }
bc-pause = ⏸ Пауза
bc-resume = ▶️ Продолжить
bc-cancel = ✖️ Отменить
bc-refresh = 🔄 Обновить
bc-cancel-ask = Отменить рассылку? Уже отправленные сообщения останутся у покупателей.
bc-cancel-yes = ✖️ Да, отменить
bc-cancel-no = Нет
bc-done-pause = Рассылка на паузе
bc-done-resume = Рассылка продолжается
bc-done-cancel = Рассылка отменена
bc-unknown = Такой рассылки нет.
bc-refused-unknown = Такой рассылки нет.
bc-refused-already_ended = Рассылка уже закончилась.
bc-refused-another_is_sending = Сейчас идёт другая рассылка: продолжить эту можно, когда та закончится.
bc-refused-no_recipients = В рассылке не осталось получателей.
bc-report-delivered = ✅ Доставлено: <b>{ $sent }</b> из { $total }
bc-report-blocked = 🚫 Заблокировали бота: { $blocked }
bc-report-failed = ⚠️ Не доставлено: { $failed }
bc-report-failure = · { $reason }: { $count }
bc-report-left = ✖️ Не отправлено (отмена): { $left }
bc-progress-skipped = Пропущены: { $skipped } (отписались, заблокировали бота или удалили данные до своей очереди)
bc-report-twice = ♻️ Могли получить дважды (отправка шла в момент сбоя): не больше { $count }
bc-report-orders = 🛒 Заказов за 72 ч после рассылки: <b>{ $orders }</b> на { $revenue }

## Campaigns (issue 13)
btn-campaigns = 📣 Кампании
campaigns-title = 📣 <b>Автоматические кампании</b>
campaigns-on = вкл
campaigns-off = выкл
campaigns-no-text = (текст не задан)
campaigns-first = 🛒 Напоминание о корзине: через { $minutes } мин
campaigns-second = 🛒 Второе напоминание: { $state }, через { $hours } ч после первого
campaigns-winback = 💤 Возвращение уснувших: { $state }, через { $days } дн после засыпания; кнопка каталога: { $button }
campaigns-pending-rule = <i>Новая задержка действует для таймеров, поставленных после изменения; уже поставленные придут в своё время с текстом, который будет на тот момент. Выключенная кампания не отправит и их.</i>
btn-campaign-first-delay = ⏱ Напоминание: задержка
btn-campaign-second-text = ✏️ Второе: текст
btn-campaign-second-delay = ⏱ Второе: задержка
btn-campaign-winback-text = ✏️ Возвращение: текст
btn-campaign-winback-delay = ⏱ Возвращение: задержка
btn-campaign-turn-on = 🔔 Включить
btn-campaign-turn-off = 🔕 Выключить
btn-campaign-catalog-on = 🛍 Добавить кнопку каталога
btn-campaign-catalog-off = 🛍 Убрать кнопку каталога
campaign-prompt-cartMinutes = ⏱ Через сколько минут напоминать о брошенной корзине? Целое число от { $min } до { $max }.
campaign-prompt-secondHours = ⏱ Через сколько часов после первого напоминания слать второе? Целое число от { $min } до { $max }.
campaign-prompt-winBackDays = ⏱ Через сколько дней после засыпания писать клиенту? Целое число от { $min } до { $max }.
campaign-prompt-secondText = ✏️ Пришлите текст второго напоминания (до { $max } символов). Под ним будут кнопки «Открыть корзину» и «Отписаться».
campaign-prompt-winBackText = ✏️ Пришлите текст письма уснувшим клиентам (до { $max } символов). Под ним будет кнопка «Отписаться».
campaign-empty = ⚠️ Текст пустой.
campaign-too-long = ⚠️ Слишком длинный текст: { $chars } символов, можно до { $max }.
campaign-not-a-number = ⚠️ Нужно целое число от { $min } до { $max }.
campaign-failed = ⚠️ Не удалось сохранить, попробуйте ещё раз.
campaign-saved = ✅ Сохранено.
campaign-cancelled = Изменение отменено.
campaign-needs-text = Сначала задайте текст кампании.
