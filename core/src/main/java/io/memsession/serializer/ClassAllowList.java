package io.memsession.serializer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The classes a serializer may instantiate when it reads a stored session (attribute {@code classAllowList}).
 * Anyone who can write to memcached can plant bytes there, so reading arbitrary classes would let them run code in
 * Tomcat; an allow-list closes that door.
 *
 * <p>Entries are class names ({@code com.example.Cart}) or package prefixes ending in {@code .*}, which take the
 * package and its sub-packages ({@code com.example.*}). When any entry is given, the JDK's value and collection
 * classes ({@code java.lang} boxes and strings, {@code java.math}, {@code java.util}, {@code java.time}) and arrays
 * of allowed classes stay allowed, so a list names only the application's own classes. No entries means every class
 * is allowed, as in plain Java serialization.
 */
public final class ClassAllowList {

    private static final ClassAllowList ALLOW_ALL = new ClassAllowList(Collections.<String>emptyList(),
            Collections.<String>emptyList());

    private static final List<String> JDK_VALUE_CLASSES = Collections.unmodifiableList(java.util.Arrays.asList(
            "java.lang.String", "java.lang.Boolean", "java.lang.Character", "java.lang.Number",
            "java.lang.Byte", "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float",
            "java.lang.Double", "java.lang.Enum", "java.lang.Object", "java.lang.StackTraceElement"));
    private static final List<String> JDK_VALUE_PACKAGES = Collections.unmodifiableList(java.util.Arrays.asList(
            "java.math.", "java.util.", "java.time."));

    private final List<String> classNames;
    private final List<String> packagePrefixes;

    private ClassAllowList(List<String> classNames, List<String> packagePrefixes) {
        this.classNames = classNames;
        this.packagePrefixes = packagePrefixes;
    }

    public static ClassAllowList allowAll() {
        return ALLOW_ALL;
    }

    /**
     * Parses the attribute value: entries separated by commas or white space.
     *
     * @throws IllegalArgumentException for an entry that is not a class name or a {@code package.*} prefix
     */
    public static ClassAllowList parse(String value) {
        if (value == null || value.trim().isEmpty()) {
            return ALLOW_ALL;
        }
        List<String> names = new ArrayList<>(JDK_VALUE_CLASSES);
        List<String> prefixes = new ArrayList<>(JDK_VALUE_PACKAGES);
        for (String entry : value.trim().split("[\\s,]+")) {
            if (entry.endsWith(".*") && isQualifiedName(entry.substring(0, entry.length() - 2))) {
                prefixes.add(entry.substring(0, entry.length() - 1));
            } else if (isQualifiedName(entry)) {
                names.add(entry);
            } else {
                throw new IllegalArgumentException("'" + entry
                        + "' is neither a class name nor a package prefix like com.example.*");
            }
        }
        return new ClassAllowList(names, prefixes);
    }

    public boolean allowsEverything() {
        return this == ALLOW_ALL;
    }

    /** Whether the class (as named by {@link Class#getName()}, arrays included) may be read. */
    public boolean allows(String className) {
        if (allowsEverything()) {
            return true;
        }
        String name = className;
        if (name.startsWith("[")) {
            String element = name.replaceFirst("^\\[+", "");
            if (element.length() == 1) {
                return true; // array of primitives
            }
            name = element.substring(1, element.length() - 1); // "Lcom.example.Foo;"
        }
        if (classNames.contains(name)) {
            return true;
        }
        for (String prefix : packagePrefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isQualifiedName(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (String part : text.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0))) {
                return false;
            }
            for (int i = 1; i < part.length(); i++) {
                char c = part.charAt(i);
                if (!Character.isJavaIdentifierPart(c) && c != '$') {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return allowsEverything() ? "(all classes)" : classNames + " " + packagePrefixes;
    }
}
