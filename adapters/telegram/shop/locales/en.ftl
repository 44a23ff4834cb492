# Shop bot, English. Values may hold Telegram HTML; variables arrive already escaped.

greeting = 👋 Hello, { $name }! Welcome to { $shop }.
    What would you like to do?
menu-title = Main menu. What shall we look at?
btn-catalog = 🛍 Catalog
btn-search = 🔍 Search
btn-cart = 🛒 Cart
btn-cart-count = 🛒 Cart ({ $count })
btn-consultant = 💬 Ask a consultant
btn-mydata = 👤 My data
btn-menu = ◀️ Menu
btn-back = ◀️ Back
btn-prev = ◀️
btn-next = ▶️
btn-add = 🛒 Add to cart
btn-checkout = ✅ Check out
btn-confirm = ✅ Confirm the order
btn-edit-phone = ✏️ Phone
btn-edit-delivery = ✏️ Delivery
btn-cancel = ✖️ Cancel
btn-share-contact = 📱 Share my phone number
btn-use-phone = Use { $phone }
btn-accept = ✅ I agree
btn-decline = Not now
btn-revoke = Revoke consent
btn-give-consent = Give consent
btn-privacy = 🔒 Privacy
btn-forget = 🗑 Erase my data
btn-forget-yes = Yes, erase everything
btn-forget-no = No, keep it
btn-leave-consultant = ◀️ Leave the consultant
btn-open-cart = 🛒 Open the cart
btn-open-private = Message the bot

catalog-title = 🛍 <b>Catalog</b>
    Choose a category:
catalog-empty = The catalog is empty for now. Come back soon!
category-title = { $emoji } <b>{ $title }</b> — page { $page } of { $pages }
category-empty = There are no products in this category yet.
category-gone = This category no longer exists. Here is the current catalog.
product-price = Price: <b>{ $price }</b>
product-stock-out = ⚠️ Out of stock
product-stock-left = { $count } left
product-in-cart = In your cart: { $count }
product-gone = This product is no longer in the catalog. Here is the current catalog.
added = Added: { $title } ({ $count } in the cart)
out-of-stock = “{ $title }” is out of stock.
limited = You cannot order more than { $count }.
cart-full = The cart is full: at most { $count } different products.

search-prompt = 🔍 Type what you are looking for: a name or a word from the description.
search-results = 🔍 Results for “{ $query }” — page { $page } of { $pages }:
search-results-page = 🔍 Search results — page { $page } of { $pages }:
search-none = Nothing found for “{ $query }”. Try another word, or open the catalog.
search-expired = This search is out of date. Please type your query again.

cart-title = 🛒 <b>Cart</b>
cart-line = { $title } × { $qty } = { $sum }
cart-total = Total: <b>{ $total }</b>
cart-empty = 🛒 Your cart is empty. Have a look at the catalog!
cart-stale = Your cart has changed — here is the current one.
cart-notice-gone = A product is no longer in the catalog — it was removed from your cart.
cart-notice-out = “{ $title }” is out of stock — it was removed from your cart.
cart-notice-limited = “{ $title }”: only { $qty } in stock — the quantity was lowered.
cart-not-in = This product is no longer in your cart.

checkout-empty = Your cart is empty — there is nothing to check out. Add something from the catalog.
checkout-phone = 📞 <b>Checkout</b>, step 1 of 3.
    Share your phone number with the button below, or type it, e.g. +1 202 555 0143.
checkout-invalid-phone = That does not look like a phone number. Type it in digits, e.g. +1 202 555 0143, or press “Share my phone number”.
checkout-delivery = 🚚 Step 2 of 3. Type the delivery address or a comment for the order (up to { $max } characters).
checkout-delivery-empty = Please type the delivery address or a comment as text.
checkout-delivery-too-long = Too long: at most { $max } characters, please.
checkout-summary = 📋 <b>Step 3 of 3. Check your order</b>
checkout-summary-phone = Phone: { $phone }
checkout-summary-delivery = Delivery: { $delivery }
checkout-confirm-hint = All correct? Press “Confirm the order”.
checkout-text-needed = I need text here. { $hint }
checkout-use-buttons = Please confirm or cancel the order with the buttons under the summary.
checkout-cancelled = Checkout cancelled. Your cart is kept.
checkout-not-active = This checkout is already finished or cancelled.
checkout-already-placed = Order { $orderId } is already placed — it is not created twice.
checkout-failed = The order could not be saved. Nothing is lost — please press confirm again.
checkout-cart-changed = Your cart changed while you were checking out. Please check the summary again.
order-placed = ✅ <b>Order { $orderId } is placed!</b>
    Total: { $total }. We will contact you at { $phone }.
    Thank you!

