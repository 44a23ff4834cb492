# Shop bot, Russian (the default). Values may hold Telegram HTML; variables arrive already escaped.

greeting = 👋 Здравствуйте, { $name }! Это магазин { $shop }.
    Выберите, что вас интересует:
menu-title = Главное меню. Что посмотрим?
btn-catalog = 🛍 Каталог
btn-search = 🔍 Поиск
btn-cart = 🛒 Корзина
btn-cart-count = 🛒 Корзина ({ $count })
btn-consultant = 💬 Спросить консультанта
btn-mydata = 👤 Мои данные
btn-menu = ◀️ Меню
btn-back = ◀️ Назад
btn-prev = ◀️
btn-next = ▶️
btn-add = 🛒 В корзину
btn-checkout = ✅ Оформить заказ
btn-confirm = ✅ Подтвердить заказ
btn-edit-phone = ✏️ Телефон
btn-edit-delivery = ✏️ Доставка
btn-cancel = ✖️ Отмена
btn-share-contact = 📱 Отправить мой номер
btn-use-phone = Использовать { $phone }
btn-accept = ✅ Согласен
btn-decline = Не сейчас
btn-revoke = Отозвать согласие
btn-give-consent = Дать согласие
btn-privacy = 🔒 Конфиденциальность
btn-forget = 🗑 Удалить мои данные
btn-forget-yes = Да, удалить всё
btn-forget-no = Нет, оставить
btn-leave-consultant = ◀️ Выйти из чата с консультантом
btn-open-cart = 🛒 Открыть корзину
btn-open-private = Написать боту

catalog-title = 🛍 <b>Каталог</b>
    Выберите категорию:
catalog-empty = Каталог пока пуст. Загляните позже!
category-title = { $emoji } <b>{ $title }</b> — стр. { $page } из { $pages }
category-empty = В этой категории пока нет товаров.
category-gone = Этой категории больше нет. Вот актуальный каталог.
product-price = Цена: <b>{ $price }</b>
product-stock-out = ⚠️ Нет в наличии
product-stock-left = Осталось: { $count } шт.
product-in-cart = В корзине: { $count } шт.
product-gone = Этого товара больше нет в каталоге. Вот актуальный каталог.
added = Добавлено: { $title } ({ $count } шт. в корзине)
out-of-stock = «{ $title }» закончился.
limited = Больше { $count } шт. заказать нельзя.
cart-full = Корзина заполнена: не больше { $count } разных товаров.

search-prompt = 🔍 Напишите, что ищете: название или слово из описания.
search-results = 🔍 Найдено по запросу «{ $query }» — стр. { $page } из { $pages }:
search-results-page = 🔍 Результаты поиска — стр. { $page } из { $pages }:
search-none = Ничего не нашлось по запросу «{ $query }». Попробуйте другое слово или откройте каталог.
search-expired = Этот поиск устарел. Напишите запрос ещё раз.

cart-title = 🛒 <b>Корзина</b>
cart-line = { $title } × { $qty } = { $sum }
cart-total = Итого: <b>{ $total }</b>
cart-empty = 🛒 Корзина пуста. Загляните в каталог!
cart-stale = Корзина изменилась — вот актуальная.
cart-notice-gone = Товара больше нет в каталоге — он убран из корзины.
cart-notice-out = «{ $title }» закончился — он убран из корзины.
cart-notice-limited = «{ $title }»: в наличии только { $qty } шт. — количество уменьшено.
cart-not-in = Этого товара уже нет в корзине.

checkout-empty = Корзина пуста — оформлять нечего. Добавьте что-нибудь из каталога.
checkout-phone = 📞 <b>Оформление заказа</b>, шаг 1 из 3.
    Отправьте номер телефона кнопкой ниже или напишите его, например +7 999 123-45-67.
checkout-invalid-phone = Не похоже на номер телефона. Напишите его цифрами, например +7 999 123-45-67, или нажмите «Отправить мой номер».
checkout-delivery = 🚚 Шаг 2 из 3. Напишите адрес доставки или комментарий к заказу (до { $max } символов).
checkout-delivery-empty = Напишите адрес доставки или комментарий текстом.
checkout-delivery-too-long = Слишком длинно: не больше { $max } символов. Сократите, пожалуйста.
checkout-summary = 📋 <b>Шаг 3 из 3. Проверьте заказ</b>
checkout-summary-phone = Телефон: { $phone }
checkout-summary-delivery = Доставка: { $delivery }
checkout-confirm-hint = Всё верно? Нажмите «Подтвердить заказ».
checkout-text-needed = Здесь нужен текст. { $hint }
checkout-use-buttons = Подтвердите заказ или отмените его кнопками под сводкой.
checkout-cancelled = Оформление отменено. Корзина сохранена.
checkout-not-active = Это оформление уже завершено или отменено.
checkout-already-placed = Заказ { $orderId } уже оформлен — повторно он не создаётся.
checkout-failed = Не удалось сохранить заказ. Ничего не потеряно — попробуйте подтвердить ещё раз.
checkout-cart-changed = Пока вы оформляли заказ, корзина изменилась. Проверьте сводку ещё раз.
order-placed = ✅ <b>Заказ { $orderId } оформлен!</b>
    Сумма: { $total }. Мы свяжемся с вами по номеру { $phone }.
    Спасибо за покупку!

