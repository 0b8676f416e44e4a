-- DOMAIN.md 1.9-1.13 in Q1 2024: 200 invoices of 1,250.00 (sales
-- 250,000); queries on 9 of them, 4 closed after 5, 12, 30 and 41 days;
-- 400 call attempts, 120 answered, 48 right-party contacts; cash
-- 138,000 applied, of it 1,000 recovered on INV-150 after its write-off;
-- write-offs 6,000; letters, e-mails and an escalation as actions.
INSERT INTO debtor (id, ref, name) VALUES (1, 'C001', 'Brown & Co');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO item (id, debtor_id, issue_date, due_date, amount, open_amount,
  currency, doc_type, doc_id, row_hash, batch_id)
SELECT i, 1, strftime('%s','2024-01-01')/86400 + (i - 1) % 90,
  strftime('%s','2024-01-31')/86400 + (i - 1) % 90, 125000, 125000, 'GBP',
  'invoice', 'INV-' || i, 'h', 1 FROM n;
INSERT INTO query (id, debtor_id, opened, closed) VALUES
  (1, 1, strftime('%s','2024-01-10')/86400, strftime('%s','2024-01-15')/86400),
  (2, 1, strftime('%s','2024-01-10')/86400, strftime('%s','2024-01-22')/86400),
  (3, 1, strftime('%s','2024-01-10')/86400, strftime('%s','2024-02-09')/86400),
  (4, 1, strftime('%s','2024-01-10')/86400, strftime('%s','2024-02-20')/86400),
  (5, 1, strftime('%s','2024-03-01')/86400, NULL),
  (6, 1, strftime('%s','2024-03-11')/86400, NULL),
  (7, 1, strftime('%s','2024-03-21')/86400, NULL),
  (8, 1, strftime('%s','2024-03-21')/86400, NULL),
  (9, 1, strftime('%s','2024-03-31')/86400, NULL);
INSERT INTO query_item (query_id, item_id) SELECT id, id FROM query;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
INSERT INTO contact (debtor_id, at, day, channel, outcome)
SELECT 1, '2024-02-01T10:00', strftime('%s','2024-02-01')/86400, 'call',
  CASE WHEN i <= 48 THEN 'rpc' WHEN i <= 120 THEN 'wrong_number'
  ELSE 'no_answer' END FROM n;
INSERT INTO contact (debtor_id, at, day, channel) VALUES
  (1, '2024-02-02T09:00', strftime('%s','2024-02-02')/86400, 'letter');
WITH RECURSIVE n(i) AS (SELECT 20 UNION ALL SELECT i + 1 FROM n WHERE i < 128)
INSERT INTO settlement (item_id, date, amount, kind, batch_id)
SELECT i, strftime('%s','2024-03-01')/86400, 125000, 'allocation', 1 FROM n;
INSERT INTO settlement (item_id, date, amount, kind, batch_id) VALUES
  (129, strftime('%s','2024-03-01')/86400, 75000, 'allocation', 1),
  (150, strftime('%s','2024-02-01')/86400, 125000, 'writeoff', 1),
  (151, strftime('%s','2024-02-01')/86400, 125000, 'writeoff', 1),
  (152, strftime('%s','2024-02-01')/86400, 125000, 'writeoff', 1),
  (153, strftime('%s','2024-02-01')/86400, 125000, 'writeoff', 1),
  (154, strftime('%s','2024-02-01')/86400, 100000, 'writeoff', 1),
  (150, strftime('%s','2024-03-01')/86400, 100000, 'allocation', 1);
INSERT INTO action (debtor_id, as_of, step, channel, created_at) VALUES
  (1, strftime('%s','2024-02-01')/86400, 'reminder', 'letter', 'x'),
  (1, strftime('%s','2024-02-02')/86400, 'reminder', 'email', 'x'),
  (1, strftime('%s','2024-02-03')/86400, 'reminder', 'sms', 'x'),
  (1, strftime('%s','2024-03-01')/86400, 'S6', 'letter', 'x');
