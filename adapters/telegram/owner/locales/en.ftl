# Owner bot, English. Values may hold Telegram HTML; variables arrive already escaped.

refusal = Sorry, this bot is the shop owner's work tool. You do not have access.
menu-title = 👋 Owner's desk. What shall we look at?
btn-crm = 📊 CRM
btn-orders = 🧾 Orders
btn-menu = ◀️ Menu
btn-back = ◀️ Back
btn-prev = ◀️
btn-next = ▶️
crm-title = 📊 <b>CRM</b>
btn-funnel = 📈 Funnel
btn-leads = 👥 Recent leads
btn-search = 🔍 Search
btn-report = 📅 Daily report

funnel-title = 📈 <b>Funnel</b> — leads in all: { $total }
funnel-line = { $emoji } { $stage }: <b>{ $current }</b> now, { $reached } reached
funnel-line-dormant = { $emoji } { $stage }: <b>{ $current }</b> now (💤 { $dormant } dormant), { $reached } reached
funnel-dormant = 💤 Dormant (no activity for a long while; their stage stays): <b>{ $dormant }</b>
funnel-conv = { $bar } { $fromNew } of new · { $fromPrevious } of the previous stage
funnel-empty = No leads yet. They appear when customers press Start in the shop.
stage-new = new
stage-engaged = browsing
stage-cart = cart
stage-checkout = checking out
stage-customer = customer
stage-repeat = repeat

leads-title = 👥 <b>Recent leads</b> — page { $page }
leads-empty = No leads yet.
search-prompt = 🔍 Who are we looking for? A name, @username, phone, ID, or a word from notes and tags.
search-results = 🔍 Results for “{ $query }” — page { $page }:
search-none = Nobody matches “{ $query }”. Type another query, or cancel the search.
search-empty = Please type the query as text.
search-too-long = The query is too long: at most { $max } characters.
search-cancelled = Search cancelled.
btn-cancel = ✖️ Cancel

card-title = { $emoji } <b>{ $name }</b>
card-erased = 🗑 The customer erased their data on { $date }. Only anonymous counts remain.
card-dormant = 💤 Dormant since { $date }: no activity in the shop for a long while.
card-blocked = 🚫 Blocked the bot on { $date }: messages to them do not arrive.
label-user-id = ID
label-username = Username
label-source = Source
label-stage = Stage
label-stages = Stages
label-first-seen = First seen
label-last-seen = Last seen
label-orders = Orders
label-ltv = Lifetime value
label-reminders = Cart reminders
reminders-value = { $count }, the last { $date }
label-last-order = Last order
label-consent = Consent
label-phone = Phone
label-tags = Tags
label-notes = Notes
consent-yes = yes, version { $version }, { $date }
consent-no = no
none = —
btn-note = 📝 Note
btn-tags = 🏷 Tags
btn-history = 📜 History
btn-summary = 🧠 AI summary
btn-card = ◀️ To the card
btn-leads-back = ◀️ To the list

note-prompt = 📝 Type a note about { $name } (up to { $max } characters).
note-saved = ✅ Note saved.
note-empty = Please type the note as text.
note-too-long = The note is too long: at most { $max } characters.
note-failed = The note could not be saved. Nothing is lost — please send it again.
note-cancelled = Note cancelled.
text-needed = I need text here.
command-unknown = 🤷 There is no such command. The bot's commands are in the “/” menu; here is the main menu.

tags-title = 🏷 <b>Tags</b> of { $name }. Press one to set or clear it.
btn-new-tag = ➕ New tag
tag-prompt = Type the new tag: letters, digits, _ or -, up to 32 characters.
tag-invalid = A tag is 1 to 32 letters, digits, _ or -. Please try again.

history-title = 📜 <b>History</b> — { $name }, page { $page } of { $pages }
history-empty = 📜 No conversation: the customer has not consented or has not written yet.

summary-loading = 🧠 Preparing a summary of { $name }…
summary-title = 🧠 <b>AI summary</b> — { $name }
summary-failed = 🧠 The summary is not available right now: { $reason }. Nothing is lost — please try again.
summary-timeout = the AI is taking too long
summary-unavailable = the AI is unavailable
btn-retry = 🔁 Retry

