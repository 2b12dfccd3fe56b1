package dev.rtrelay.logger;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Which failed sends can never succeed for that record, whatever the broker's state: the record itself is refused
 * (larger than the producer's {@code max.request.size} or the topic's {@code max.message.bytes}, or invalid). Retrying
 * such a record would put it at the head of the retry order for ever and stall every record behind it; it is dropped
 * and counted instead. Everything else (broker down, timeouts, missing leader, authorization) is retried: those
 * clear up, and dropping on them would lose records an operator can still save.
 */
final class RecordRejections {
  private RecordRejections() {}

  static boolean isPermanent(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
          || t instanceof InvalidRecordException) {
        return true;
      }
    }
    return false;
  }
}
