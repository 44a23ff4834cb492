/**
 * Migrations 8 to 11 of the SQLite schema (sqliteSchema.ts applies them, in order, with the rest):
 * order actors and the catalog, the opt-out of campaigns, and segments. Shipped: never edit one,
 * append a new migration.
 */
export const migrations8to11: readonly string[] = [
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
];
