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
report-orders = Orders: <b>{ $count }</b> for { $revenue }
report-events = Events:
report-event-line = • { $type }: { $count }
report-moves = Stage moves:
report-move-line = • { $emoji } { $stage }: { $count }
report-nothing = • none
btn-today = Today
btn-report-today = 📅 Today so far

orders-title = 🧾 <b>Orders</b>
orders-period = { $period }: <b>{ $count }</b> for { $revenue }, average { $average }
period-today = Today
period-7 = 7 days
period-30 = 30 days
orders-latest = Latest orders:
orders-line = • { $orderId } — { $total }, { $name }, { $date }
orders-none = No orders yet.

new-order = 🛒 <b>New order { $orderId }</b> for { $total }
    Customer: { $name }
    { $items }
    Phone: { $phone }
    Delivery: { $delivery }
btn-open-card = 👤 Open the card

erased-action = The customer erased their data (/forget): notes, tags, history and summary are not available.
lead-missing = There is no such customer.
ai-off = AI is not configured.
button-outdated = This button is out of date. Here is the current menu.
error-generic = ⚠️ Something went wrong. Nothing is lost — please try again.

effect-failed = ⚠️ Could not { $what } for customer { $customer } after { $attempts } { $attempts ->
        [one] try
       *[other] tries
    }: { $reason }
effect-sendCartReminder = send the cart reminder
effect-askConsultant = get the AI consultant's answer
effect-sendConsultantAnswer = send the consultant's answer to the customer
effect-sendConsultantFailure = tell the customer the consultant could not answer
effect-notifyOwnersOfOrder = announce the new order { $orderId }
effect-other = carry out “{ $type }”
