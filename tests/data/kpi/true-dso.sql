-- DOMAIN.md 1.3: report date 31 Mar 2024, sales Jan 10,000 / Feb 8,000 /
-- Mar 12,000; open on 31 Mar: 6,000 (10 Mar), 3,000 (25 Mar), 2,000
-- (20 Feb), 1,000 (15 Jan).  The rest of each month's sales is paid.
INSERT INTO debtor (id, ref, name) VALUES (1, 'C001', 'Brown & Co');
INSERT INTO item (id, debtor_id, issue_date, due_date, amount, open_amount,
  currency, doc_type, doc_id, row_hash, batch_id) VALUES
  (1, 1, strftime('%s','2024-03-10')/86400, strftime('%s','2024-04-09')/86400,
   600000, 600000, 'GBP', 'invoice', 'M1', 'h', 1),
  (2, 1, strftime('%s','2024-03-25')/86400, strftime('%s','2024-04-24')/86400,
   300000, 300000, 'GBP', 'invoice', 'M2', 'h', 1),
  (3, 1, strftime('%s','2024-03-01')/86400, strftime('%s','2024-03-31')/86400,
   300000, 0, 'GBP', 'invoice', 'M3', 'h', 1),
  (4, 1, strftime('%s','2024-02-20')/86400, strftime('%s','2024-03-21')/86400,
   200000, 200000, 'GBP', 'invoice', 'F1', 'h', 1),
  (5, 1, strftime('%s','2024-02-05')/86400, strftime('%s','2024-03-06')/86400,
   600000, 0, 'GBP', 'invoice', 'F2', 'h', 1),
  (6, 1, strftime('%s','2024-01-15')/86400, strftime('%s','2024-02-14')/86400,
   100000, 100000, 'GBP', 'invoice', 'J1', 'h', 1),
  (7, 1, strftime('%s','2024-01-05')/86400, strftime('%s','2024-02-04')/86400,
   900000, 0, 'GBP', 'invoice', 'J2', 'h', 1);
INSERT INTO settlement (item_id, date, amount, kind, batch_id) VALUES
  (3, strftime('%s','2024-03-20')/86400, 300000, 'settled', 1),
  (5, strftime('%s','2024-03-01')/86400, 600000, 'settled', 1),
  (7, strftime('%s','2024-02-01')/86400, 900000, 'settled', 1);
