# Runs the Python snippet of docs/signatures.md on one captured delivery.
# Usage: python3 verify.py <dir> streamhook|standard (see verify.js for <dir>). Prints true or false.
import os
import sys

# snippet:start
import base64
import hashlib
import hmac
import time


# raw_body: the request body exactly as received (bytes, e.g. Flask's request.get_data()),
# headers: a mapping with lowercase names (e.g. {k.lower(): v for k, v in request.headers.items()}).
def verify_streamhook(raw_body: bytes, headers, secret: str) -> bool:
    expected = ("sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()).encode()
    # the current secret's signature, or during a rotation's grace period the previous secret's
    return any(hmac.compare_digest(headers.get(name, "").encode(), expected)
               for name in ("x-streamhook-signature", "x-streamhook-signature-previous"))


# Standard Webhooks (signature_scheme "standard_webhooks" or "both"); secret: whsec_<base64>.
def verify_standard_webhooks(raw_body: bytes, headers, secret: str, tolerance_seconds: int = 300) -> bool:
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isascii() or not timestamp.isdigit() \
            or abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False  # a replay, or a clock far off
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + raw_body, hashlib.sha256).digest()
    expected = base64.b64encode(digest)
    for signature in headers.get("webhook-signature", "").split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return True
    return False
# snippet:end


def main():
    directory, scheme = sys.argv[1], sys.argv[2]
    headers = {}
    with open(os.path.join(directory, "headers"), encoding="utf-8") as f:
        for line in f.read().split("\n"):
            name, sep, value = line.partition(": ")
            if sep:
                headers[name] = value
    with open(os.path.join(directory, "body"), "rb") as f:
        body = f.read()
    with open(os.path.join(directory, "secret"), encoding="utf-8") as f:
        secret = f.read()
    ok = verify_standard_webhooks(body, headers, secret) if scheme == "standard" else verify_streamhook(body, headers, secret)
    sys.stdout.write("true" if ok else "false")


main()
