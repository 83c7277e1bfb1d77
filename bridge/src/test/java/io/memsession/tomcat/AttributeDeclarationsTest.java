package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.catalina.session.ManagerBase;
import org.junit.jupiter.api.Test;

import io.memsession.core.config.Attribute;
import io.memsession.core.config.ConfigurationBuilder;

/**
 * The attributes a user can set are the declared ones, and the reference documents exactly those: every declared
 * attribute has the text setter Tomcat's digester calls, wired to its own name, a getter unless it holds a secret,
 * and a row in docs/configuration.md with its default; the Manager has no text setter of its own besides.
 */
class AttributeDeclarationsTest {

    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");

    @Test
    void everyDeclaredAttributeHasItsTextSetterAndAGetterUnlessSecret() throws Exception {
        for (Attribute<?> attribute : ConfigurationBuilder.attributes()) {
            String capitalized = capitalized(attribute.name());
            MemcachedSessionManager manager = new MemcachedSessionManager();
            Method setter = MemcachedSessionManager.class.getMethod("set" + capitalized, String.class);
            setter.invoke(manager, "text-of-" + attribute.name());
            for (Attribute<?> other : ConfigurationBuilder.attributes()) {
                assertEquals(other == attribute ? "text-of-" + attribute.name() : new ConfigurationBuilder().get(
                        other.name()), settings(manager).get(other.name()),
                        setter + " sets " + attribute.name() + " and nothing else");
            }
            Method getter = getter(capitalized);
            if (attribute.isSecret()) {
                assertNull(getter, attribute.name() + " holds a secret: no getter");
            } else {
                assertNotNull(getter, attribute.name() + " has a getter");
            }
        }
    }

    @Test
    void theManagerHasNoTextSetterBesidesTheDeclaredAttributesAndTomcats() {
        TreeSet<String> declared = new TreeSet<>();
        for (Attribute<?> attribute : ConfigurationBuilder.attributes()) {
            declared.add(attribute.name());
        }
        TreeSet<String> ofTheManager = new TreeSet<>();
        for (Method method : MemcachedSessionManager.class.getMethods()) {
            if (method.getName().startsWith("set") && method.getParameterCount() == 1
                    && method.getParameterTypes()[0] == String.class && !Modifier.isStatic(method.getModifiers())
                    && !isTomcats(method)) {
                String name = method.getName().substring(3);
                ofTheManager.add(Character.toLowerCase(name.charAt(0)) + name.substring(1));
            }
        }
        assertEquals(declared, ofTheManager);
    }

    @Test
    void theReferenceListsTheDeclaredAttributesWithTheirDefaults() throws IOException {
        List<String> declared = new ArrayList<>();
        for (Attribute<?> attribute : ConfigurationBuilder.attributes()) {
            declared.add(attribute.name() + " | " + attribute.documentedDefault());
        }
        assertEquals(declared, referenceRows());
    }

    /** The rows of the reference's table of memsession's attributes, as name and default. */
    private static List<String> referenceRows() throws IOException {
        String reference = Files.readString(REFERENCE, StandardCharsets.UTF_8);
        int start = reference.indexOf("\n## memsession's attributes\n");
        assertTrue(start >= 0, "the reference has a section of memsession's attributes");
        int end = reference.indexOf("\n## ", start + 1);
        Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\| ([^|]+) \\|").matcher(
                reference.substring(start, end));
        List<String> rows = new ArrayList<>();
        while (row.find()) {
            rows.add(row.group(1) + " | " + row.group(2).trim());
        }
        return rows;
    }

    /** Tomcat's own attributes, such as sessionAttributeNameFilter, which the Manager overrides to apply them. */
    private static boolean isTomcats(Method method) {
        try {
            ManagerBase.class.getMethod(method.getName(), method.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Method getter(String capitalized) {
        for (String prefix : new String[] {"get", "is"}) {
            try {
                return MemcachedSessionManager.class.getMethod(prefix + capitalized);
            } catch (NoSuchMethodException e) {
                // the other prefix
            }
        }
        return null;
    }

    private static ConfigurationBuilder settings(MemcachedSessionManager manager) throws IllegalAccessException {
        for (Field field : MemcachedSessionManager.class.getDeclaredFields()) {
            if (field.getType() == ConfigurationBuilder.class) {
                field.setAccessible(true);
                return (ConfigurationBuilder) field.get(manager);
            }
        }
        throw new AssertionError("the Manager keeps its attributes in a ConfigurationBuilder");
    }

    private static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
