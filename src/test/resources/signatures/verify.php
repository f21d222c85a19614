<?php
// Runs the PHP snippet of docs/signatures.md on one captured delivery.
// Usage: php verify.php <dir> streamhook|standard (see verify.js for <dir>). Prints true or false.
// snippet:start
// $rawBody: the request body exactly as received (file_get_contents('php://input')),
// $headers: an array with lowercase names (array_change_key_case(getallheaders())).
function verify_streamhook(string $rawBody, array $headers, string $secret): bool
{
    $expected = 'sha256=' . hash_hmac('sha256', $rawBody, $secret);
    // the current secret's signature, or during a rotation's grace period the previous secret's
    foreach (['x-streamhook-signature', 'x-streamhook-signature-previous'] as $name) {
        if (hash_equals($expected, $headers[$name] ?? '')) {
            return true;
        }
    }
    return false;
}

// Standard Webhooks (signature_scheme "standard_webhooks" or "both"); $secret: whsec_<base64>.
function verify_standard_webhooks(string $rawBody, array $headers, string $secret, int $toleranceSeconds = 300): bool
{
    $id = $headers['webhook-id'] ?? '';
    $timestamp = $headers['webhook-timestamp'] ?? '';
    if ($id === '' || !preg_match('/^\d+$/', $timestamp) || abs(time() - (int) $timestamp) > $toleranceSeconds) {
        return false; // a replay, or a clock far off
    }
    $key = base64_decode(preg_replace('/^whsec_/', '', $secret), true);
    if ($key === false) {
        return false;
    }
    $expected = base64_encode(hash_hmac('sha256', "$id.$timestamp.$rawBody", $key, true));
    foreach (explode(' ', $headers['webhook-signature'] ?? '') as $signature) {
        [$version, $value] = array_pad(explode(',', $signature, 2), 2, '');
        if ($version === 'v1' && hash_equals($expected, $value)) {
            return true;
        }
    }
    return false;
}
// snippet:end

[, $dir, $scheme] = $argv;
$headers = [];
foreach (explode("\n", file_get_contents("$dir/headers")) as $line) {
    $parts = explode(': ', $line, 2);
    if (count($parts) === 2) {
        $headers[$parts[0]] = $parts[1];
    }
}
$body = file_get_contents("$dir/body");
$secret = file_get_contents("$dir/secret");
$ok = $scheme === 'standard' ? verify_standard_webhooks($body, $headers, $secret) : verify_streamhook($body, $headers, $secret);
echo $ok ? 'true' : 'false';
