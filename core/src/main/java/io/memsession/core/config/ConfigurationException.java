package io.memsession.core.config;

/** A Manager attribute with a value that cannot work. The message names the attribute, the value and what is expected. */
public class ConfigurationException extends RuntimeException {

    private final String attribute;

    public ConfigurationException(String attribute, String value, String expected) {
        super("Manager attribute " + attribute + "=\"" + value + "\" is invalid: " + expected);
        this.attribute = attribute;
    }

    public ConfigurationException(String message) {
        super(message);
        this.attribute = null;
    }

    /** The attribute at fault, or null when the problem is a combination of attributes. */
    public String attribute() {
        return attribute;
    }
}
