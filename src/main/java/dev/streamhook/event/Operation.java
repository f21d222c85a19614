package dev.streamhook.event;

/** The kind of row change, spelled as the payload's {@code operation} field. */
public enum Operation { INSERT, UPDATE, DELETE }
