package org.callhs.bench;

import java.util.Arrays;

/** A growable array of primitive longs (latencies in nanoseconds). Not thread-safe. */
public final class SampleBuffer {

    private long[] values;
    private int size;

    public SampleBuffer() {
        this(1024);
    }

    public SampleBuffer(int initialCapacity) {
        values = new long[Math.max(16, initialCapacity)];
    }

    public void add(long value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = value;
    }

    public void addAll(SampleBuffer other) {
        if (size + other.size > values.length) {
            values = Arrays.copyOf(values, Math.max(values.length * 2, size + other.size));
        }
        System.arraycopy(other.values, 0, values, size, other.size);
        size += other.size;
    }

    public int size() {
        return size;
    }

    /** A sorted copy of the recorded values. */
    public long[] sortedCopy() {
        long[] copy = Arrays.copyOf(values, size);
        Arrays.sort(copy);
        return copy;
    }
}
