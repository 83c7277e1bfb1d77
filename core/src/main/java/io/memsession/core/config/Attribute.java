package io.memsession.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One attribute of the Manager, declared once (in {@link Attributes}): its name, its default as text, how its text
 * becomes a value, and how the reference (docs/configuration.md) gives its default. The builder takes its names and
 * defaults from here and {@link Configuration} its values; a test holds the Manager's setters and the reference's
 * table to the declarations.
 *
 * @param <T> the parsed value
 */
public final class Attribute<T> {

    /** Turns an attribute's text (null when it has no value) into its value. */
    interface Parser<T> {
        /** @throws ConfigurationException naming the attribute, the text and what is expected */
        T parse(String name, String text);
    }

    private final String name;
    private final String defaultText;
    private final Parser<T> parser;
    private final String documentedDefault;
    private final boolean secret;

    private Attribute(String name, String defaultText, Parser<T> parser, String documentedDefault, boolean secret) {
        this.name = name;
        this.defaultText = defaultText;
        this.parser = parser;
        this.documentedDefault = documentedDefault;
        this.secret = secret;
    }

    static <T> Attribute<T> of(String name, String defaultText, Parser<T> parser) {
        return new Attribute<>(name, defaultText, parser, defaultText == null ? "(none)" : "`" + defaultText + "`",
                false);
    }

    static Attribute<String> text(String name, String defaultText) {
        return of(name, defaultText, (attribute, text) -> text);
    }

    static Attribute<Boolean> bool(String name, String defaultText) {
        return of(name, defaultText, Attribute::parseBoolean);
    }

    static Attribute<Integer> number(String name, String defaultText, int min, int max) {
        return of(name, defaultText, (attribute, text) -> text == null ? null : parseInteger(attribute, text, min, max));
    }

    static Attribute<Pattern> pattern(String name) {
        return of(name, null, Attribute::parsePattern);
    }

    /** The same attribute, whose reference gives its default (it has no text) as {@code documentedDefault}. */
    Attribute<T> documentedAs(String documentedDefault) {
        return new Attribute<>(name, defaultText, parser, documentedDefault, secret);
    }

    /** The same attribute, holding a secret: write-only, and no message shows its value. */
    Attribute<T> secret() {
        return new Attribute<>(name, defaultText, parser, documentedDefault, true);
    }

    /** Its name in {@code context.xml}, and of its setter on the Manager. */
    public String name() {
        return name;
    }

    /** Its default as text; null when it has none. */
    String defaultText() {
        return defaultText;
    }

    /** Its default as the reference's table gives it: {@code `true`}, or words such as {@code (none)}. */
    public String documentedDefault() {
        return documentedDefault;
    }

    /** Whether its value is a secret, which the Manager has no getter for. */
    public boolean isSecret() {
        return secret;
    }

    T parse(String text) {
        return parser.parse(name, text);
    }

    @Override
    public String toString() {
        return name;
    }

    static boolean parseBoolean(String name, String text) {
        if ("true".equalsIgnoreCase(text)) {
            return true;
        }
        if ("false".equalsIgnoreCase(text)) {
            return false;
        }
        throw new ConfigurationException(name, text, "expected true or false");
    }

    static int parseInteger(String name, String text, int min, int max) {
        try {
            long number = Long.parseLong(text);
            if (number >= min && number <= max) {
                return (int) number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigurationException(name, text, "expected a whole number"
                + (min == Integer.MIN_VALUE ? "" : " from " + min + " to " + max));
    }

    /** Null or empty text is no pattern. */
    static Pattern parsePattern(String name, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new ConfigurationException(name, text, "not a valid regular expression: " + e.getDescription());
        }
    }

    /** Items separated by commas or white space. */
    static List<String> parseList(String text) {
        List<String> items = new ArrayList<>();
        if (text != null) {
            for (String item : text.split("[\\s,]+")) {
                if (!item.isEmpty()) {
                    items.add(item);
                }
            }
        }
        return Collections.unmodifiableList(items);
    }
}