report-title = 📅 <b>Report for { $day }</b>, { $weekday } — { $span }
report-span-today = today, from 00:00 to { $time }
report-span-yesterday = yesterday, the whole day
report-span-day = the whole day
report-new-leads = New leads: <b>{ $count }</b>
report-activity = 🔔 Cart reminders: { $reminders } · 💤 gone dormant: { $dormant } · 🔄 came back: { $reactivated }
report-orders = Orders: <b>{ $count }</b> · revenue { $revenue }
report-events = Events:
report-event-line = • { $type }: { $count }
report-moves = Stage moves:
report-move-line = • { $emoji } { $stage }: { $count }
report-nothing = • none
btn-today = Today
btn-report-today = 📅 Today so far

orders-title = 🧾 <b>Orders</b>
orders-period = { $period }: <b>{ $count }</b> · revenue { $revenue } · average { $average }
period-today = Today
period-7 = 7 days
period-30 = 30 days
orders-latest = Latest orders:
orders-line = • { $orderId } — { $total }, { $name }, { $date }
orders-none = No orders yet.

btn-open-card = 👤 Open the card

erased-action = The customer erased their data (/forget): notes, tags, history and summary are not available.
lead-missing = There is no such customer.
ai-off = AI is not configured.
button-outdated = This button is out of date. Here is the current menu.
error-generic = ⚠️ Something went wrong. Nothing is lost — please try again.

effect-failed = ⚠️ Could not { $what } { $customer } after { $attempts } { $attempts ->
        [one] try
       *[other] tries
    }: { $reason }
effect-sendCartReminder = send the cart reminder
effect-askConsultant = get the AI consultant's answer
effect-sendConsultantAnswer = send the consultant's answer to the customer
effect-sendConsultantFailure = tell the customer the consultant could not answer
effect-notifyOwnersOfOrder = announce the new order { $orderId }
effect-other = carry out “{ $type }”

