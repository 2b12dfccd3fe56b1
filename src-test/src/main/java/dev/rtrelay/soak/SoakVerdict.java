package dev.rtrelay.soak;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the run shows: per fault, the sessions it ended (allowed), what the sessions it should not have touched lost
 * (must be nothing), and the records missing from Kafka, split into losses (must be none) and the documented window
 * of a process killed outright; plus duplicates (allowed, counted), unexplained session ends, the relays' live-session
 * gauges and open files after the run, and each node's memory slope.
 */
final class SoakVerdict {
  /** Figures for one fault. */
  static final class PerFault {
    final Fault fault;
    int sessionsEnded;
    int sessionsUntouched;
    long framesLostUntouched;
    long recordsInWindow;

    PerFault(Fault fault) {
      this.fault = fault;
    }
  }

  /** One node's memory over its last process, after a minute of warm-up. */
  record Memory(String node, double minutes, double rssSlopeKibPerMin, double heapSlopeKibPerMin, long rssEnd,
      long heapEnd) {}

  final Map<String, PerFault> faults = new LinkedHashMap<>();
  final List<String> problems = new ArrayList<>();
  final List<Memory> memory = new ArrayList<>();
  int sessions;
  int sessionsEndedByFaults;
  long framesSent;
  long framesLostUntouched;
  long framesReorderedUntouched;
  long framesLostInFaults;
  long recordsAudited;
  long recordsLost;
  long recordsInWindows;
  long duplicates;
  long droppedEvents;
  long truncatedEvents;
  long liveSessionsAfter;
  final Map<String, long[]> openFiles = new LinkedHashMap<>();

  boolean passed() {
    return problems.isEmpty();
  }

  static SoakVerdict judge(List<SoakClient.Session> ended, List<Fault> faults, TopicAudit audit,
      List<SoakNode> relays, List<SoakNode> allNodes, Duration kafkaWait) throws Exception {
    SoakVerdict v = new SoakVerdict();
    faults.forEach(f -> v.faults.put(f.name(), new PerFault(f)));
    List<String> expectClosed = new ArrayList<>();
    for (SoakClient.Session s : ended) {
      if (s.id() != null && !killedWith(s, faults)) {
        expectClosed.add(s.id());
      }
    }
    if (!audit.awaitClosed(expectClosed, kafkaWait)) {
      v.problems.add("not every session's session.closed record reached Kafka within " + kafkaWait.toSeconds()
          + " s");
    }
    for (SoakClient.Session s : ended) {
      v.sessions++;
      v.framesSent += s.framesSent();
      Fault endedBy = faults.stream().filter(f -> f.ends(s)).findFirst().orElse(null);
      if (endedBy != null) {
        v.sessionsEndedByFaults++;
        v.faults.get(endedBy.name()).sessionsEnded++;
        v.framesLostInFaults += s.framesLost();
      } else if (!s.endedByHarness()) {
        v.problems.add("session " + s.id() + " on " + s.relay() + " ended with " + s.closeCode() + " ('"
            + s.closeReason() + "') at " + s.endedMillis() + ", which no fault explains");
      }
      long cutoff = endedBy == null ? Long.MAX_VALUE : endedBy.startedMillis() - 1_000;
      for (long[] loss : s.lossEvents()) {
        if (loss[0] < cutoff) {
          v.framesLostUntouched += loss[1];
          v.problems.add("session " + s.id() + " lost " + loss[1] + " audio frame(s) at " + loss[0]);
          for (PerFault pf : v.faults.values()) {
            if (loss[0] >= pf.fault.startedMillis() && loss[0] <= pf.fault.endedMillis() + 5_000) {
              pf.framesLostUntouched += loss[1];
            }
          }
        }
      }
      if (endedBy == null && s.framesReordered() > 0) {
        v.framesReorderedUntouched += s.framesReordered();
        v.problems.add("session " + s.id() + " saw " + s.framesReordered() + " frame(s) out of order");
      }
      for (PerFault pf : v.faults.values()) {
        boolean overlaps = s.startedMillis() < pf.fault.startedMillis() && s.endedMillis() > pf.fault.endedMillis();
        if (overlaps && pf.fault != endedBy) {
          pf.sessionsUntouched++;
        }
      }
      if (s.id() != null) {
        v.auditRecords(s, faults, audit.session(s.id()), killedWith(s, faults));
      } else {
        v.problems.add("a session on " + s.relay() + " had no x-rtrelay-session-id header: its records cannot be "
            + "audited");
      }
    }
    v.recordsAudited = audit.records();
    v.readNodes(relays, allNodes);
    return v;
  }

