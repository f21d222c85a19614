-- Signing (issue 8 point 4). signature_scheme: null for the product page's sha256= header,
-- else 'standard_webhooks' or 'both'. A rotated-out secret keeps signing beside the new one
-- until previous_secret_expires_at (epoch ms); it is encrypted like secret_enc and removed after.
ALTER TABLE destinations ADD COLUMN signature_scheme TEXT;
ALTER TABLE destinations ADD COLUMN previous_secret_enc TEXT;
ALTER TABLE destinations ADD COLUMN previous_secret_hint TEXT;
ALTER TABLE destinations ADD COLUMN previous_secret_expires_at BIGINT;