reminder-title = 🛒 <b>You left something in your cart</b>
reminder-hint = Checking out takes a couple of taps.

consent-ask = 🔒 May we keep your chat with the bot, to help you better? Data processing terms, version { $version }.
    Without consent the shop works just the same; your chat is simply not kept.
consent-given = Thank you! Your consent (version { $version }) is saved. You can revoke it in /privacy.
consent-declined = All right, your chat is not kept. If you change your mind, see /privacy.
consent-revoked = Consent revoked. New messages are no longer kept.
privacy-on = 🔒 You consented to data processing (version { $version }) on { $date }.
privacy-off = 🔒 No consent to data processing: your chat is not kept.
privacy-outdated = 🔒 The data processing terms have changed (version { $version }). Your earlier consent no longer applies.

mydata-title = 👤 <b>What we keep about you</b>
mydata-empty = We do not keep anything about you yet.
mydata-line = { $label }: { $value }
mydata-none = —
label-user-id = Telegram ID
label-name = Name
label-username = Username
label-source = Came from
label-first-seen = First visit
label-last-seen = Last visit
label-stage = Stage
label-orders = Orders
label-ltv = Total spent
label-last-order = Last order
label-consent = Consent
label-phone = Phone
label-tags = Tags
label-notes = Manager's notes
label-messages = Messages kept
label-cart = Items in the cart
consent-yes = yes, version { $version }
consent-no = no
stage-new = new
stage-engaged = browsing
stage-cart = cart
stage-checkout = checking out
stage-customer = customer
stage-repeat = repeat customer

forget-ask = 🗑 Erase your personal data? Your messages, phone, name, username, notes and tags, your cart and the addresses in your orders will be erased. Only anonymous statistics remain.
forget-done = Done. Erased: messages — { $messages }, phone — { $phone }, username and name — { $username }, notes — { $notes }; addresses and phones removed from orders ({ $orders }). Your cart is cleared.
    Anonymous counters (stage, number and total of orders) remain.
forget-kept = All right, nothing was erased.
yes = yes
no = no

consultant-unavailable = The consultant is not available right now. Try the catalog or search.
consultant-intro = 💬 <b>Consultant</b>
    Ask about our products: what to choose, how they differ, what makes a good gift. To leave, press the button below or /menu.
consultant-thinking = Thinking…
consultant-rate-limited = You have asked many questions in a row. Please wait a little and ask again.
consultant-too-long = The question is too long: at most { $max } characters.
consultant-empty = Please type your question as text.
consultant-failed = The consultant could not answer just now. Please try again a little later.
consultant-timeout = The consultant is taking too long. Please try again a little later.
consultant-left = You left the consultant.
consultant-text-only = The consultant understands text questions only.
consultant-needs-consent = 💬 The consultant is an AI: to answer, it reads and keeps your question. That needs your consent to the data processing terms (version { $version }).
consultant-busy = The consultant is still answering your last question. Please wait a moment.

private-only = I only work in private messages. Please write to me directly.
unsupported-message = I understand text and buttons. Here is the menu:
button-outdated = This button is out of date. Here is the current menu.
error-generic = ⚠️ Something went wrong. Nothing is lost — please try again.
help = Commands: /start — menu, /cart — cart, /orders — my orders, /privacy — data processing consent, /mydata — my data, /forget — erase my data.

# Orders and payments (issue 12): the payment method, invoices, "My orders", an order's notices.
btn-orders = 📦 My orders
btn-pay-stars = ⭐ Telegram Stars — { $stars } ⭐
btn-pay-provider = 💳 By card — { $total }
btn-pay-cash = 💵 On delivery
checkout-payment = 💳 <b>How would you like to pay?</b>
    Total: { $total }
checkout-method-off = The shop no longer takes this payment method. Please choose another.
checkout-sold-out = “{ $title }” is sold out — the order was not placed. Your cart is kept.
checkout-only-left = “{ $title }”: only { $count } left — the order was not placed. Your cart is kept.
order-placed-pay = ✅ <b>Order { $orderId } is placed!</b>
    Total: { $total }. The invoice comes in the next message. Please pay it within { $minutes } min, or the order is cancelled.
