package dev.streamhook;
public final class Main { public static void main(String[] a) {} }
