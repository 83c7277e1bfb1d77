package io.memsession.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.memsession.core.config.Attribute;
import io.memsession.core.config.ConfigurationBuilder;

/**
 * The IDE metadata (META-INF/spring-configuration-metadata.json) is what the attribute declarations and the
 * reference (docs/configuration.md) say: one property per declared attribute, its default, its meaning. When they
 * change, {@code -Dmetadata.write=true} rewrites the file from them.
 */
class ConfigurationMetadataTest {

    private static final Path METADATA = Path.of("..", "src", "main", "resources", "META-INF",
            "spring-configuration-metadata.json");
    private static final Path REFERENCE = Path.of("..", "..", "docs", "configuration.md");

    @Test
    void theMetadataDescribesEveryDeclaredAttribute() throws IOException {
        String expected = metadata(meanings());
        if (Boolean.getBoolean("metadata.write")) {
            Files.writeString(METADATA, expected, StandardCharsets.UTF_8);
        }
        assertEquals(expected, Files.readString(METADATA, StandardCharsets.UTF_8),
                "rewrite the metadata with -Dmetadata.write=true");
    }

    private static String metadata(Map<String, String> meanings) {
        StringBuilder json = new StringBuilder("{\n  \"groups\": [\n    {\n      \"name\": \"memsession\",\n"
                + "      \"description\": \"memsession: the embedded Tomcat's sessions in memcached. Each property"
                + " is the Manager attribute of the same name (docs/configuration.md).\"\n    }\n  ],\n"
                + "  \"properties\": [");
        String separator = "\n";
        for (Attribute<?> attribute : ConfigurationBuilder.attributes()) {
            String meaning = meanings.get(attribute.name());
            assertTrue(meaning != null, "the reference describes " + attribute.name());
            String documented = attribute.documentedDefault();
            json.append(separator).append("    {\n      \"name\": \"").append(MemsessionProperties.propertyName(
                    attribute)).append("\",\n      \"type\": \"java.lang.String\",\n      \"description\": \"")
                    .append(escaped(meaning + " (Manager attribute " + attribute.name() + ")")).append('"');
            if (documented.startsWith("`")) {
                json.append(",\n      \"defaultValue\": \"")
                        .append(escaped(documented.substring(1, documented.length() - 1))).append('"');
            }
            json.append("\n    }");
            separator = ",\n";
        }
        json.append(separator).append("    {\n      \"name\": \"").append(MemsessionProperties.JVM_ROUTE)
                .append("\",\n      \"type\": \"java.lang.String\",\n      \"description\": \"The embedded Tomcat's"
                        + " jvmRoute, which ends each session id in sticky mode (<id>-n1.tc1) and which the load"
                        + " balancer routes by (the starter's own property; elsewhere server.xml's Engine sets it)."
                        + "\"\n    }");
        return json.append("\n  ]\n}\n").toString();
    }

    /** The Meaning column of the reference's table, without its Markdown. */
    private static Map<String, String> meanings() throws IOException {
        String reference = Files.readString(REFERENCE, StandardCharsets.UTF_8);
        int start = reference.indexOf("\n## memsession's attributes\n");
        int end = reference.indexOf("\n## ", start + 1);
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\| [^|]+ \\| (.+) \\|$").matcher(
                reference.substring(start, end));
        Map<String, String> meanings = new LinkedHashMap<>();
        while (row.find()) {
            meanings.put(row.group(1), row.group(2).replace("`", "").replaceAll("\\[([^]]+)]\\([^)]+\\)", "$1")
                    .replace("\\|", "|").trim());
        }
        return meanings;
    }

    private static String escaped(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                escaped.append('\\').append(c);
            } else if (c < 0x20) {
                escaped.append(String.format("\\u%04x", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
