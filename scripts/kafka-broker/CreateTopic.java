import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * scripts/kafka-local: creates the session-event topic once the broker is up, so that the first session's records do
 * not meet a missing topic (a UNKNOWN_TOPIC_OR_PARTITION warning while it is auto-created). Run as a single-file
 * program on the broker's classpath: java -cp CP CreateTopic.java BOOTSTRAP TOPIC PARTITIONS
 */
public class CreateTopic {
  public static void main(String[] args) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", args[0]))) {
      admin.createTopics(List.of(new NewTopic(args[1], Integer.parseInt(args[2]), (short) 1)))
          .all().get(30, TimeUnit.SECONDS);
      System.out.println("topic '" + args[1] + "' created");
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
      System.out.println("topic '" + args[1] + "' exists");
    }
  }
}
