/**
 * Migrations 1 to 7 of the SQLite schema (sqliteSchema.ts applies them, in order, with the rest):
 * the event log and lead read model, orders and sessions, stage dates, the Sheets outbox, blocks,
 * the search-text clean-up and the durable actor. Shipped: never edit one, append a new migration.
 */
export const migrations1to7: readonly string[] = [
  /* 1: the event log, messages, the lead read model (with the snapshot), funnel counters, search. */ `
  CREATE TABLE crm_events (
    seq      INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL,
    type     TEXT    NOT NULL,
    payload  TEXT    NOT NULL,
    ts       INTEGER NOT NULL,
    key      TEXT    NOT NULL UNIQUE
  );
  CREATE INDEX crm_events_by_user ON crm_events (user_id, seq);
  CREATE INDEX crm_events_by_type ON crm_events (type, ts);

  CREATE TABLE crm_messages (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    direction  TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    type       TEXT    NOT NULL CHECK (type IN ('text', 'ai_response')),
    text       TEXT    NOT NULL,
    ts         INTEGER NOT NULL
  );
  CREATE INDEX crm_messages_by_user ON crm_messages (user_id, id);

  CREATE TABLE crm_leads (
    user_id          INTEGER PRIMARY KEY,
    username         TEXT,
    source           TEXT,
    first_seen_at    INTEGER,
    last_seen_at     INTEGER,
    stage            TEXT    NOT NULL,
    orders_count     INTEGER NOT NULL,
    lifetime_value   REAL    NOT NULL,
    last_order_id    TEXT,
    consent_at       INTEGER,
    consent_version  TEXT,
    phone            TEXT,
    tags             TEXT    NOT NULL,
    notes            TEXT    NOT NULL,
    stage_entered_at TEXT    NOT NULL,
    machine_version  INTEGER NOT NULL,
    snapshot         TEXT    NOT NULL,
    last_seq         INTEGER NOT NULL,
    search_text      TEXT    NOT NULL DEFAULT ''
  );
  CREATE INDEX crm_leads_by_last_seen ON crm_leads (last_seen_at);
  CREATE INDEX crm_leads_by_first_seen ON crm_leads (first_seen_at);

  CREATE TABLE crm_funnel (
    stage TEXT PRIMARY KEY,
    count INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO crm_funnel (stage, count) VALUES
    ('new', 0), ('engaged', 0), ('cart', 0), ('checkout', 0), ('customer', 0), ('repeat', 0);

  -- search_text holds the words of leadSearchText (actors/searchQuery.ts): the index is rebuilt
  -- only when they change, not on every event.
  CREATE VIRTUAL TABLE crm_leads_fts USING fts5 (
    words,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER crm_leads_fts_insert AFTER INSERT ON crm_leads BEGIN
    INSERT INTO crm_leads_fts (rowid, words) VALUES (new.user_id, new.search_text);
  END;
  CREATE TRIGGER crm_leads_fts_update AFTER UPDATE OF search_text ON crm_leads WHEN old.search_text IS NOT new.search_text BEGIN
    DELETE FROM crm_leads_fts WHERE rowid = old.user_id;
    INSERT INTO crm_leads_fts (rowid, words) VALUES (new.user_id, new.search_text);
  END;
  `,
  /* 2: the lead's name and erasure time, orders as the shop took them, the bots' sessions. */ `
  ALTER TABLE crm_leads ADD COLUMN name TEXT;
  ALTER TABLE crm_leads ADD COLUMN erased_at INTEGER;

  CREATE TABLE crm_orders (
    order_id  TEXT    PRIMARY KEY,
    user_id   INTEGER NOT NULL,
    items     TEXT    NOT NULL, -- JSON: the OrderItem list
    total     REAL    NOT NULL,
    currency  TEXT    NOT NULL,
    phone     TEXT,
    delivery  TEXT,
    at        INTEGER NOT NULL
  );
  CREATE INDEX crm_orders_by_user ON crm_orders (user_id, at);

  CREATE TABLE crm_sessions (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  /* 3: when each customer entered each stage, indexed by stage and time, so a day's stage moves are range counts. */ `
  -- A copy of crm_leads.stage_entered_at, one row per entered stage, kept by the triggers below as
  -- crm_leads_fts is kept from search_text: rewritten only when the lead's stage dates change, so a
  -- redelivered event, a replay or a recovery that saves the same dates changes nothing.
  CREATE TABLE crm_stage_moves (
    user_id INTEGER NOT NULL,
    stage   TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, stage)
  ) WITHOUT ROWID;
  CREATE INDEX crm_stage_moves_by_stage ON crm_stage_moves (stage, at);

  CREATE TRIGGER crm_stage_moves_insert AFTER INSERT ON crm_leads WHEN json_valid(new.stage_entered_at) BEGIN
    INSERT INTO crm_stage_moves (user_id, stage, at)
      SELECT new.user_id, key, value FROM json_each(new.stage_entered_at)
      WHERE key IN ('new', 'engaged', 'cart', 'checkout', 'customer', 'repeat') AND type IN ('integer', 'real');
  END;
  CREATE TRIGGER crm_stage_moves_update AFTER UPDATE OF stage_entered_at ON crm_leads
    WHEN old.stage_entered_at IS NOT new.stage_entered_at AND json_valid(new.stage_entered_at) BEGIN
    DELETE FROM crm_stage_moves WHERE user_id = old.user_id;
    INSERT INTO crm_stage_moves (user_id, stage, at)
      SELECT new.user_id, key, value FROM json_each(new.stage_entered_at)
      WHERE key IN ('new', 'engaged', 'cart', 'checkout', 'customer', 'repeat') AND type IN ('integer', 'real');
  END;

  -- Leads stored before this migration.
  INSERT INTO crm_stage_moves (user_id, stage, at)
    SELECT l.user_id, j.key, j.value FROM crm_leads l, json_each(l.stage_entered_at) j
    WHERE json_valid(l.stage_entered_at) AND j.key IN ('new', 'engaged', 'cart', 'checkout', 'customer', 'repeat') AND j.type IN ('integer', 'real');
  `,
  /* 4: the durable outbox of the Google Sheets mirror: one row per lead or order waiting to be mirrored. */ `
  -- saveActor and saveOrder upsert a row in the same transaction as the change, so a sync is never
  -- lost and never invented; changes made before the mirror runs bump one row's version. The mirror
  -- deletes a row only at the version it read. Leads stored before this migration are not queued:
  -- the mirror queues everything when it finds a new sheet.
  CREATE TABLE crm_mirror_outbox (
    kind      TEXT    NOT NULL CHECK (kind IN ('lead', 'order')),
    ref       TEXT    NOT NULL, -- a lead's user id as text, or an order id
    version   INTEGER NOT NULL,
    queued_at INTEGER NOT NULL, -- when the row was first queued; a bump keeps it, so the oldest go first
    seq       INTEGER NOT NULL, -- insertion order, which breaks ties of queued_at
    PRIMARY KEY (kind, ref)
  ) WITHOUT ROWID;
  -- The mirror reads one kind, oldest first: a walk of this index. It leaves out version, so a bump
  -- rewrites only the table's row.
  CREATE INDEX crm_mirror_outbox_by_age ON crm_mirror_outbox (kind, queued_at, seq);
  `,
  /* 5: since when the customer has blocked the bot (null: reachable), for the owner's client card. */ `
  ALTER TABLE crm_leads ADD COLUMN blocked_at INTEGER;
  `,
  /* 6: no text typed without consent: the words of older searches, and of shop sessions' last search. */ `
  -- A search keeps its words only if the customer had consented before it and still has; the others
  -- keep the fact alone, as the bot now records them. The shop bot pages results from product ids,
  -- so its sessions lose the words of their last search (their pages then say it is out of date).
  UPDATE crm_events SET payload = json_remove(payload, '$.query')
    WHERE type = 'search' AND CASE WHEN json_valid(payload) THEN json_type(payload, '$.query') IS NOT NULL ELSE 0 END
    AND NOT EXISTS (SELECT 1 FROM crm_leads l WHERE l.user_id = crm_events.user_id AND l.consent_at IS NOT NULL AND l.consent_at <= crm_events.ts);
  UPDATE crm_sessions SET value = json_remove(value, '$.lastSearch')
    WHERE key LIKE 'shop:%' AND CASE WHEN json_valid(value) THEN json_type(value, '$.lastSearch') IS NOT NULL ELSE 0 END;
  `,
  /* 7: the durable actor: timers, the effect outbox, the new lead facts, and dormant counts in the funnel. */ `
  -- XState's delayed events as rows with an absolute due time (docs/actor-runtime.md, Timers). The
  -- scheduler reads what is due by walking crm_timers_by_due from its start, so finding k due timers
  -- costs the same with a million waiting as with a hundred.
  CREATE TABLE crm_timers (
    actor   TEXT    NOT NULL, -- <kind>:<id>, e.g. customer:42
    send_id TEXT    NOT NULL, -- XState's id of the delayed event
    due_at  INTEGER NOT NULL,
    event   TEXT    NOT NULL, -- JSON of the event to deliver
    key     TEXT    NOT NULL, -- the firing's idempotency key
    PRIMARY KEY (actor, send_id)
  ) WITHOUT ROWID;
  CREATE INDEX crm_timers_by_due ON crm_timers (due_at, key);

  -- Named actions that reach outside, queued in the unit of the step that decided them, delivered
  -- at least once by the effect worker (docs/actor-runtime.md, Effects). A delivered effect is deleted.
  CREATE TABLE crm_effects (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    actor      TEXT    NOT NULL,
    type       TEXT    NOT NULL,
    params     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
    last_error TEXT
  );
  -- Only pending effects are ever due: failed ones stay out of the index the worker walks.
  CREATE INDEX crm_effects_due ON crm_effects (next_at, id) WHERE status = 'pending';
  CREATE INDEX crm_effects_by_actor ON crm_effects (actor, id);

  ALTER TABLE crm_leads ADD COLUMN dormant_since INTEGER;
  ALTER TABLE crm_leads ADD COLUMN last_reminder_at INTEGER;
  ALTER TABLE crm_leads ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE crm_leads ADD COLUMN consent_declined TEXT;
  ALTER TABLE crm_leads ADD COLUMN language TEXT NOT NULL DEFAULT 'ru';

  -- Dormant customers at each stage. Kept by triggers from the rows themselves, so the count is exact
  -- whatever a caller believes the lead was before: a customer going dormant, coming back, or moving
  -- up a stage while dormant moves exactly one count, and a save that changes neither moves none.
  ALTER TABLE crm_funnel ADD COLUMN dormant INTEGER NOT NULL DEFAULT 0;
  CREATE TRIGGER crm_funnel_dormant_insert AFTER INSERT ON crm_leads WHEN new.dormant_since IS NOT NULL BEGIN
    UPDATE crm_funnel SET dormant = dormant + 1 WHERE stage = new.stage;
  END;
  CREATE TRIGGER crm_funnel_dormant_update AFTER UPDATE OF stage, dormant_since ON crm_leads
    WHEN (old.dormant_since IS NULL) IS NOT (new.dormant_since IS NULL) OR (new.dormant_since IS NOT NULL AND old.stage IS NOT new.stage) BEGIN
    UPDATE crm_funnel SET dormant = dormant - 1 WHERE stage = old.stage AND old.dormant_since IS NOT NULL;
    UPDATE crm_funnel SET dormant = dormant + 1 WHERE stage = new.stage AND new.dormant_since IS NOT NULL;
  END;
  `,
];