reminder-title = 🛒 <b>Вы оставили товары в корзине</b>
reminder-hint = Оформить заказ можно в пару нажатий.

consent-ask = 🔒 Можно мы будем сохранять переписку с ботом, чтобы лучше вам помогать? Условия обработки данных — версия { $version }.
    Без согласия магазин работает так же, просто переписка не сохраняется.
consent-given = Спасибо! Согласие (версия { $version }) сохранено. Отозвать его можно в /privacy.
consent-declined = Хорошо, переписка не сохраняется. Передумаете — загляните в /privacy.
consent-revoked = Согласие отозвано. Новые сообщения больше не сохраняются.
privacy-on = 🔒 Вы дали согласие на обработку данных (версия { $version }) { $date }.
privacy-off = 🔒 Согласия на обработку данных нет: переписка не сохраняется.
privacy-outdated = 🔒 Условия обработки данных обновились (версия { $version }). Прежнее согласие больше не действует.

mydata-title = 👤 <b>Что мы о вас храним</b>
mydata-empty = Мы о вас пока ничего не храним.
mydata-line = { $label }: { $value }
mydata-none = —
label-user-id = ID в Telegram
label-name = Имя
label-username = Username
label-source = Откуда пришли
label-first-seen = Первый визит
label-last-seen = Последний визит
label-stage = Этап
label-orders = Заказов
label-ltv = Сумма покупок
label-last-order = Последний заказ
label-consent = Согласие
label-phone = Телефон
label-tags = Метки
label-notes = Заметок менеджера
label-messages = Сохранённых сообщений
label-cart = Товаров в корзине
consent-yes = да, версия { $version }
consent-no = нет
stage-new = новый
stage-engaged = интересуется
stage-cart = корзина
stage-checkout = оформляет заказ
stage-customer = покупатель
stage-repeat = постоянный покупатель

forget-ask = 🗑 Удалить ваши личные данные? Будут удалены сообщения, телефон, имя, username, заметки и метки, корзина и адреса в заказах. Останется только обезличенная статистика.
forget-done = Готово. Удалено: сообщений — { $messages }, телефон — { $phone }, username и имя — { $username }, заметок — { $notes }; адреса и телефоны убраны из заказов ({ $orders }). Корзина очищена.
    Обезличенные счётчики (этап, число и сумма заказов) остались.
forget-kept = Хорошо, ничего не удалено.
yes = да
no = нет

consultant-unavailable = Консультант сейчас недоступен. Загляните в каталог или поиск.
consultant-intro = 💬 <b>Консультант</b>
    Спросите о товарах: что выбрать, чем отличаются, что подойдёт в подарок. Чтобы выйти, нажмите кнопку ниже или /menu.
consultant-thinking = Думаю…
consultant-rate-limited = Вы задали много вопросов подряд. Пожалуйста, подождите немного и спросите снова.
consultant-too-long = Вопрос слишком длинный: не больше { $max } символов.
consultant-empty = Напишите вопрос текстом.
consultant-failed = Консультант сейчас не смог ответить. Попробуйте ещё раз чуть позже.
consultant-timeout = Консультант отвечает слишком долго. Попробуйте ещё раз чуть позже.
consultant-left = Вы вышли из чата с консультантом.
consultant-text-only = Консультант понимает только текстовые вопросы.
consultant-needs-consent = 💬 Консультант — это ИИ: чтобы ответить, он читает и сохраняет ваш вопрос. Для этого нужно согласие на обработку данных (версия { $version }).
consultant-busy = Консультант ещё отвечает на прошлый вопрос. Подождите немного.

private-only = Я работаю только в личных сообщениях. Напишите мне напрямую.
unsupported-message = Я понимаю текст и кнопки. Вот меню:
button-outdated = Эта кнопка устарела. Вот актуальное меню.
error-generic = ⚠️ Что-то пошло не так. Ничего не потеряно — попробуйте ещё раз.
help = Команды: /start — меню, /cart — корзина, /orders — мои заказы, /privacy — согласие на обработку данных, /mydata — мои данные, /forget — удалить мои данные.

# Orders and payments (issue 12): the payment method, invoices, "My orders", an order's notices.
btn-orders = 📦 Мои заказы
btn-pay-stars = ⭐ Telegram Stars — { $stars } ⭐
btn-pay-provider = 💳 Картой — { $total }
btn-pay-cash = 💵 При получении
checkout-payment = 💳 <b>Как оплатить заказ?</b>
    Итого: { $total }
checkout-method-off = Этот способ оплаты больше не принимается. Выберите другой.
checkout-sold-out = «{ $title }» закончился — заказ не оформлен. Корзина сохранена.
checkout-only-left = «{ $title }»: осталось только { $count } шт. — заказ не оформлен. Корзина сохранена.
order-placed-pay = ✅ <b>Заказ { $orderId } оформлен!</b>
    Сумма: { $total }. Счёт на оплату — следующим сообщением. Оплатите его в течение { $minutes } мин., иначе заказ отменится.
