# Runs the Ruby snippet of docs/signatures.md on one captured delivery.
# Usage: ruby verify.rb <dir> streamhook|standard (see verify.js for <dir>). Prints true or false.
# snippet:start
require 'openssl'

# raw_body: the request body exactly as received (e.g. request.raw_post in Rails, request.body.read in Sinatra),
# headers: a hash with lowercase names.
def verify_streamhook(raw_body, headers, secret)
  expected = 'sha256=' + OpenSSL::HMAC.hexdigest('SHA256', secret, raw_body)
  # the current secret's signature, or during a rotation's grace period the previous secret's
  %w[x-streamhook-signature x-streamhook-signature-previous].any? do |name|
    given = headers[name].to_s
    given.bytesize == expected.bytesize && OpenSSL.fixed_length_secure_compare(given, expected)
  end
end

# Standard Webhooks (signature_scheme "standard_webhooks" or "both"); secret: whsec_<base64>.
def verify_standard_webhooks(raw_body, headers, secret, tolerance_seconds = 300)
  id = headers['webhook-id'].to_s
  timestamp = headers['webhook-timestamp'].to_s
  return false if id.empty? || timestamp !~ /\A\d+\z/ || (Time.now.to_i - timestamp.to_i).abs > tolerance_seconds

  key = secret.delete_prefix('whsec_').unpack1('m0') # strict base64
  expected = [OpenSSL::HMAC.digest('SHA256', key, "#{id}.#{timestamp}.".b + raw_body.b)].pack('m0')
  headers['webhook-signature'].to_s.split(' ').any? do |signature|
    version, value = signature.split(',', 2)
    version == 'v1' && value.to_s.bytesize == expected.bytesize && OpenSSL.fixed_length_secure_compare(value, expected)
  end
end
# snippet:end

dir, scheme = ARGV
headers = {}
File.read(File.join(dir, 'headers'), encoding: 'UTF-8').split("\n").each do |line|
  name, value = line.split(': ', 2)
  headers[name] = value if value
end
body = File.binread(File.join(dir, 'body'))
secret = File.read(File.join(dir, 'secret'), encoding: 'UTF-8')
print(scheme == 'standard' ? verify_standard_webhooks(body, headers, secret) : verify_streamhook(body, headers, secret))
