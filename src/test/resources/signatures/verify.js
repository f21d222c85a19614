// Runs the Node.js snippet of docs/signatures.md on one captured delivery.
// Usage: node verify.js <dir> streamhook|standard; <dir> holds body (raw bytes), secret and headers
// ("name: value" lines, lowercase names). Prints true or false.
// snippet:start
const crypto = require('crypto');

// rawBody: the request body exactly as received (a Buffer, e.g. from express.raw()),
// headers: the request's headers with lowercase names (as Node gives them).
function verifyStreamHook(rawBody, headers, secret) {
  const expected = Buffer.from('sha256=' + crypto.createHmac('sha256', secret).update(rawBody).digest('hex'));
  // the current secret's signature, or during a rotation's grace period the previous secret's
  return ['x-streamhook-signature', 'x-streamhook-signature-previous'].some((name) => {
    const given = Buffer.from(headers[name] || '');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

// Standard Webhooks (signature_scheme "standard_webhooks" or "both"); secret: whsec_<base64>.
function verifyStandardWebhooks(rawBody, headers, secret, toleranceSeconds = 300) {
  const id = headers['webhook-id'] || '';
  const timestamp = headers['webhook-timestamp'] || '';
  if (!id || !/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) {
    return false; // a replay, or a clock far off
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(crypto.createHmac('sha256', key)
    .update(`${id}.${timestamp}.`).update(rawBody).digest('base64'));
  return (headers['webhook-signature'] || '').split(' ').some((signature) => {
    const [version, value] = signature.split(',');
    const given = Buffer.from(value || '');
    return version === 'v1' && given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}
// snippet:end

const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const headers = {};
for (const line of fs.readFileSync(path.join(dir, 'headers'), 'utf8').split('\n')) {
  const colon = line.indexOf(': ');
  if (colon > 0) headers[line.slice(0, colon)] = line.slice(colon + 2);
}
const body = fs.readFileSync(path.join(dir, 'body'));
const secret = fs.readFileSync(path.join(dir, 'secret'), 'utf8');
process.stdout.write(String(process.argv[3] === 'standard'
  ? verifyStandardWebhooks(body, headers, secret) : verifyStreamHook(body, headers, secret)));