# Orders as actors (issue 12): statuses, lists, the order card and its moves, notices.
effect-customer = for customer { $customer }
effect-order = for order { $orderId }
effect-notifyCustomerOfOrder = tell the customer what became of the order
effect-notifyOwnersOfOrderMove = show the owners what became of the order
effect-sendInvoice = send the invoice
effect-refundStarPayment = give back the stars
effect-askOwnersToRefund = ask the owners to refund by hand
effect-askForRating = ask the customer to rate the order
ord-status-placed = new
ord-status-awaiting_payment = awaiting payment
ord-status-paid = paid
ord-status-shipped = shipped
ord-status-delivered = delivered
ord-status-cancelled = cancelled
ord-status-refunding = refunding
ord-status-refunded = refunded
ord-filter-placed = New
ord-filter-awaiting_payment = Awaiting payment
ord-filter-paid = Paid
ord-filter-shipped = Shipped
ord-filter-delivered = Delivered
ord-filter-cancelled = Cancelled
ord-filter-refunding = Refunding
ord-filter-refunded = Refunded
ord-filter-all = 🗂 All
ord-revenue-rule = <i>Revenue: orders paid for (or delivered, when paid on delivery), less cancelled and refunded ones; orders placed before the bot handled them count at once; the average is theirs too.</i>
ord-list-title = { $title } — page { $page }
ord-list-line = { $emoji } { $orderId } — { $total }, { $name }, { $date }
ord-list-empty = Nothing here yet.
ord-by-customer = customer
ord-by-owner = owner
ord-by-payment = payment
ord-by-timer = timer
ord-pay-stars = ⭐ Telegram Stars ({ $amount } ⭐)
ord-pay-provider = 💳 by card ({ $amount })
ord-pay-cash = 💵 on delivery
ord-reason-payment_timeout = not paid in time
ord-reason-second_charge = a second payment of a paid order
ord-reason-late_charge = a payment after the cancel
ord-card-title = 🧾 <b>Order { $orderId }</b> for { $total }
ord-notice-new = 🛒 <b>New order { $orderId }</b> for { $total }
ord-label-status = Status
ord-label-customer = Customer
ord-label-payment = Payment
ord-label-delivery = Delivery
ord-label-tracking = Tracking
ord-label-reason = Reason
ord-label-rating = Rating
ord-date-placed = Placed
ord-date-paid = Paid
ord-date-shipped = Shipped
ord-date-delivered = Delivered
ord-date-cancelled = Cancelled
ord-date-refunded = Refunded
ord-history = 📜 <b>History</b>
ord-history-earlier = … and { $count } earlier
ord-ev-order_placed = 🆕 placed
ord-ev-payment_received = 💳 payment received
ord-ev-invoice_requested = 🧾 invoice sent again
ord-ev-marked_paid = 💵 marked paid
ord-ev-shipped = 📦 shipped
ord-ev-delivered = ✅ delivered
ord-ev-cancel_requested = ✖️ cancel
ord-ev-refund_requested = ↩️ refund
ord-ev-refund_completed = 💸 refunded
ord-ev-refund_failed = ⚠️ refund failed
ord-ev-repriced = 🔁 new prices accepted
ord-ev-rated = ⭐ rated
ord-ev-payment-timeout = ⌛ not paid in time — cancelled
ord-ev-rating-asked = 💬 asked for a rating
ord-ev-timer = ⏱ timer
ord-btn-paid = 💵 Paid
ord-btn-ship = 📦 Shipped
ord-btn-dlvr = ✅ Delivered
ord-btn-cncl = ✖️ Cancel
ord-btn-rfnd = ↩️ Refund
ord-btn-rfdn = 💸 Refunded
ord-btn-rtry = 🔁 Retry the refund
ord-btn-skip = ⏭ Skip
ord-btn-card = 🧾 Order
ord-btn-customer = 👤 Customer
ord-ask-ship = 📦 Order { $orderId } shipped? Send a tracking number or a short note for the customer (up to { $max } characters), or skip.
ord-ask-cancel = ✖️ Cancelling order { $orderId }. Write the reason; the customer will see it (up to { $max } characters).
ord-ask-refund = ↩️ Refunding order { $orderId }. Write a reason for the customer (up to { $max } characters), or skip.
ord-input-empty = Please write it as text.
ord-input-too_long = Too long: { $max } characters at most.
ord-input-failed = Could not save it. Nothing is lost — please send it again.
ord-input-cancelled = Cancelled.
ord-done-paid = ✅ Order { $orderId } marked paid.
ord-done-ship = ✅ Order { $orderId } shipped.
ord-done-dlvr = ✅ Order { $orderId } delivered.
ord-done-cncl = ✅ Order { $orderId } cancelled.
ord-done-rfnd = ✅ The refund of order { $orderId } has started.
ord-done-rfdn = ✅ Order { $orderId } refunded.
ord-done-rtry = ✅ The refund of order { $orderId } was asked again.
ord-refused = ⚠️ Order { $orderId } is “{ $status }” now: “{ $act }” is no longer possible. Nothing changed.
ord-duplicate = Already done: order { $orderId } did not change a second time.
ord-missing = There is no such order.
ord-older = ℹ️ This order was placed before the bot handled orders: it has no history and no moves here (paid, shipped, cancel), and it counts as revenue from when it was placed, as every order did then.
ord-off = Orders can only be viewed here now.
ord-move = 🧾 Order { $orderId } for { $total }: <b>{ $status }</b> · { $by }
ord-refund-ask = 💸 <b>Refund by hand</b> for order { $orderId }: { $amount }, charge <code>{ $charge }</code>. Reason: { $reason }.
    Give it back in the payment provider's dashboard, then press the button.
ord-refund-done = ✅ Marked: the money was given back.
ord-refund-recorded = Refund recorded: order { $orderId } is now “{ $status }”.
ord-refund-noted = Marked. Order { $orderId } itself stays “{ $status }”.

## Catalog (catalogEdit.ts, catalogImport.ts, catalogScreens.ts)

btn-catalog = 🛍 Catalog
btn-catalog-new-category = ➕ Category
btn-catalog-import = 📥 Import
btn-catalog-new-product = ➕ Product
btn-catalog-rename = ✏️ Rename
btn-catalog-up = ⬆️ Up
btn-catalog-down = ⬇️ Down
btn-catalog-back = ◀️ Catalog
btn-catalog-title = ✏️ Title
btn-catalog-description = 📝 Description
btn-catalog-price = 💰 Price
btn-catalog-stock = 📦 Stock
btn-catalog-photo = 📷 Photo
btn-catalog-hide = 🙈 Hide
btn-catalog-show = 👁 Show
btn-catalog-to-category = ◀️ To the category
btn-catalog-save = ✅ Save
btn-catalog-apply = ✅ Apply
btn-catalog-seed = 🔄 Load { $name }

