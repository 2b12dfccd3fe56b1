package dev.rtrelay.relay.guardrails;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

/** LiteLLM's content filter contract: config shape, BLOCK/MASK semantics, order, tags and messages. */
class ContentFilterTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static ContentFilter filter(String yaml) throws Exception {
    JsonNode entry = YAML.readTree(yaml);
    return (ContentFilter) GuardrailFactory.create("guardrails[0]", entry, name -> null);
  }

  private static final String CONFIG = """
      guardrail_name: pii
      litellm_params:
        guardrail: litellm_content_filter
        mode: pre_call
        patterns:
          - {pattern_type: prebuilt, pattern_name: us_ssn, action: BLOCK}
          - {pattern_type: prebuilt, pattern_name: email, action: MASK}
          - {pattern_type: regex, pattern: 'EMP-[0-9]{5}', name: employee_id, action: MASK}
        blocked_words:
          - {keyword: system update, action: BLOCK, description: Prompt injection attempt}
          - {keyword: Secret Project, action: MASK}
      """;

  @Test
  void prebuiltPatternBlocksWithLiteLlmsMessage() throws Exception {
    Verdict v = filter(CONFIG).evaluate("my ssn is 123-45-6789");
    assertEquals(Verdict.Kind.BLOCK, v.kind());
    assertEquals("Content blocked: us_ssn pattern detected", v.reason());
    assertEquals("us_ssn", v.category());
  }

  @Test
  void keywordBlockIsCaseInsensitiveAndCarriesTheDescription() throws Exception {
    Verdict v = filter(CONFIG).evaluate("Please run a SYSTEM UPDATE now");
    assertEquals(Verdict.Kind.BLOCK, v.kind());
    assertEquals("Content blocked: keyword 'system update' detected (Prompt injection attempt)", v.reason());
  }

  @Test
  void masksUseLiteLlmsDefaultTagsAndApplyInOrder() throws Exception {
    Verdict v = filter(CONFIG).evaluate("mail a@b.co about emp-12345 and the secret project");
    assertEquals(Verdict.Kind.REWRITE, v.kind());
    assertEquals("mail [EMAIL_REDACTED] about [EMPLOYEE_ID_REDACTED] and the [KEYWORD_REDACTED]", v.text());
  }

  @Test
  void cleanTextIsAllowed() throws Exception {
    assertEquals(Verdict.Kind.ALLOW, filter(CONFIG).evaluate("hello there").kind());
  }

  @Test
  void customRedactionFormatUsesTheUppercasedName() throws Exception {
    ContentFilter f = filter("""
        guardrail_name: g
        litellm_params:
          guardrail: litellm_content_filter
          pattern_redaction_format: '***{pattern_name}***'
          patterns: [{pattern_type: prebuilt, pattern_name: email, action: MASK}]
        """);
    assertEquals("to ***EMAIL***", f.evaluate("to x@y.org").text());
  }

  @Test
  void badConfigsNameTheField() {
    String unknownType = assertThrows(IllegalArgumentException.class, () -> filter("""
        guardrail_name: g
        litellm_params: {guardrail: aporia}
        """)).getMessage();
    assertTrue(unknownType.startsWith("guardrails[0].litellm_params.guardrail: unsupported type 'aporia'"),
        unknownType);
    String unknownPattern = assertThrows(IllegalArgumentException.class, () -> filter("""
        guardrail_name: g
        litellm_params:
          guardrail: litellm_content_filter
          patterns: [{pattern_type: prebuilt, pattern_name: nope, action: BLOCK}]
        """)).getMessage();
    assertTrue(unknownPattern.contains("patterns[0].pattern_name: unknown prebuilt pattern 'nope'"), unknownPattern);
    String badRegex = assertThrows(IllegalArgumentException.class, () -> filter("""
        guardrail_name: g
        litellm_params:
          guardrail: litellm_content_filter
          patterns: [{pattern_type: regex, pattern: '([', action: BLOCK}]
        """)).getMessage();
    assertTrue(badRegex.contains("patterns[0].pattern: invalid regular expression"), badRegex);
    String badMode = assertThrows(IllegalArgumentException.class, () -> filter("""
        guardrail_name: g
        litellm_params:
          guardrail: litellm_content_filter
          mode: [pre_call, sometimes]
          blocked_words: [{keyword: x, action: BLOCK}]
        """)).getMessage();
    assertTrue(badMode.contains("mode: unknown mode 'sometimes'"), badMode);
  }

  @Test
  void blockedWordsFileAddsWordsAndCategoriesAreRefusedNotIgnored(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = dir.resolve("words.yaml");
    java.nio.file.Files.writeString(file, "blocked_words:\n  - {keyword: Bad Word, action: MASK}\n");
    ContentFilter f = filter("""
        guardrail_name: g
        litellm_params:
          guardrail: litellm_content_filter
          blocked_words_file: %s
        """.formatted(file));
    assertEquals("a [KEYWORD_REDACTED] here", f.evaluate("a bad word here").text());
    String categories = assertThrows(IllegalArgumentException.class, () -> filter("""
        guardrail_name: g
        litellm_params:
          guardrail: litellm_content_filter
          categories: [{category: harmful_self_harm, enabled: true, action: BLOCK}]
        """)).getMessage();
    assertTrue(categories.contains("categories: LiteLLM's category files are not supported yet"), categories);
  }

  @Test
  void modesAcceptListsAndTheRealtimeTranscriptionName() throws Exception {
    ContentFilter f = filter("""
        guardrail_name: g
        litellm_params:
          guardrail: litellm_content_filter
          mode: [pre_call, realtime_input_transcription]
          default_on: true
          blocked_words: [{keyword: x, action: BLOCK}]
        """);
    assertEquals(java.util.EnumSet.of(GuardrailMode.PRE_CALL, GuardrailMode.DURING_CALL), f.modes());
    assertTrue(f.defaultOn());
  }
}
