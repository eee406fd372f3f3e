package org.callhs.core.sync;

/** Names of core's sync streams (rows of {@code stream_positions} unless noted). */
public final class Streams {
    private Streams() {}

    /** Room events: the events table's stream_ordering. */
    public static final String EVENTS = "events";
    public static final String ACCOUNT_DATA = "account_data";
    public static final String TO_DEVICE = "to_device";
    public static final String RECEIPTS = "receipts";
    /** In memory only: typing notifications do not survive a restart. */
    public static final String TYPING = "typing";
    public static final String DEVICE_LISTS = "device_lists";
    public static final String PRESENCE = "presence";
}
