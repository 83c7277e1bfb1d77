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

    private ConfigurationException(String attribute, String message) {
        super(message);
        this.attribute = attribute;
    }

    /** For an attribute whose value is a secret: the message names the attribute only. */
    public static ConfigurationException ofSecret(String attribute, String expected) {
        return new ConfigurationException(attribute, "Manager attribute " + attribute + " is invalid: " + expected);
    }

    /** The attribute at fault, or null when the problem is a combination of attributes. */
    public String attribute() {
        return attribute;
    }
}