payment-stars = ⭐ Telegram Stars
payment-provider = 💳 Банковская карта
payment-cash = 💵 При получении
invoice-title = Заказ { $orderId }

order-status-placed = 🆕 Оформлен
order-status-awaiting_payment = ⏳ Ждёт оплаты
order-status-paid = 💳 Оплачен
order-status-shipped = 🚚 Отправлен
order-status-delivered = 📦 Доставлен
order-status-cancelled = ❌ Отменён
order-status-refunding = ↩️ Оформляется возврат
order-status-refunded = ↩️ Деньги возвращены

orders-title = 📦 <b>Мои заказы</b> — стр. { $page }
orders-empty = 📦 У вас пока нет заказов. Загляните в каталог!
order-card-title = 📦 <b>Заказ { $orderId }</b> от { $date }
order-card-status = Статус: { $status }
order-card-payment = Оплата: { $payment }
order-card-tracking = Трек-номер: { $tracking }
order-card-reason = Причина отмены: { $reason }
btn-order-pay = 💳 Оплатить
btn-order-cancel = ❌ Отменить заказ
btn-orders-back = ◀️ Мои заказы
btn-order-open = 📦 Заказ { $orderId }
btn-order-cancel-yes = Да, отменить
btn-order-cancel-no = Нет, оставить
order-cancel-ask = Отменить заказ { $orderId }?
order-cancel-ask-paid = Отменить заказ { $orderId }? Он оплачен — деньги вернутся вам.
order-cancelled = Заказ отменён.
order-not-cancellable = Этот заказ уже нельзя отменить — он { $status }.
order-not-found = Такого заказа нет.
order-invoice-sent = Счёт отправлен — он ниже.
order-not-payable = Этот заказ не ждёт оплаты — он { $status }.
orders-unavailable = Сейчас это сделать нельзя. Попробуйте чуть позже.

order-reason-timeout = заказ не был оплачен вовремя
order-reason-customer = по вашей просьбе
order-reason-shop = по решению магазина
order-reason-shop-said = по решению магазина: { $reason }
order-notice-paid = 💳 Заказ { $orderId } оплачен. Спасибо! Мы сообщим, когда отправим его.
order-notice-shipped = 🚚 Заказ { $orderId } отправлен.
order-notice-shipped-tracking = 🚚 Заказ { $orderId } отправлен. Трек-номер: { $tracking }
order-notice-delivered = 📦 Заказ { $orderId } доставлен. Спасибо за покупку!
order-notice-cancelled = ❌ Заказ { $orderId } отменён: { $reason }.
order-notice-refunding = ↩️ Заказ { $orderId } отменён ({ $reason }). Деньги вернутся вам — возврат уже оформляется.
order-notice-refunded = ↩️ Деньги за заказ { $orderId } возвращены.
order-notice-second-charge = ↩️ За заказ { $orderId } пришла вторая оплата, а он уже оплачен. Лишнюю оплату мы возвращаем.
order-notice-late-charge = ↩️ Оплата за заказ { $orderId } пришла, когда заказ уже был отменён. Деньги мы возвращаем.

rating-ask = ⭐ Как вам заказ { $orderId }? Оцените от 1 до 5:
rating-thanks = Спасибо за оценку!
rating-done = Этот заказ уже оценён.

price-changed = 💱 <b>Цены в заказе { $orderId } изменились</b>
price-changed-total = Было: { $old }. Стало: <b>{ $total }</b>.
    Подтвердите новую цену — и мы пришлём новый счёт.
btn-confirm-price = ✅ Подтвердить новую цену
price-confirmed = Новая цена подтверждена — новый счёт ниже.
price-unchanged = Цены не изменились — оплатите счёт заказа.
precheckout-unknown = Этот счёт больше не действует: такого заказа нет.
precheckout-cancelled = Заказ { $orderId } отменён — оплатить его нельзя. Оформите новый заказ в каталоге.
precheckout-paid = Заказ { $orderId } уже оплачен — второй раз платить не нужно.
precheckout-not-payable = Заказ { $orderId } сейчас не ждёт оплаты.
precheckout-amount = Сумма не совпадает со счётом заказа { $orderId }. Откройте заказ в «Мои заказы» и оплатите новый счёт.
precheckout-price-changed = Цены в заказе { $orderId } изменились. Мы прислали новую сумму в чат — подтвердите её, и придёт новый счёт.
precheckout-gone = «{ $title }» больше не продаётся. Заказ { $orderId } можно отменить в «Мои заказы».

## News and campaigns (issue 13)
news-unsubscribed-toast = Вы отписались
news-unsubscribed = 🔕 Вы отписались от новостей и напоминаний магазина. Ответы на ваши вопросы и сообщения о заказах будут приходить как раньше.

    Передумаете — отправьте /subscribe.
news-subscribed = 🔔 Вы снова подписаны на новости магазина.
news-already-subscribed = 🔔 Вы и так подписаны на новости магазина.
label-news = Новости
news-on = подписаны
news-off = отписались { $date } (/subscribe — подписаться снова)
btn-campaign-catalog = 🛍 Каталог
