package dev.rtrelay.relay.guardrails;

import java.util.Map;
import java.util.TreeMap;

/**
 * LiteLLM content-filter prebuilt patterns (names and regexes from its patterns.json), the commonly used subset. All
 * are compiled case-insensitively, as LiteLLM does.
 */
final class PrebuiltPatterns {
  private static final String VISA = "\\b4\\d{3}[\\s\\-]?\\d{4}[\\s\\-]?\\d{4}[\\s\\-]?\\d{4}\\b";
  private static final String MASTERCARD = "\\b5[1-5]\\d{2}[\\s\\-]?\\d{4}[\\s\\-]?\\d{4}[\\s\\-]?\\d{4}\\b";
  private static final String AMEX = "\\b3[47]\\d{2}[\\s\\-]?\\d{6}[\\s\\-]?\\d{5}\\b";
  private static final String DISCOVER = "\\b6(?:011|5\\d{2})[\\s\\-]?\\d{4}[\\s\\-]?\\d{4}[\\s\\-]?\\d{4}\\b";
  private static final String US_PHONE = "\\b(?:\\+?1[\\s.-]?)?\\(?([0-9]{3})\\)?[\\s.-]?([0-9]{3})[\\s.-]?([0-9]{4})\\b";

  static final Map<String, String> ALL;

  static {
    Map<String, String> m = new TreeMap<>();
    m.put("us_ssn", "\\b\\d{3}-\\d{2}-\\d{4}\\b");
    m.put("email", "\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Z|a-z]{2,}\\b");
    m.put("us_phone", US_PHONE);
    // LiteLLM's docs call it "phone" while its patterns.json says "us_phone": accept both.
    m.put("phone", US_PHONE);
    m.put("visa", VISA);
    m.put("mastercard", MASTERCARD);
    m.put("amex", AMEX);
    m.put("discover", DISCOVER);
    m.put("credit_card", "(?:" + VISA + ")|(?:" + MASTERCARD + ")|(?:" + AMEX + ")|(?:" + DISCOVER + ")");
    m.put("iban", "\\b[A-Z]{2}\\d{2}[A-Z0-9]{11,30}\\b");
    m.put("aws_access_key", "\\b(AKIA[0-9A-Z]{16})\\b");
    m.put("aws_secret_key", "\\b([A-Za-z0-9/+=]{40})\\b");
    m.put("github_token", "\\b(gh[ps]_[a-zA-Z0-9]{36})\\b");
    m.put("slack_token", "\\b(xox[pboa]-[0-9]{10,13}-[0-9]{10,13}-[a-zA-Z0-9]{24,32})\\b");
    m.put("generic_api_key", "\\b([Aa][Pp][Ii][-_]?[Kk][Ee][Yy][\\s:=]+['\"]?[A-Za-z0-9_\\-]{20,}['\"]?)\\b");
    m.put("ipv4", "\\b(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\b");
    m.put("url", "\\b(?:https?://|www\\.)[^\\s/$.?#].[^\\s]*\\b");
    ALL = Map.copyOf(m);
  }

  private PrebuiltPatterns() {}

  static String names() {
    return String.join(", ", new TreeMap<>(ALL).keySet());
  }
}