catalog-title = 🛍 <b>Catalog</b>: { $categories } categories, { $products } products ({ $hidden } hidden)
catalog-empty = The catalog is empty. Add a category, or send a CSV or JSON file.
catalog-category-title = <b>{ $name }</b> (<code>{ $id }</code>) — { $count } products, page { $page }
    👁 shown to customers, 🙈 hidden.
catalog-category-empty = No products yet. Customers do not see an empty category.
catalog-product = { $mark } <b>{ $title }</b>
    Id: <code>{ $id }</code> · { $category }

    { $description }

    Price: { $price }
    Stock: { $stock }
    Photo: { $photo }
    Visibility: { $visibility }
catalog-stock-untracked = not tracked
catalog-photo-none = none
catalog-photo-set = yes
catalog-photo-new = a new photo
catalog-hidden = 🙈 hidden from customers
catalog-shown = 👁 shown to customers
catalog-gone = This is no longer in the catalog.
catalog-saved = ✅ Saved.
catalog-edit-cancelled = Edit cancelled.
catalog-first = The category is first already.
catalog-last = The category is last already.
catalog-moved = The category is now { $position } of { $count }.
catalog-now-hidden = 🙈 Product hidden: customers neither see nor buy it.
catalog-now-shown = 👁 Product shown to customers again.
catalog-text-or-photo = Text is needed here (or a photo, when I ask for one).

catalog-ask-title = ✏️ The new title of “{ $title }” (up to { $max } characters):
catalog-ask-description = 📝 The new description of “{ $title }” (up to { $max } characters; “-” for none). Now: { $now }
catalog-ask-price = 💰 The new price of “{ $title }”, now { $now }. For example: 1290 or 99.90.
catalog-ask-stock = 📦 How many “{ $title }” are in stock? Now: { $now }. A whole number; 0 is out of stock; “-” stops counting.
catalog-ask-photo = 📷 Send a photo for “{ $title }” (as a photo or a file), or “-” to remove the photo.
catalog-ask-new-id = ➕ A new product in “{ $category }”. Write its id: Latin letters, digits, _ or -, up to 24 characters (e.g. puer-2016).
catalog-ask-new-title = The title of <code>{ $id }</code> (up to { $max } characters):
catalog-ask-new-price = The price of “{ $title }” (e.g. 1290 or 99.90):
catalog-ask-category = ✏️ The new name of the category “{ $now }” (up to { $max } characters):
catalog-ask-new-category = ➕ The name of the new category (up to { $max } characters):
catalog-label-title = Title
catalog-label-description = Description
catalog-label-price = Price
catalog-label-stock = Stock
catalog-label-photo = Photo
catalog-label-categoryTitle = Category name
catalog-confirm-change = { $label } of “{ $name }”: { $before } → <b>{ $after }</b>. Save?
catalog-confirm-new-product = A new product “{ $title }” (<code>{ $id }</code>) in “{ $category }” for <b>{ $price }</b>. It starts hidden: show it when it is ready. Save?
catalog-confirm-new-category = A new category “<b>{ $title }</b>”. Save?

catv-empty = Empty: write a value.
catv-too_long = Too long: at most { $max } characters, this is { $length }.
catv-not_id = An id is 1 to 24 Latin letters, digits, _ or - (e.g. puer-2016).
catv-price_not_number = A price is a number, e.g. 1290 or 99.90.
catv-price_not_positive = A price must be above zero.
catv-price_decimals = At most 2 decimals: 10.005 → 10.01.
catv-price_too_large = Too high a price: at most 999,999,999.99.
catv-stock_not_whole = Stock is a whole number (0, 1, 2…), or “-” to stop counting it.
catv-stock_negative = Stock cannot be below zero.
catv-stock_too_large = Too much stock: at most 1,000,000,000.
catv-photo_invalid = A photo is an https://… link or the file_id of a photo the shop bot has sent.
cate-photo_expected = A photo is needed (or “-” to remove the photo).
cate-text_expected = Text is needed here, not a photo.
cate-id_taken = Another product has this id already. Choose another.
cate-failed-gone = Not saved: this is no longer in the catalog.
cate-failed-photo = Not saved: the photo could not be fetched from Telegram. Send it again.
cate-failed-store = ⚠️ Could not save. Nothing is lost — try again.

