-- DOMAIN.md 1.8, period March 2024: P1 500 due 5 Mar (500 on 5 Mar), P2
-- 1,000 due 8 Mar (1,000 on 10 Mar), P3 800 due 12 Mar (400 on 11 Mar),
-- P4 300 due 20 Mar (nothing), P5 700 due 2 Apr (pending).  One debtor
-- each; all made on 1 Mar; grace :g days (set by the case with sed).
INSERT INTO debtor (id, ref, name) VALUES (1, 'P1', 'One'), (2, 'P2', 'Two'),
  (3, 'P3', 'Three'), (4, 'P4', 'Four'), (5, 'P5', 'Five');
INSERT INTO promise (debtor_id, made_on, amount, currency, due_date,
  grace_days) VALUES
  (1, strftime('%s','2024-03-01')/86400, 50000, 'GBP', strftime('%s','2024-03-05')/86400, GRACE),
  (2, strftime('%s','2024-03-01')/86400, 100000, 'GBP', strftime('%s','2024-03-08')/86400, GRACE),
  (3, strftime('%s','2024-03-01')/86400, 80000, 'GBP', strftime('%s','2024-03-12')/86400, GRACE),
  (4, strftime('%s','2024-03-01')/86400, 30000, 'GBP', strftime('%s','2024-03-20')/86400, GRACE),
  (5, strftime('%s','2024-03-01')/86400, 70000, 'GBP', strftime('%s','2024-04-02')/86400, GRACE);
INSERT INTO payment (entry_key, batch_id, value_date, currency, amount, kind,
  debtor_id, unallocated) VALUES
  ('R1', 1, strftime('%s','2024-03-05')/86400, 'GBP', 50000, 'receipt', 1, 50000),
  ('R2', 1, strftime('%s','2024-03-10')/86400, 'GBP', 100000, 'receipt', 2, 100000),
  ('R3', 1, strftime('%s','2024-03-11')/86400, 'GBP', 40000, 'receipt', 3, 40000);
