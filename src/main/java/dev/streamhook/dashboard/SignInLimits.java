package dev.streamhook.dashboard;

import dev.streamhook.api.ApiException;
import dev.streamhook.api.TokenBuckets;

/**
 * Budgets for password guesses and sign-ups: {@code perMinute} tries a minute per client address
 * and, separately, per e-mail address, so neither one machine trying many accounts nor many
 * machines trying one account get far. Over budget is a 429 with {@code Retry-After}.
 * Memory is bounded by {@link TokenBuckets}. Thread-safe.
 */
public final class SignInLimits {

    private static final int MAX_BUCKETS = 50_000;
    private final TokenBuckets perAddress;
    private final TokenBuckets perEmail;

    public SignInLimits(int perMinute) {
        this.perAddress = new TokenBuckets(perMinute, perMinute / 60.0, MAX_BUCKETS, System::nanoTime);
        this.perEmail = new TokenBuckets(perMinute, perMinute / 60.0, MAX_BUCKETS, System::nanoTime);
    }

    /** Takes one try for the address, and for the e-mail when there is one (null for a sign-in by API key). */
    void take(String address, String email) {
        long wait = perAddress.take(address);
        if (wait > 0) {
            throw ApiException.rateLimited("too many sign-in attempts from this address; try again in " + wait + " s", wait);
        }
        if (email != null) {
            wait = perEmail.take(email);
            if (wait > 0) {
                throw ApiException.rateLimited("too many sign-in attempts for this e-mail address; try again in " + wait + " s", wait);
            }
        }
    }
}
