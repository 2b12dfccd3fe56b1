package dev.rtrelay.e2e.cluster;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.nio.file.Files;
import java.nio.file.Path;

/** The published envelope schema (docs/session-event.schema.json), used to validate what reaches Kafka. */
final class EnvelopeSchema {
  private final Validator validator;

  private EnvelopeSchema(Validator validator) {
    this.validator = validator;
  }

  static EnvelopeSchema load() throws Exception {
    JsonObject schema = new JsonObject(Files.readString(Path.of("..", "docs", "session-event.schema.json")));
    return new EnvelopeSchema(Validator.create(JsonSchema.of(schema),
        new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("https://rtrelay.invalid/")));
  }

  void check(JsonObject record) {
    OutputUnit result = validator.validate(record);
    if (!result.getValid()) {
      throw new AssertionError("record does not match docs/session-event.schema.json: " + result.getErrors()
          + "\n" + record.encodePrettily());
    }
  }
}
