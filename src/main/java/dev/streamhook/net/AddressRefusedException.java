package dev.streamhook.net;

import java.io.IOException;

/**
 * A connection StreamHook did not open because the {@link AddressPolicy} refused the address. An
 * IOException so it passes through a driver's connect path; its message is safe to show a user.
 */
public final class AddressRefusedException extends IOException {

    public AddressRefusedException(String why) {
        super(why);
    }
}
