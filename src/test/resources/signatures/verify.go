// Runs the Go snippet of docs/signatures.md on one captured delivery.
// Usage: go run verify.go <dir> streamhook|standard (see verify.js for <dir>). Prints true or false.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// snippet:start
import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// VerifyStreamHook: rawBody is the request body exactly as received (io.ReadAll(r.Body)).
func VerifyStreamHook(rawBody []byte, header http.Header, secret string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(rawBody)
	expected := []byte("sha256=" + hex.EncodeToString(mac.Sum(nil)))
	// the current secret's signature, or during a rotation's grace period the previous secret's
	for _, name := range []string{"X-StreamHook-Signature", "X-StreamHook-Signature-Previous"} {
		if hmac.Equal([]byte(header.Get(name)), expected) {
			return true
		}
	}
	return false
}

// VerifyStandardWebhooks: signature_scheme "standard_webhooks" or "both"; secret: whsec_<base64>.
func VerifyStandardWebhooks(rawBody []byte, header http.Header, secret string, tolerance time.Duration) bool {
	id, timestamp := header.Get("webhook-id"), header.Get("webhook-timestamp")
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if id == "" || err != nil {
		return false
	}
	if age := time.Since(time.Unix(seconds, 0)); age > tolerance || age < -tolerance {
		return false // a replay, or a clock far off
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(rawBody)
	expected := []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	for _, signature := range strings.Split(header.Get("webhook-signature"), " ") {
		version, value, _ := strings.Cut(signature, ",")
		if version == "v1" && hmac.Equal([]byte(value), expected) {
			return true
		}
	}
	return false
}
// snippet:end

func main() {
	dir, scheme := os.Args[1], os.Args[2]
	lines, _ := os.ReadFile(filepath.Join(dir, "headers"))
	header := http.Header{}
	for _, line := range strings.Split(string(lines), "\n") {
		if name, value, ok := strings.Cut(line, ": "); ok {
			header.Set(name, value)
		}
	}
	body, _ := os.ReadFile(filepath.Join(dir, "body"))
	secret, _ := os.ReadFile(filepath.Join(dir, "secret"))
	var ok bool
	if scheme == "standard" {
		ok = VerifyStandardWebhooks(body, header, string(secret), 5*time.Minute)
	} else {
		ok = VerifyStreamHook(body, header, string(secret))
	}
	fmt.Print(ok)
}
