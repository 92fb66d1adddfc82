package dev.paging.cli;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/** The name a mistyped one most likely meant: fewest edits, a swap of two neighbours counting as one. */
final class Suggestions {
  private Suggestions() {}

  /**
   * The name among {@code names} closest to {@code given}, when it is close enough to be a typo
   * (at most one edit in four characters, at least one); the first of equally close names; null
   * when none is close.
   */
  static @Nullable String closest(String given, Collection<String> names) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : names) {
      int d = distance(given, name);
      if (d < bestDistance) {
        best = name;
        bestDistance = d;
      }
    }
    int allowed = Math.max(1, stripDashes(given).length() / 4);
    return best != null && bestDistance > 0 && bestDistance <= allowed ? best : null;
  }

  private static String stripDashes(String s) {
    int i = 0;
    while (i < s.length() && s.charAt(i) == '-') {
      i++;
    }
    return s.substring(i);
  }

  /** Edit distance with insertions, deletions, substitutions and transpositions of neighbours. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
