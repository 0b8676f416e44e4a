-- The emit-letters cases' ledger.  B001 a business (DOMAIN.md 3.1 U1 and
-- U2's invoices), C001 a consumer in England (no statutory interest; the
-- Pre-Action Protocol's letter of claim), S001 a sole trader, and debtors
-- whose data is hostile: markup in a name, a formula in a name, a path in
-- an account code.
INSERT INTO debtor (ref, name, type, email, phone, address, country) VALUES
 ('B001', 'O''Brien & Sons Ltd', 'business', 'ap@obrien.example',
  '+447700900001', '1 High Street' || char(10) || 'Leeds' || char(10) ||
  'LS1 1AA', 'GB'),
 ('C001', 'Jane Doe', 'consumer', 'jane@doe.example', '+447700900002',
  '2 Low Road, York, YO1 2BB', 'GB'),
 ('S001', 'Sam Smith t/a Smith Plumbing', 'sole_trader', NULL,
  '07700 900003', '3 Mill Lane, Hull, HU1 3CC', 'GB'),
 ('X001', '<script>alert(1)</script>', 'business', 'x@x.example',
  '+447700900004', '4 Tag Street, Leeds', 'GB'),
 ('../../etc/passwd', '=HYPERLINK("http://evil.example","pay")', 'business',
  'p@p.example', '+447700900005', '5 Path Way, Leeds', 'GB'),
 ('M001', 'Müller GmbH', 'business', 'ap@mueller.example', NULL,
  'Hauptstraße 1, Berlin', 'DE');
INSERT INTO item (debtor_id, issue_date, due_date, amount, open_amount,
  currency, doc_type, doc_id, row_hash, batch_id)
SELECT d.id, strftime('%s', v.column3) / 86400,
  strftime('%s', v.column4) / 86400, v.column5, v.column5, 'GBP', 'invoice',
  v.column2, 'h', 1
FROM (VALUES
 ('B001', 'INV-U1', '2024-01-01', '2024-01-31', 240000),
 ('B001', 'INV-U2', '2024-01-01', '2024-01-31', 500000),
 ('B001', 'INV-B3', '2024-03-01', '2024-04-05', 99999),
 ('C001', 'INV-C1', '2024-01-01', '2024-01-31', 50000),
 ('S001', 'INV-S1', '2024-01-01', '2024-01-31', 1000000),
 ('X001', 'INV-X1', '2024-01-01', '2024-01-31', 10000),
 ('../../etc/passwd', '../../etc/passwd', '2024-01-01', '2024-01-31', 10000),
 ('M001', 'INV-M1', '2024-01-01', '2024-01-31', 10000)
) AS v
JOIN debtor d ON d.ref = v.column1;
-- U2: 2,000.00 of INV-U2 paid on 1 March.
INSERT INTO settlement (item_id, date, amount, kind)
SELECT id, strftime('%s', '2024-03-01') / 86400, 200000, 'allocation'
FROM item WHERE doc_id = 'INV-U2';
UPDATE item SET open_amount = 300000 WHERE doc_id = 'INV-U2';
