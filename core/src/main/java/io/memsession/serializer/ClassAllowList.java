package io.memsession.serializer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

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
 *
 * <p>Whatever the list says, the classes gadget chains are built from ({@link GadgetClasses}) are refused. In
 * {@link Mode#REPORT} a class outside the list is accepted and logged once, with the entry that would allow it, so a
 * list can be built from real traffic. Tomcat's {@code sessionAttributeValueClassNameFilter}, when set, is applied
 * too, as Tomcat's own managers apply it: every class read must match it.
 */
public final class ClassAllowList {

    /** Attribute {@code classAllowListMode}. */
    public enum Mode {
        /** A class outside the list makes the session unreadable. */
        ENFORCE,
        /** A class outside the list is accepted and logged once. */
        REPORT
    }

    private static final Logger LOG = Logger.getLogger(ClassAllowList.class.getName());

    private static final ClassAllowList ALLOW_ALL = new ClassAllowList(Collections.<String>emptyList(),
            Collections.<String>emptyList(), Mode.ENFORCE, null, false);

    private static final List<String> JDK_VALUE_CLASSES = Collections.unmodifiableList(java.util.Arrays.asList(
            "java.lang.String", "java.lang.Boolean", "java.lang.Character", "java.lang.Number",
            "java.lang.Byte", "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float",
            "java.lang.Double", "java.lang.Enum", "java.lang.Object", "java.lang.StackTraceElement"));
    private static final List<String> JDK_VALUE_PACKAGES = Collections.unmodifiableList(java.util.Arrays.asList(
            "java.math.", "java.util.", "java.time."));

    private final List<String> classNames;
    private final List<String> packagePrefixes;
    private final Mode mode;
    /** Tomcat's {@code sessionAttributeValueClassNameFilter}; null when not set. */
    private final Pattern valueClassNameFilter;
    private final boolean warnOnFilterFailure;
    /** Classes already logged (report mode, or refused by Tomcat's filter), so the log says each once. */
    private final Set<String> reported = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());

    private ClassAllowList(List<String> classNames, List<String> packagePrefixes, Mode mode,
                           Pattern valueClassNameFilter, boolean warnOnFilterFailure) {
        this.classNames = classNames;
        this.packagePrefixes = packagePrefixes;
        this.mode = mode;
        this.valueClassNameFilter = valueClassNameFilter;
        this.warnOnFilterFailure = warnOnFilterFailure;
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
        return parse(value, Mode.ENFORCE);
    }

    /**
     * Parses the attribute value for the given mode. In report mode an empty list reports every class outside the
     * JDK's value and collection classes: the way to start a list from traffic.
     *
     * @throws IllegalArgumentException for an entry that is not a class name or a {@code package.*} prefix
     */
    public static ClassAllowList parse(String value, Mode mode) {
        boolean empty = value == null || value.trim().isEmpty();
        if (empty && mode == Mode.ENFORCE) {
            return ALLOW_ALL;
        }
        List<String> names = new ArrayList<>(JDK_VALUE_CLASSES);
        List<String> prefixes = new ArrayList<>(JDK_VALUE_PACKAGES);
        for (String entry : empty ? new String[0] : value.trim().split("[\\s,]+")) {
            if (entry.endsWith(".*") && isQualifiedName(entry.substring(0, entry.length() - 2))) {
                prefixes.add(entry.substring(0, entry.length() - 1));
            } else if (isQualifiedName(entry)) {
                names.add(entry);
            } else {
                throw new IllegalArgumentException("'" + entry
                        + "' is neither a class name nor a package prefix like com.example.*");
            }
        }
        return new ClassAllowList(names, prefixes, mode, null, false);
    }

    /**
     * This list with Tomcat's {@code sessionAttributeValueClassNameFilter} applied as well: every class read must
     * match it. A refusal is logged once per class, at WARNING when {@code warnOnSessionAttributeFilterFailure} is
     * set and at FINE otherwise, as Tomcat does.
     *
     * @param filter null for none
     */
    public ClassAllowList withValueClassNameFilter(Pattern filter, boolean warnOnFailure) {
        return new ClassAllowList(classNames, packagePrefixes, mode, filter, warnOnFailure);
    }

    /** Whether no list is given: every class that is not a gadget may be read. */
    public boolean allowsEverything() {
        return classNames.isEmpty() && mode == Mode.ENFORCE;
    }

    /** Whether the class (as named by {@link Class#getName()}, arrays included) may be read. */
    public boolean allows(String className) {
        return refusal(className) == null;
    }

    /**
     * Why the class (as named by {@link Class#getName()}, arrays included) may not be read; null when it may. In
     * report mode a class outside the list is logged (once) and accepted.
     */
    public String refusal(String className) {
        String name = elementName(className);
        if (name != null && GadgetClasses.contains(name)) {
            return "refused: a class public gadget chains are built from, never read from memcached";
        }
        if (valueClassNameFilter != null && !valueClassNameFilter.matcher(className).matches()) {
            if (reported.add(className)) {
                LOG.log(warnOnFilterFailure ? Level.WARNING : Level.FINE, "class " + className
                        + " in a stored session does not match Tomcat's sessionAttributeValueClassNameFilter \""
                        + valueClassNameFilter + "\"; the session is not read");
            }
            return "refused by sessionAttributeValueClassNameFilter";
        }
        if (name == null || allowsEverything() || isListed(name)) {
            return null;
        }
        if (mode == Mode.ENFORCE) {
            return "refused by classAllowList";
        }
        if (reported.add(name)) {
            LOG.warning("class " + name + " read from a stored session is not in classAllowList; accepted because"
                    + " classAllowListMode=\"report\". To allow it once the list is enforced, add this entry: "
                    + name);
        }
        return null;
    }

    /** The class itself, or an array's element class; null for an array of primitives. */
    private static String elementName(String className) {
        if (!className.startsWith("[")) {
            return className;
        }
        String element = className.replaceFirst("^\\[+", "");
        return element.length() == 1 ? null : element.substring(1, element.length() - 1); // "Lcom.example.Foo;"
    }

    private boolean isListed(String name) {
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
        return allowsEverything() ? "(all classes but gadgets)" : classNames + " " + packagePrefixes
                + (mode == Mode.REPORT ? " (report only)" : "");
    }
}