catalog-import-prompt = 📥 <b>Catalog import</b>
    Send a CSV or JSON file (up to { $kb } KB, up to { $rows } rows). CSV columns: <code>id, category, title, price</code> are required; <code>description, currency, stock, photo, hidden</code> are optional. You see what changes before it is applied. Format: docs/catalog.md.
catalog-import-refused = ⛔️ <b>{ $name }</b>: nothing was changed, { $total } problems.
catalog-import-more = …and { $count } more.
catalog-import-nothing = Fix the file and send it again: nothing is applied while any problem is left.
catalog-import-preview = 📥 <b>{ $name }</b>: this is what changes.
catalog-import-changed = ⚠️ The catalog changed while you looked. <b>{ $name }</b> now changes this:
catalog-import-counts = New: { $new }, changed: { $changed }, to hide: { $hidden }, to show: { $shown }, unchanged: { $unchanged }.
catalog-import-new-categories = New categories: { $count } ({ $ids }).
catalog-import-changed-categories = Renamed categories: { $count }.
catalog-import-confirm = Apply? It is applied all at once; orders already placed do not change.
catalog-import-failed-refused = ⚠️ The file no longer reads the same. Send it again.
catalog-import-failed-unavailable = ⚠️ The file could not be fetched again. Try again, or send it again.
catalog-import-failed-store = ⚠️ Could not save. Nothing was applied — try again.
catalog-import-none = Nothing to apply: send the file again.
catalog-import-applied = ✅ Import applied.
catalog-import-cancelled = Import cancelled, nothing changed.

imp-at-row = Row { $row }
imp-at-cell = Row { $row }, column { $column }
imp-file_too_large = the file is over 1 MB: split it into parts.
imp-file_unavailable = the file could not be fetched from Telegram. Send it again.
imp-seed_invalid = { $reason }
imp-file_empty = the file is empty.
imp-file_encoding = the file is not UTF-8: save it as “CSV UTF-8”.
imp-file_format = this is neither CSV nor JSON. Save an Excel sheet as “CSV UTF-8” (File → Save As).
imp-too_many_rows = too many rows: { $rows }, at most { $max }. Split the file into parts.
imp-no_rows = the file has no products.
imp-csv_quote = a quote is opened and not closed before the end of the file.
imp-csv_row_too_long = the row is too long (over 64 KB).
imp-csv_malformed = the row does not read as CSV (line { $line } of the file).
imp-cells_count = { $cells } cells, but the header has { $columns } columns.
imp-missing_column = the required column “{ $column }” is not in the first row.
imp-unknown_column = unknown column “{ $column }” (a typo?). Columns: { $known }.
imp-duplicate_column = the column “{ $column }” is repeated: columns { $first } and { $second }.
imp-json_malformed = this is not JSON: { $reason }
imp-json_shape = { $expected ->
        [object] an object with the product's fields is needed here.
       *[other] an object with "products": [...] (and, optionally, "categories": [...]) or a list of products [...] is needed.
    }
imp-required = a value is needed.
imp-unknown_field = unknown field “{ $field }” (a typo?).
imp-expected_text = text in quotes is needed, this is { $got }.
imp-expected_number = a number without quotes is needed, this is { $got }.
imp-expected_boolean = true or false is needed, this is { $got }.
imp-duplicate_id = the id “{ $id }” is repeated (first: { $at ->
        [row] row { $first }
       *[other] { $first }
    }).
imp-category_unknown = no category “{ $category }” (there are: { $known }). A new category in a CSV is its id in Latin letters.
imp-category_moved = product { $id } is in the category “{ $from }”, here “{ $to }”: an import does not move a product to another category (give it a new id).
imp-currency_other = the catalog's currency is { $expected }, this is { $got }.
imp-currency_format = a currency is 3 Latin capitals (RUB, USD), this is “{ $got }”.
imp-hidden_invalid = “{ $got }”: write yes or no (1/0).

