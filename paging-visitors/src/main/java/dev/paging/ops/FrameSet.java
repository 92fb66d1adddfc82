package dev.paging.ops;

import java.util.Arrays;

/** A set of frames by open addressing; -1 marks a free slot, since frames are 4 KiB aligned. */
final class FrameSet {
  private static final long FREE = -1L;
  private long[] slots = newSlots(256);
  private int size;

  private static long[] newSlots(int n) {
    long[] s = new long[n];
    Arrays.fill(s, FREE);
    return s;
  }

  int size() {
    return size;
  }

  void clear() {
    if (size > 0) {
      Arrays.fill(slots, FREE);
      size = 0;
    }
  }

  boolean contains(long f) {
    int mask = slots.length - 1;
    for (int i = slot(f, mask); ; i = (i + 1) & mask) {
      long s = slots[i];
      if (s == f) {
        return true;
      }
      if (s == FREE) {
        return false;
      }
    }
  }

  void add(long f) {
    if (2 * (size + 1) > slots.length) {
      long[] old = slots;
      slots = newSlots(old.length * 2);
      size = 0;
      for (long s : old) {
        if (s != FREE) {
          insert(s);
        }
      }
    }
    insert(f);
  }

  void addAll(FrameSet other) {
    for (long s : other.slots) {
      if (s != FREE) {
        add(s);
      }
    }
  }

  private void insert(long f) {
    int mask = slots.length - 1;
    for (int i = slot(f, mask); ; i = (i + 1) & mask) {
      long s = slots[i];
      if (s == f) {
        return;
      }
      if (s == FREE) {
        slots[i] = f;
        size++;
        return;
      }
    }
  }

  private static int slot(long f, int mask) {
    return (int) (((f >>> 12) * 0x9E37_79B9_7F4A_7C15L) >>> 40) & mask;
  }
}
