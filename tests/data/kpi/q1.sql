-- DOMAIN.md 1.1-1.5, the shared dataset Q1-2024: AR 180,000 on 1 Jan
-- (INV-A, paid in full 10 Feb), sales Jan 70,000 (INV-J, 38,000 of it
-- paid 20 Feb), Feb 80,000 (INV-F1 50,000 overdue, INV-F2 30,000 not
-- due), Mar 100,000 (INV-M, not due).  On 31 Mar: AR 212,000 of which
-- 130,000 not yet due.
INSERT INTO debtor (id, ref, name) VALUES (1, 'C001', 'Brown & Co'),
  (2, 'C002', 'Smith <Ltd> & "Sons"');
INSERT INTO item (id, debtor_id, issue_date, due_date, amount, open_amount,
  closed_date, currency, doc_type, doc_id, row_hash, batch_id) VALUES
  (1, 1, strftime('%s','2023-11-15')/86400, strftime('%s','2023-12-15')/86400,
   18000000, 0, strftime('%s','2024-02-10')/86400, 'GBP', 'invoice', 'INV-A', 'h', 1),
  (2, 1, strftime('%s','2024-01-10')/86400, strftime('%s','2024-02-09')/86400,
   7000000, 3200000, NULL, 'GBP', 'invoice', 'INV-J', 'h', 1),
  (3, 2, strftime('%s','2024-02-01')/86400, strftime('%s','2024-03-02')/86400,
   5000000, 5000000, NULL, 'GBP', 'invoice', 'INV-F1', 'h', 1),
  (4, 2, strftime('%s','2024-02-28')/86400, strftime('%s','2024-04-30')/86400,
   3000000, 3000000, NULL, 'GBP', 'invoice', 'INV-F2', 'h', 1),
  (5, 1, strftime('%s','2024-03-05')/86400, strftime('%s','2024-04-04')/86400,
   10000000, 10000000, NULL, 'GBP', 'invoice', 'INV-M', 'h', 1);
INSERT INTO settlement (item_id, date, amount, kind, batch_id) VALUES
  (1, strftime('%s','2024-02-10')/86400, 18000000, 'settled', 1),
  (2, strftime('%s','2024-02-20')/86400, 3800000, 'export', 1);