# Broadcasts (broadcastCompose.ts, broadcastProgress.ts, broadcastScreens.ts)
btn-broadcasts = 📣 Broadcasts
bc-new = ✍️ New broadcast
bc-list = 📣 Broadcasts
bc-list-title = 📣 <b>Broadcasts</b>, the recent ones. Open one for its progress or report.
bc-list-empty = 📣 <b>Broadcasts</b>

    No broadcasts yet.
bc-off = Broadcasts are not set up in this process.
bc-write = ✍️ <b>New broadcast</b>

    Send the message as customers will get it: text with formatting (bold, italics, links) or a photo with a caption. Up to 4096 characters; a photo's caption up to 1024.
bc-message-ok = ✅ Message taken.
bc-photo-off = ⚠️ A photo cannot go out in a broadcast now: the shop bot is not set up to upload photos.
bc-button-ask = Add a button under the message?
bc-btn-none = No button
bc-btn-product = 🛍 Product
bc-btn-catalog = 📂 Catalog
bc-btn-url = 🔗 Link
bc-btn-edit-text = ✏️ Message
bc-btn-edit-audience = 👥 Audience
bc-catalog-button = 🛍 Open the catalog
bc-url-ask = 🔗 Send the button's text with the link last, e.g. <code>Our site https://example.com</code>
bc-products-ask = 🛍 Which product does the button open?
bc-products-none = The catalog has no product customers can see.
bc-audience-ask = 👥 Who gets it? In brackets: recipients now (without the unsubscribed and those who blocked the bot).
bc-aud-all = 👥 All subscribers ({ $count })
bc-everyone = all subscribers
bc-confirm = 👆 Above is the preview: this is what customers will see.

    Audience: <b>{ $audience }</b>, recipients: <b>{ $count }</b>.
    Send now, later with a button, or type a time, e.g. <code>2026-12-01 10:00</code> ({ $zone }).
bc-send-now = 🚀 Send now
bc-send-hour = 🕐 In 1 h
bc-send-tomorrow = 🌅 Tomorrow 10:00
bc-preview-refused = The preview failed: { $reason }. Fix the message and send it again.
bc-photo-unavailable = the photo could not be fetched from Telegram (over 10 MB, or unavailable)
bc-preview-button = This is a preview: customers' button will work.
bc-composition-cancelled = Broadcast cancelled, nothing was sent.
bc-outdated = This button is out of date: the broadcast was already sent or cancelled.
bc-segment-gone = This segment is gone. Pick another.
bc-problem-empty = The message is empty: send text, or a photo with a caption (the caption is needed: customers read it).
bc-problem-not_text = Text or a photo with a caption is needed: stickers, voice messages and files are not broadcast.
bc-problem-too_long = Too long: { $length } characters, and Telegram takes up to { $max }.
bc-problem-entity_range = The “{ $type }” formatting from position { $position } does not fit the text: it is empty or runs past its end.
bc-problem-entity_type = Unknown formatting “{ $type }” at position { $position } (“{ $fragment }”).
bc-problem-entity_url = The link at position { $position } (“{ $fragment }”) goes to an address Telegram refuses: https://… is needed.
bc-problem-entity_overlap = The “{ $type }” formatting at position { $position } (“{ $fragment }”) overlaps “{ $other }” from position { $otherPosition } in a way Telegram refuses.
bc-error-button_url = A link https://… is needed last: <code>Button text https://example.com</code>
bc-error-button_text = The button's text is needed before the link, up to 64 characters.
bc-error-no_recipients = This audience has 0 recipients: there is no one to send to. Pick another.
bc-error-time_format = I could not read the time. Type it like this: <code>2026-12-01 10:00</code> ({ $zone }).
bc-error-time_past = That time has passed.
bc-error-time_far = A broadcast can be set at most 90 days ahead.
bc-error-another_is_sending = Another broadcast is sending now. Send this one when it ends, or set it for later.
bc-error-failed = The broadcast could not start (the photo did not upload, or the store failed). Nothing was sent; try again.
bc-progress-title = { $emoji } <b>Broadcast { $id }</b>: { $status }
bc-status-scheduled = scheduled
bc-status-sending = sending
bc-status-paused = paused
bc-status-finished = finished
bc-status-cancelled = cancelled
bc-progress-counts = Sent: <b>{ $sent }</b> · left: { $left } · blocked: { $blocked } · failed: { $failed } (of { $total })
bc-progress-starts = 🕒 Starts { $at }
bc-progress-eta = ⏱ Ends about { $at }
bc-progress-rate-limited = ⏳ Telegram asked to wait: resuming at { $at }
bc-pause = ⏸ Pause
bc-resume = ▶️ Resume
bc-cancel = ✖️ Cancel
bc-refresh = 🔄 Refresh
bc-cancel-ask = Cancel the broadcast? Messages already sent stay with the customers.
bc-cancel-yes = ✖️ Yes, cancel
bc-cancel-no = No
bc-done-pause = Broadcast paused
bc-done-resume = Broadcast resumed
bc-done-cancel = Broadcast cancelled
bc-unknown = There is no such broadcast.
bc-refused-unknown = There is no such broadcast.
bc-refused-already_ended = The broadcast has already ended.
bc-refused-another_is_sending = Another broadcast is sending: this one can resume when it ends.
bc-refused-no_recipients = The broadcast has no recipients left.
bc-report-delivered = ✅ Delivered: <b>{ $sent }</b> of { $total }
bc-report-blocked = 🚫 Blocked the bot: { $blocked }
bc-report-failed = ⚠️ Not delivered: { $failed }
bc-report-failure = · { $reason }: { $count }
bc-report-left = ✖️ Not sent (cancelled): { $left }
bc-progress-skipped = Skipped: { $skipped } (unsubscribed, blocked the bot or erased their data before their turn)
bc-report-twice = ♻️ May have got it twice (a send was under way at a crash): at most { $count }
bc-report-orders = 🛒 Orders within 72 h of the broadcast: <b>{ $orders }</b>, { $revenue }