  /** Whether the session died with a relay killed outright: no session.closed, and its tail may be missing. */
  private static boolean killedWith(SoakClient.Session s, List<Fault> faults) {
    return faults.stream().anyMatch(f -> f.relay() != null && f.recordWindow() && f.ends(s));
  }

  private void auditRecords(SoakClient.Session s, List<Fault> faults, TopicAudit.SessionRecords records,
      boolean killed) {
    if (records == null) {
      if (!killed) {
        recordsLost++;
        problems.add("session " + s.id() + ": no record in Kafka at all");
      }
      return;
    }
    duplicates += records.duplicates();
    JsonObject closed = records.closed();
    if (closed == null && !killed) {
      problems.add("session " + s.id() + ": no session.closed record");
    }
    if (closed != null) {
      droppedEvents += closed.getLong("dropped_events", 0L);
      truncatedEvents += closed.getLong("truncated_events", 0L);
    }
    long last = closed != null ? closed.getLong("seq") : records.maxSeq();
    long missingHere = 0;
    for (long seq = 0; seq <= last; seq++) {
      if (records.has(seq)) {
        continue;
      }
      long before = records.timestampBefore(seq);
      long after = records.timestampAfter(seq);
      Fault window = faults.stream().filter(f -> f.coversGap(before, after)
          && (f.relay() == null || killed)).findFirst().orElse(null);
      if (window != null) {
        recordsInWindows++;
        this.faults.get(window.name()).recordsInWindow++;
      } else {
        recordsLost++;
        missingHere++;
      }
    }
    if (missingHere > 0) {
      problems.add("session " + s.id() + ": " + missingHere + " record(s) missing from Kafka outside any "
          + "documented window");
    }
  }

  private void readNodes(List<SoakNode> relays, List<SoakNode> allNodes) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Pattern live = Pattern.compile("(?m)^rtrelay_sessions_live\\{[^}]*\\} ([0-9.]+)$");
    for (SoakNode relay : relays) {
      if (!relay.alive() || relay.managementPort() <= 0) {
        continue;
      }
      String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.managementPort()
          + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
      Matcher m = live.matcher(text);
      while (m.find()) {
        liveSessionsAfter += (long) Double.parseDouble(m.group(1));
      }
    }
    if (liveSessionsAfter != 0) {
      problems.add("the relays' rtrelay_sessions_live adds up to " + liveSessionsAfter + " after every session ended");
    }
    for (SoakNode n : allNodes) {
      if (!n.alive()) {
        continue;
      }
      long now = n.openFiles();
      openFiles.put(n.name(), new long[] {n.baselineOpenFiles(), now});
      // Cluster and Kafka connections come and go; a leak grows with sessions (two sockets each).
      if (now > n.baselineOpenFiles() + 16) {
        problems.add(n.name() + " holds " + now + " open files after the run; it had " + n.baselineOpenFiles()
            + " when it started");
      }
      memory.add(memoryOf(n));
    }
  }

  private static Memory memoryOf(SoakNode n) {
    List<SoakNode.Sample> all = n.samples();
    if (all.isEmpty()) {
      return new Memory(n.name(), 0, 0, 0, 0, 0);
    }
    long pid = all.get(all.size() - 1).pid();
    List<SoakNode.Sample> last = all.stream().filter(s -> s.pid() == pid).toList();
    double from = last.get(0).seconds() + 60;
    List<SoakNode.Sample> warm = last.stream().filter(s -> s.seconds() >= from).toList();
    double minutes = warm.isEmpty() ? 0 : (warm.get(warm.size() - 1).seconds() - warm.get(0).seconds()) / 60;
    List<SoakNode.Sample> heaps = warm.stream().filter(s -> s.heap() > 0).toList();
    return new Memory(n.name(), minutes, slopeKibPerMinute(warm, false), slopeKibPerMinute(heaps, true),
        last.get(last.size() - 1).rss(), heaps.isEmpty() ? -1 : heaps.get(heaps.size() - 1).heap());
  }

  /** Least-squares slope over the samples, KiB per minute (NaN with fewer than three). */
  static double slopeKibPerMinute(List<SoakNode.Sample> samples, boolean heap) {
    if (samples.size() < 3) {
      return Double.NaN;
    }
    double n = samples.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (SoakNode.Sample s : samples) {
      double x = s.seconds() / 60;
      double y = (heap ? s.heap() : s.rss()) / 1024.0;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double denominator = n * sxx - sx * sx;
    return denominator == 0 ? Double.NaN : (n * sxy - sx * sy) / denominator;
  }
}
