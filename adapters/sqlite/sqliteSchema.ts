import type { DatabaseSync } from "node:sqlite";
import { stageTimeMigration } from "./sqliteStageTime.ts";
import { cohortMigration } from "./sqliteCohorts.ts";
import { lifecycleMigration } from "./sqliteLifecycle.ts";
import { rebuildMigration } from "./sqliteRebuildMeta.ts";

/**
 * Schema migrations, applied in order and counted in `PRAGMA user_version`.
 * Never edit a shipped migration: append a new one.
 */
export const migrations: readonly string[] = [
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
  /* 8: order actors' logs and states, the order's lifecycle in its read model, the catalog and its stock (docs/orders.md). */ `
  -- The log and state of actors other than customers (an order: order:<orderId>), as crm_events and
  -- the snapshot columns of crm_leads are for customers. Keys are unique across all of them.
  CREATE TABLE crm_actor_events (
    seq     INTEGER PRIMARY KEY,
    actor   TEXT    NOT NULL,
    type    TEXT    NOT NULL,
    payload TEXT    NOT NULL,
    ts      INTEGER NOT NULL,
    key     TEXT    NOT NULL UNIQUE
  );
  CREATE INDEX crm_actor_events_by_actor ON crm_actor_events (actor, seq);
  CREATE TABLE crm_actor_states (
    actor           TEXT    PRIMARY KEY,
    machine_version INTEGER NOT NULL,
    snapshot        TEXT    NOT NULL,
    last_seq        INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- Orders stored before this migration were placed to be paid on delivery, and never moved.
  ALTER TABLE crm_orders ADD COLUMN status TEXT NOT NULL DEFAULT 'placed';
  ALTER TABLE crm_orders ADD COLUMN payment TEXT NOT NULL DEFAULT 'cash';
  ALTER TABLE crm_orders ADD COLUMN invoice TEXT; -- JSON: { currency, amount }
  ALTER TABLE crm_orders ADD COLUMN paid_at INTEGER;
  ALTER TABLE crm_orders ADD COLUMN shipped_at INTEGER;
  ALTER TABLE crm_orders ADD COLUMN delivered_at INTEGER;
  ALTER TABLE crm_orders ADD COLUMN cancelled_at INTEGER;
  ALTER TABLE crm_orders ADD COLUMN refunded_at INTEGER;
  ALTER TABLE crm_orders ADD COLUMN tracking TEXT;
  ALTER TABLE crm_orders ADD COLUMN cancel_reason TEXT;
  ALTER TABLE crm_orders ADD COLUMN charge_id TEXT;
  ALTER TABLE crm_orders ADD COLUMN rating INTEGER;
  -- The owner's orders by status, and the summaries by period: each a walk of one index, newest first.
  CREATE INDEX crm_orders_by_status ON crm_orders (status, at);
  CREATE INDEX crm_orders_by_at ON crm_orders (at);

  CREATE TABLE crm_categories (
    category_id TEXT    PRIMARY KEY,
    title       TEXT    NOT NULL,
    emoji       TEXT,
    position    INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- stock is NULL when not tracked; the CHECK is the last guard of "never below zero".
  CREATE TABLE crm_products (
    product_id  TEXT    PRIMARY KEY,
    category_id TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    price       REAL    NOT NULL,
    currency    TEXT    NOT NULL,
    stock       INTEGER CHECK (stock IS NULL OR stock >= 0),
    photo       TEXT,
    hidden      INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- Every edit of the catalog, append-only: who (JSON of the editor), when, and the change (JSON).
  CREATE TABLE crm_catalog_log (
    seq    INTEGER PRIMARY KEY,
    ts     INTEGER NOT NULL,
    editor TEXT    NOT NULL,
    change TEXT    NOT NULL
  );
  `,
  /* 9: a customer's opt-out of news and campaigns (issue 13): set by `unsubscribed`, cleared by `subscribed`. */ `
  ALTER TABLE crm_leads ADD COLUMN unsubscribed_at INTEGER;
  `,
  /* 10: segments (issue 13): a narrow copy of each lead's filterable facts, its tags one row each, and saved segments. */ `
  -- What a segment filters on, kept by triggers from crm_leads as crm_stage_moves is: a row of a few
  -- dozen bytes per lead, so counting a segment scans a few MB instead of the leads with their
  -- snapshots, and a broadcast walks its recipients by user id from a cursor. Packed so that a
  -- condition is one cheap test a row: flags is dormant (1), has a phone (2), blocked (4) and
  -- unsubscribed (8); stage is its rank from 0 (new) to 5 (repeat). No personal data: a phone is
  -- only whether there is one. A customer who erased their data has no row: they are in no segment.
  CREATE TABLE crm_segment_leads (
    user_id         INTEGER PRIMARY KEY,
    flags           INTEGER NOT NULL,
    stage           INTEGER NOT NULL,
    last_seen_at    INTEGER,
    first_seen_at   INTEGER,
    orders_count    INTEGER NOT NULL,
    lifetime_value  REAL    NOT NULL,
    source          TEXT,
    consent_version TEXT -- the version of the terms consented to, while that consent stands
  );
  CREATE TRIGGER crm_segment_leads_insert AFTER INSERT ON crm_leads WHEN new.erased_at IS NULL BEGIN
    INSERT INTO crm_segment_leads VALUES (new.user_id, (new.dormant_since IS NOT NULL) | ((new.phone IS NOT NULL) << 1) | ((new.blocked_at IS NOT NULL) << 2) | ((new.unsubscribed_at IS NOT NULL) << 3),
      CASE new.stage WHEN 'new' THEN 0 WHEN 'engaged' THEN 1 WHEN 'cart' THEN 2 WHEN 'checkout' THEN 3 WHEN 'customer' THEN 4 ELSE 5 END,
      new.last_seen_at, new.first_seen_at, new.orders_count, new.lifetime_value, new.source, CASE WHEN new.consent_at IS NOT NULL THEN new.consent_version END);
  END;
  CREATE TRIGGER crm_segment_leads_update AFTER UPDATE ON crm_leads
    WHEN new.erased_at IS NULL AND (old.stage IS NOT new.stage OR old.source IS NOT new.source
      OR (old.dormant_since IS NULL) IS NOT (new.dormant_since IS NULL) OR old.orders_count IS NOT new.orders_count
      OR old.lifetime_value IS NOT new.lifetime_value OR old.first_seen_at IS NOT new.first_seen_at OR old.last_seen_at IS NOT new.last_seen_at
      OR (old.phone IS NULL) IS NOT (new.phone IS NULL) OR old.consent_at IS NOT new.consent_at OR old.consent_version IS NOT new.consent_version
      OR (old.blocked_at IS NULL) IS NOT (new.blocked_at IS NULL) OR (old.unsubscribed_at IS NULL) IS NOT (new.unsubscribed_at IS NULL)) BEGIN
    UPDATE crm_segment_leads SET flags = (new.dormant_since IS NOT NULL) | ((new.phone IS NOT NULL) << 1) | ((new.blocked_at IS NOT NULL) << 2) | ((new.unsubscribed_at IS NOT NULL) << 3),
      stage = CASE new.stage WHEN 'new' THEN 0 WHEN 'engaged' THEN 1 WHEN 'cart' THEN 2 WHEN 'checkout' THEN 3 WHEN 'customer' THEN 4 ELSE 5 END,
      last_seen_at = new.last_seen_at, first_seen_at = new.first_seen_at, orders_count = new.orders_count,
      lifetime_value = new.lifetime_value, source = new.source, consent_version = CASE WHEN new.consent_at IS NOT NULL THEN new.consent_version END
    WHERE user_id = new.user_id;
  END;
  CREATE TRIGGER crm_segment_leads_erased AFTER UPDATE OF erased_at ON crm_leads WHEN new.erased_at IS NOT NULL AND old.erased_at IS NULL BEGIN
    DELETE FROM crm_segment_leads WHERE user_id = new.user_id;
  END;
  INSERT INTO crm_segment_leads SELECT user_id, (dormant_since IS NOT NULL) | ((phone IS NOT NULL) << 1) | ((blocked_at IS NOT NULL) << 2) | ((unsubscribed_at IS NOT NULL) << 3),
      CASE stage WHEN 'new' THEN 0 WHEN 'engaged' THEN 1 WHEN 'cart' THEN 2 WHEN 'checkout' THEN 3 WHEN 'customer' THEN 4 ELSE 5 END,
      last_seen_at, first_seen_at, orders_count, lifetime_value, source, CASE WHEN consent_at IS NOT NULL THEN consent_version END
    FROM crm_leads WHERE erased_at IS NULL;

  -- A lead's tags, one row each, rewritten only when its tags change: "any of", "all of" and "none
  -- of" are look-ups of this index, not a parse of every lead's JSON.
  CREATE TABLE crm_lead_tags (
    tag     TEXT    NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (tag, user_id)
  ) WITHOUT ROWID;
  CREATE TRIGGER crm_lead_tags_insert AFTER INSERT ON crm_leads WHEN json_valid(new.tags) BEGIN
    INSERT OR IGNORE INTO crm_lead_tags (tag, user_id) SELECT value, new.user_id FROM json_each(new.tags) WHERE type = 'text';
  END;
  CREATE TRIGGER crm_lead_tags_update AFTER UPDATE OF tags ON crm_leads WHEN old.tags IS NOT new.tags BEGIN
    DELETE FROM crm_lead_tags WHERE user_id = old.user_id AND tag IN (SELECT value FROM json_each(CASE WHEN json_valid(old.tags) THEN old.tags ELSE '[]' END));
    INSERT OR IGNORE INTO crm_lead_tags (tag, user_id)
      SELECT value, new.user_id FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags ELSE '[]' END) WHERE type = 'text';
  END;
  INSERT OR IGNORE INTO crm_lead_tags (tag, user_id)
    SELECT j.value, l.user_id FROM crm_leads l, json_each(l.tags) j WHERE json_valid(l.tags) AND j.type = 'text';

  -- The owners' saved segments: a name (unique), the filter as JSON, who saved it and when.
  CREATE TABLE crm_segments (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE,
    filter   TEXT    NOT NULL,
    saved_by INTEGER NOT NULL,
    saved_at INTEGER NOT NULL
  );
  `,
  /* broadcasts (issue 13): which exist (their moves are their actor log, broadcast:<id>), and each one's recipients. */ `
  -- Recipients are snapshotted from the broadcast's segment when it starts; the sender commits each
  -- one's delivery state as it goes (pending, sending, sent, blocked, failed, skipped).
  CREATE TABLE crm_broadcasts (
    broadcast_id TEXT    PRIMARY KEY,
    created_at   INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX crm_broadcasts_by_created ON crm_broadcasts (created_at);
  CREATE TABLE crm_broadcast_recipients (
    broadcast_id TEXT    NOT NULL,
    user_id      INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    reason       TEXT,
    at           INTEGER,
    PRIMARY KEY (broadcast_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX crm_broadcast_recipients_by_state ON crm_broadcast_recipients (broadcast_id, state, user_id);
  `,
  /* 11: segments in a third less space, so a count scans them from the page cache; tags kept without a conflict clause. */ `
  -- Migration 10's copy was 36 MB at 1M leads, just over the 32 MB page cache, so every count read
  -- it from the file again. Here times are whole seconds (4 bytes instead of 6) and the source is a
  -- small number from a dictionary: about 22 MB. A range of times is compared in whole seconds.
  -- Trigger bodies use no OR IGNORE: inside a trigger fired by the store's upsert, SQLite applies
  -- the upsert's own conflict handling instead, so a duplicate would fail the customer's unit.
  DROP TRIGGER crm_segment_leads_insert;
  DROP TRIGGER crm_segment_leads_update;
  DROP TRIGGER crm_segment_leads_erased;
  DROP TABLE crm_segment_leads;
  DROP TRIGGER crm_lead_tags_insert;
  DROP TRIGGER crm_lead_tags_update;

  CREATE TABLE crm_segment_sources (
    id     INTEGER PRIMARY KEY,
    source TEXT    NOT NULL UNIQUE
  );
  CREATE TABLE crm_segment_leads (
    user_id         INTEGER PRIMARY KEY,
    flags           INTEGER NOT NULL, -- dormant (1), has a phone (2), blocked (4), unsubscribed (8)
    stage           INTEGER NOT NULL, -- 0 (new) to 5 (repeat)
    last_seen       INTEGER,          -- seconds
    first_seen      INTEGER,          -- seconds
    orders_count    INTEGER NOT NULL,
    lifetime_value  REAL    NOT NULL,
    source_id       INTEGER,          -- crm_segment_sources.id
    consent_version TEXT              -- the version of the terms consented to, while that consent stands
  );
  CREATE TRIGGER crm_segment_leads_insert AFTER INSERT ON crm_leads WHEN new.erased_at IS NULL BEGIN
    INSERT INTO crm_segment_sources (source) SELECT new.source WHERE new.source IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM crm_segment_sources WHERE source = new.source);
    INSERT INTO crm_segment_leads VALUES (new.user_id, (new.dormant_since IS NOT NULL) | ((new.phone IS NOT NULL) << 1) | ((new.blocked_at IS NOT NULL) << 2) | ((new.unsubscribed_at IS NOT NULL) << 3),
      CASE new.stage WHEN 'new' THEN 0 WHEN 'engaged' THEN 1 WHEN 'cart' THEN 2 WHEN 'checkout' THEN 3 WHEN 'customer' THEN 4 ELSE 5 END,
      new.last_seen_at / 1000, new.first_seen_at / 1000, new.orders_count, new.lifetime_value, (SELECT id FROM crm_segment_sources WHERE source = new.source), CASE WHEN new.consent_at IS NOT NULL THEN new.consent_version END);
  END;
  CREATE TRIGGER crm_segment_leads_update AFTER UPDATE ON crm_leads
    WHEN new.erased_at IS NULL AND (old.stage IS NOT new.stage OR old.source IS NOT new.source
      OR (old.dormant_since IS NULL) IS NOT (new.dormant_since IS NULL) OR old.orders_count IS NOT new.orders_count
      OR old.lifetime_value IS NOT new.lifetime_value OR old.first_seen_at / 1000 IS NOT new.first_seen_at / 1000
      OR old.last_seen_at / 1000 IS NOT new.last_seen_at / 1000
      OR (old.phone IS NULL) IS NOT (new.phone IS NULL) OR old.consent_at IS NOT new.consent_at OR old.consent_version IS NOT new.consent_version
      OR (old.blocked_at IS NULL) IS NOT (new.blocked_at IS NULL) OR (old.unsubscribed_at IS NULL) IS NOT (new.unsubscribed_at IS NULL)) BEGIN
    INSERT INTO crm_segment_sources (source) SELECT new.source WHERE new.source IS NOT NULL AND new.source IS NOT old.source
      AND NOT EXISTS (SELECT 1 FROM crm_segment_sources WHERE source = new.source);
    UPDATE crm_segment_leads SET flags = (new.dormant_since IS NOT NULL) | ((new.phone IS NOT NULL) << 1) | ((new.blocked_at IS NOT NULL) << 2) | ((new.unsubscribed_at IS NOT NULL) << 3),
      stage = CASE new.stage WHEN 'new' THEN 0 WHEN 'engaged' THEN 1 WHEN 'cart' THEN 2 WHEN 'checkout' THEN 3 WHEN 'customer' THEN 4 ELSE 5 END,
      last_seen = new.last_seen_at / 1000, first_seen = new.first_seen_at / 1000, orders_count = new.orders_count,
      lifetime_value = new.lifetime_value, consent_version = CASE WHEN new.consent_at IS NOT NULL THEN new.consent_version END,
      source_id = CASE WHEN new.source IS old.source THEN source_id ELSE (SELECT id FROM crm_segment_sources WHERE source = new.source) END
    WHERE user_id = new.user_id;
  END;
  CREATE TRIGGER crm_segment_leads_erased AFTER UPDATE OF erased_at ON crm_leads WHEN new.erased_at IS NOT NULL AND old.erased_at IS NULL BEGIN
    DELETE FROM crm_segment_leads WHERE user_id = new.user_id;
  END;
  INSERT INTO crm_segment_sources (source) SELECT DISTINCT source FROM crm_leads WHERE source IS NOT NULL AND erased_at IS NULL;
  INSERT INTO crm_segment_leads SELECT user_id, (dormant_since IS NOT NULL) | ((phone IS NOT NULL) << 1) | ((blocked_at IS NOT NULL) << 2) | ((unsubscribed_at IS NOT NULL) << 3),
      CASE stage WHEN 'new' THEN 0 WHEN 'engaged' THEN 1 WHEN 'cart' THEN 2 WHEN 'checkout' THEN 3 WHEN 'customer' THEN 4 ELSE 5 END,
      last_seen_at / 1000, first_seen_at / 1000, orders_count, lifetime_value, (SELECT id FROM crm_segment_sources s WHERE s.source = crm_leads.source), CASE WHEN consent_at IS NOT NULL THEN consent_version END
    FROM crm_leads WHERE erased_at IS NULL;

  CREATE TRIGGER crm_lead_tags_insert AFTER INSERT ON crm_leads WHEN json_valid(new.tags) BEGIN
    INSERT INTO crm_lead_tags (tag, user_id) SELECT DISTINCT value, new.user_id FROM json_each(new.tags)
      WHERE type = 'text' AND NOT EXISTS (SELECT 1 FROM crm_lead_tags t WHERE t.tag = value AND t.user_id = new.user_id);
  END;
  CREATE TRIGGER crm_lead_tags_update AFTER UPDATE OF tags ON crm_leads WHEN old.tags IS NOT new.tags BEGIN
    DELETE FROM crm_lead_tags WHERE user_id = old.user_id AND tag IN (SELECT value FROM json_each(CASE WHEN json_valid(old.tags) THEN old.tags ELSE '[]' END));
    INSERT INTO crm_lead_tags (tag, user_id) SELECT DISTINCT value, new.user_id FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags ELSE '[]' END)
      WHERE type = 'text' AND NOT EXISTS (SELECT 1 FROM crm_lead_tags t WHERE t.tag = value AND t.user_id = new.user_id);
  END;
  `,
  /* 12: a histogram of time in each stage and to the first order, kept by triggers on the lead's stage dates (issue 14). */ stageTimeMigration,
  /* 13: weekly cohorts of first-seen week by order week (issue 14). */ cohortMigration,
  /* 14: weekly lifecycle: new, returning, reactivated and dormant customers (issue 14). */ lifecycleMigration,
  /* 15: the running machine versions, and the funnel counts kept by triggers, for `npm run rebuild` (issue 14). */ rebuildMigration,
];

/**
 * Brings the database up to the newest schema, each migration in its own transaction. After any
 * migration the WAL is checkpointed and truncated: a migration may take data out (6 does), and
 * with `secure_delete` that leaves no old copy of it in either file.
 */
export function migrate(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get();
  const before = Number(row?.["user_version"] ?? 0);
  let version = before;
  if (version > migrations.length) {
    throw new Error(`the database schema (version ${version}) is newer than this program knows (${migrations.length})`);
  }
  for (const sql of migrations.slice(version)) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(sql);
      version += 1;
      db.exec(`PRAGMA user_version = ${version}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  if (version > before) db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return version;
}
