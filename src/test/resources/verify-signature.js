// The product page's verifySignature, verbatim, run over the requests a test received.
// Input: a JSON file of [{body, signature, secret}]; output: one JSON array of results.
const crypto = require('crypto');

function verifySignature(payload, signature, secret) {
  const expected = crypto
    .createHmac('sha256', secret)
    .update(JSON.stringify(payload))
    .digest('hex');

  return crypto.timingSafeEqual(
    Buffer.from(signature),
    Buffer.from(`sha256=${expected}`)
  );
}

const cases = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const results = cases.map((c) => {
  try {
    // express.json() hands the handler JSON.parse(body) as req.body
    return verifySignature(JSON.parse(c.body), c.signature, c.secret);
  } catch (e) {
    return 'error: ' + e.message;
  }
});
process.stdout.write(JSON.stringify(results));
