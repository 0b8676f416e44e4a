-- DOMAIN.md section 2's worked example as rows of the state, plus a few
-- documents that are settled, reversed or out of query by 29 Feb 2024 so
-- that a past as-of date has history to replay.  Loaded with the sqlite3
-- shell into a state that ingest-invoices created (batch 1).  Dates are
-- day numbers (days since 1970-01-01), amounts minor units.
--
-- On 2024-02-29 (GBP; INV-105 is EUR 2,000.00):
--   INV-101  due 2023-11-14  1,200.00  dpd 107  d91_120
--   INV-102  due 2023-12-31  1,500.00  dpd  60  d31_60 (2,500 less 1,000
--            paid on 2024-01-20)
--   INV-103  due 2024-02-14  3,000.00  dpd  15  d1_30
--   INV-104  due 2024-03-21  4,000.00  dpd -21  not_due
--   INV-100  due 2023-12-20    600.00  dpd  71  d61_90, in query
--   INV-105  due 2023-08-31  EUR 2,000.00  dpd 182  d121_plus
--   INV-106  issued 2024-03-05: after the as-of date, excluded
--   CN-201   -500.00 credits; receipt BANK-0227 -800.00 unapplied
-- History, closed or spent by 2024-02-29:
--   INV-099  300.00 due 2024-01-04, paid by receipt BANK-0110 (value
--            2024-01-10) allocated and closed on 2024-02-01
--   BANK-0220 300.00 received 2024-02-20, reversed 2024-02-22
--   query Q-1 on INV-101 from 2024-01-10 to 2024-02-01
INSERT INTO debtor (id, ref, name) VALUES
  (1, 'C001', 'Brown & Co'),
  (2, 'C002', 'Smith Ltd'),
  (3, 'C003', 'Idle Ltd');
INSERT INTO item (id, debtor_id, issue_date, due_date, amount, open_amount,
  closed_date, in_query, currency, doc_type, doc_id, closed_reason,
  row_hash, batch_id) VALUES
  (1, 1, strftime('%s','2023-10-15')/86400, strftime('%s','2023-11-14')/86400,
   120000, 120000, NULL, 0, 'GBP', 'invoice', 'INV-101', NULL, 'h', 1),
  (2, 1, strftime('%s','2023-12-01')/86400, strftime('%s','2023-12-31')/86400,
   250000, 150000, NULL, 0, 'GBP', 'invoice', 'INV-102', NULL, 'h', 1),
  (3, 2, strftime('%s','2024-01-15')/86400, strftime('%s','2024-02-14')/86400,
   300000, 300000, NULL, 0, 'GBP', 'invoice', 'INV-103', NULL, 'h', 1),
  (4, 2, strftime('%s','2024-02-20')/86400, strftime('%s','2024-03-21')/86400,
   400000, 400000, NULL, 0, 'GBP', 'invoice', 'INV-104', NULL, 'h', 1),
  (5, 1, strftime('%s','2023-11-20')/86400, strftime('%s','2023-12-20')/86400,
   60000, 60000, NULL, 1, 'GBP', 'invoice', 'INV-100', NULL, 'h', 1),
  (6, 2, strftime('%s','2023-08-01')/86400, strftime('%s','2023-08-31')/86400,
   200000, 200000, NULL, 0, 'EUR', 'invoice', 'INV-105', NULL, 'h', 1),
  (7, 2, strftime('%s','2024-03-05')/86400, strftime('%s','2024-04-04')/86400,
   90000, 90000, NULL, 0, 'GBP', 'invoice', 'INV-106', NULL, 'h', 1),
  (8, 1, strftime('%s','2024-02-10')/86400, strftime('%s','2024-02-10')/86400,
   -50000, -50000, NULL, 0, 'GBP', 'credit_note', 'CN-201', NULL, 'h', 1),
  (9, 1, strftime('%s','2023-12-05')/86400, strftime('%s','2024-01-04')/86400,
   30000, 0, strftime('%s','2024-02-01')/86400, 0, 'GBP', 'invoice',
   'INV-099', 'paid', 'h', 1),
  (10, 3, strftime('%s','2023-06-01')/86400, strftime('%s','2023-07-01')/86400,
   10000, 0, strftime('%s','2023-07-01')/86400, 0, 'GBP', 'invoice',
   'INV-050', 'paid', 'h', 1);
INSERT INTO payment (id, entry_key, batch_id, value_date, currency, amount,
  kind, debtor_id, unallocated, reverses_id) VALUES
  (1, 'BANK-0227', 1, strftime('%s','2024-02-27')/86400, 'GBP', 80000,
   'receipt', 1, 80000, NULL),
  (2, 'BANK-0110', 1, strftime('%s','2024-01-10')/86400, 'GBP', 30000,
   'receipt', 1, 0, NULL),
  (3, 'BANK-0220', 1, strftime('%s','2024-02-20')/86400, 'GBP', 30000,
   'receipt', 2, 30000, NULL),
  (4, 'BANK-0222R', 1, strftime('%s','2024-02-22')/86400, 'GBP', -30000,
   'reversal', 2, 0, 3);
INSERT INTO settlement (item_id, date, amount, kind, payment_id) VALUES
  (2, strftime('%s','2024-01-20')/86400, 100000, 'export', NULL),
  (9, strftime('%s','2024-02-01')/86400, 30000, 'allocation', 2),
  (10, strftime('%s','2023-07-01')/86400, 10000, 'settled', NULL);
INSERT INTO query (id, event_id, debtor_id, reason, opened, closed) VALUES
  (1, 'Q-1', 1, 'price', strftime('%s','2024-01-10')/86400,
   strftime('%s','2024-02-01')/86400);
INSERT INTO query_item (query_id, item_id) VALUES (1, 1);
