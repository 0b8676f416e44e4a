-- DOMAIN.md 1.7: I1-I3 (net 30) paid in Q1 2024; I4 1,000 due 31 Mar
-- paid 400 on 10 Apr and 600 on 30 Apr (allocation-weighted); CN-1, a
-- credit note applied to I5 in March, is not a payment.
INSERT INTO debtor (id, ref, name) VALUES (1, 'C001', 'Brown & Co');
INSERT INTO item (id, debtor_id, issue_date, due_date, amount, open_amount,
  currency, doc_type, doc_id, row_hash, batch_id) VALUES
  (1, 1, strftime('%s','2024-01-05')/86400, strftime('%s','2024-02-04')/86400,
   100000, 0, 'GBP', 'invoice', 'I1', 'h', 1),
  (2, 1, strftime('%s','2024-01-10')/86400, strftime('%s','2024-02-09')/86400,
   300000, 0, 'GBP', 'invoice', 'I2', 'h', 1),
  (3, 1, strftime('%s','2024-01-20')/86400, strftime('%s','2024-02-19')/86400,
   200000, 0, 'GBP', 'invoice', 'I3', 'h', 1),
  (4, 1, strftime('%s','2024-03-01')/86400, strftime('%s','2024-03-31')/86400,
   100000, 0, 'GBP', 'invoice', 'I4', 'h', 1),
  (5, 1, strftime('%s','2024-01-02')/86400, strftime('%s','2024-02-01')/86400,
   50000, 0, 'GBP', 'invoice', 'I5', 'h', 1),
  (6, 1, strftime('%s','2024-01-02')/86400, strftime('%s','2024-01-02')/86400,
   -50000, 0, 'GBP', 'credit_note', 'CN-1', 'h', 1);
INSERT INTO settlement (item_id, date, amount, kind, batch_id) VALUES
  (1, strftime('%s','2024-01-25')/86400, 100000, 'allocation', 1),
  (2, strftime('%s','2024-02-19')/86400, 300000, 'allocation', 1),
  (3, strftime('%s','2024-03-20')/86400, 200000, 'settled', 1),
  (4, strftime('%s','2024-04-10')/86400, 40000, 'allocation', 1),
  (4, strftime('%s','2024-04-30')/86400, 60000, 'allocation', 1),
  (5, strftime('%s','2024-03-15')/86400, 50000, 'credit', 1),
  (6, strftime('%s','2024-03-15')/86400, -50000, 'credit', 1);