## Campaigns (issue 13)
btn-campaigns = 📣 Campaigns
campaigns-title = 📣 <b>Automatic campaigns</b>
campaigns-on = on
campaigns-off = off
campaigns-no-text = (no text yet)
campaigns-first = 🛒 Cart reminder: after { $minutes } min
campaigns-second = 🛒 Second reminder: { $state }, { $hours } h after the first
campaigns-winback = 💤 Win-back: { $state }, { $days } days after a customer turns dormant; catalog button: { $button }
campaigns-pending-rule = <i>A new delay applies to timers set after the change; those already set arrive at their time with the text current then. A campaign turned off sends none of them.</i>
btn-campaign-first-delay = ⏱ Reminder: delay
btn-campaign-second-text = ✏️ Second: text
btn-campaign-second-delay = ⏱ Second: delay
btn-campaign-winback-text = ✏️ Win-back: text
btn-campaign-winback-delay = ⏱ Win-back: delay
btn-campaign-turn-on = 🔔 Turn on
btn-campaign-turn-off = 🔕 Turn off
btn-campaign-catalog-on = 🛍 Add the catalog button
btn-campaign-catalog-off = 🛍 Remove the catalog button
campaign-prompt-cartMinutes = ⏱ How many minutes before an abandoned cart is reminded? A whole number from { $min } to { $max }.
campaign-prompt-secondHours = ⏱ How many hours after the first reminder does the second come? A whole number from { $min } to { $max }.
campaign-prompt-winBackDays = ⏱ How many days after a customer turns dormant do we write? A whole number from { $min } to { $max }.
campaign-prompt-secondText = ✏️ Send the second reminder's text (up to { $max } characters). It gets the "Open the cart" and "Unsubscribe" buttons.
campaign-prompt-winBackText = ✏️ Send the text for dormant customers (up to { $max } characters). It gets the "Unsubscribe" button.
campaign-empty = ⚠️ The text is empty.
campaign-too-long = ⚠️ The text is too long: { $chars } characters, at most { $max }.
campaign-not-a-number = ⚠️ A whole number from { $min } to { $max }, please.
campaign-failed = ⚠️ Could not save it; try again.
campaign-saved = ✅ Saved.
campaign-cancelled = The change was cancelled.
campaign-needs-text = Give the campaign its text first.