payment-stars = ⭐ Telegram Stars
payment-provider = 💳 Bank card
payment-cash = 💵 On delivery
invoice-title = Order { $orderId }

order-status-placed = 🆕 Placed
order-status-awaiting_payment = ⏳ Awaiting payment
order-status-paid = 💳 Paid
order-status-shipped = 🚚 Shipped
order-status-delivered = 📦 Delivered
order-status-cancelled = ❌ Cancelled
order-status-refunding = ↩️ Refund under way
order-status-refunded = ↩️ Refunded

orders-title = 📦 <b>My orders</b> — page { $page }
orders-empty = 📦 You have no orders yet. Have a look at the catalog!
order-card-title = 📦 <b>Order { $orderId }</b> of { $date }
order-card-status = Status: { $status }
order-card-payment = Payment: { $payment }
order-card-tracking = Tracking: { $tracking }
order-card-reason = Cancelled: { $reason }
btn-order-pay = 💳 Pay
btn-order-cancel = ❌ Cancel the order
btn-orders-back = ◀️ My orders
btn-order-open = 📦 Order { $orderId }
btn-order-cancel-yes = Yes, cancel it
btn-order-cancel-no = No, keep it
order-cancel-ask = Cancel order { $orderId }?
order-cancel-ask-paid = Cancel order { $orderId }? It is paid: your money will be returned.
order-cancelled = The order is cancelled.
order-not-cancellable = This order can no longer be cancelled: it is { $status }.
order-not-found = There is no such order.
order-invoice-sent = The invoice is sent — see below.
order-not-payable = This order is not awaiting payment: it is { $status }.
orders-unavailable = This cannot be done right now. Please try again shortly.

order-reason-timeout = it was not paid in time
order-reason-customer = at your request
order-reason-shop = by the shop
order-reason-shop-said = by the shop: { $reason }
order-notice-paid = 💳 Order { $orderId } is paid. Thank you! We will tell you when it ships.
order-notice-shipped = 🚚 Order { $orderId } has shipped.
order-notice-shipped-tracking = 🚚 Order { $orderId } has shipped. Tracking: { $tracking }
order-notice-delivered = 📦 Order { $orderId } is delivered. Thank you for shopping with us!
order-notice-cancelled = ❌ Order { $orderId } is cancelled: { $reason }.
order-notice-refunding = ↩️ Order { $orderId } is cancelled ({ $reason }). Your money is on its way back.
order-notice-refunded = ↩️ The money for order { $orderId } is refunded.
order-notice-second-charge = ↩️ A second payment came for order { $orderId }, which was already paid. We are returning it.
order-notice-late-charge = ↩️ A payment for order { $orderId } came after it was cancelled. We are returning it.

rating-ask = ⭐ How was order { $orderId }? Rate it from 1 to 5:
rating-thanks = Thank you for your rating!
rating-done = This order is already rated.

price-changed = 💱 <b>Prices in order { $orderId } changed</b>
price-changed-total = Was: { $old }. Now: <b>{ $total }</b>.
    Confirm the new price and we will send a new invoice.
btn-confirm-price = ✅ Confirm the new price
price-confirmed = New price confirmed — the new invoice is below.
price-unchanged = The prices did not change — please pay the order's invoice.
precheckout-unknown = This invoice is no longer valid: there is no such order.
precheckout-cancelled = Order { $orderId } is cancelled and cannot be paid. Please place a new order from the catalog.
precheckout-paid = Order { $orderId } is already paid — no need to pay twice.
precheckout-not-payable = Order { $orderId } is not awaiting payment.
precheckout-amount = The amount does not match order { $orderId }'s invoice. Open the order in “My orders” and pay the new invoice.
precheckout-price-changed = Prices in order { $orderId } changed. We sent the new total to the chat — confirm it and a new invoice follows.
precheckout-gone = “{ $title }” is no longer sold. You can cancel order { $orderId } in “My orders”.

## News and campaigns (issue 13)
news-unsubscribed-toast = Unsubscribed
news-unsubscribed = 🔕 You have unsubscribed from the shop's news and reminders. Answers to your questions and news of your orders still come as before.

    Changed your mind? Send /subscribe.
news-subscribed = 🔔 You are subscribed to the shop's news again.
news-already-subscribed = 🔔 You are already subscribed to the shop's news.
label-news = News
news-on = subscribed
news-off = unsubscribed { $date } (/subscribe to subscribe again)
btn-campaign-catalog = 🛍 Catalog
