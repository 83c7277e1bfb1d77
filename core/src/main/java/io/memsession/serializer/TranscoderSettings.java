package io.memsession.serializer;

import java.util.Collections;
import java.util.List;

/** What a {@link TranscoderFactory} is told about the web application and the Manager's serializer attributes. */
public final class TranscoderSettings {

    private final ClassLoader classLoader;
    private final boolean copyCollectionsForSerialization;
    private final List<String> customConverters;
    private final ClassAllowList classAllowList;

    public TranscoderSettings(ClassLoader classLoader, boolean copyCollectionsForSerialization,
                              List<String> customConverters, ClassAllowList classAllowList) {
        this.classLoader = classLoader;
        this.copyCollectionsForSerialization = copyCollectionsForSerialization;
        this.customConverters = Collections.unmodifiableList(customConverters);
        this.classAllowList = classAllowList;
    }

    /** The web application's class loader: attribute classes are resolved there. */
    public ClassLoader classLoader() {
        return classLoader;
    }

    /** Attribute {@code copyCollectionsForSerialization}. */
    public boolean copyCollectionsForSerialization() {
        return copyCollectionsForSerialization;
    }

    /** Attribute {@code customConverter}, split into class names. */
    public List<String> customConverters() {
        return customConverters;
    }

    /**
     * Attribute {@code classAllowList} (with {@code classAllowListMode} and Tomcat's
     * {@code sessionAttributeValueClassNameFilter}): which classes may be read back. The gadget classes never may.
     */
    public ClassAllowList classAllowList() {
        return classAllowList;
    }
}
