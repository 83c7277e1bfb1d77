package io.memsession.tomcat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.util.ServerInfo;

/**
 * Each Tomcat line has its own memsession jar. Installed on another line, a jar would fail later with a bare
 * {@code NoClassDefFoundError} or {@code NoSuchMethodError}; this check stops the context first, with a message that
 * names the jar to install instead.
 */
final class TomcatLineGuard {

    private TomcatLineGuard() {
    }

    static void requireTheLineOfThisJar() throws LifecycleException {
        Properties built = new Properties();
        try (InputStream in = TomcatLineGuard.class.getResourceAsStream("tomcat-line.properties")) {
            if (in == null) {
                throw new LifecycleException("memsession's jar is incomplete: io/memsession/tomcat/"
                        + "tomcat-line.properties is missing; install the jar as the build made it");
            }
            built.load(in);
        } catch (IOException e) {
            throw new LifecycleException("cannot read memsession's tomcat-line.properties: " + e, e);
        }
        String line = built.getProperty("line");
        String running = ServerInfo.getServerNumber();
        if (!major(running).equals(major(line))) {
            throw new LifecycleException(built.getProperty("artifact") + " is built for Tomcat " + line
                    + ", but this is " + ServerInfo.getServerInfo() + ": install the memsession jar of this line, "
                    + jarOfLine(major(running)) + " (see docs/tomcat-lines.md)");
        }
    }

    /** "9" of "9.0.117.0", "10" of "10.1". */
    private static String major(String version) {
        int dot = version.indexOf('.');
        return dot < 0 ? version : version.substring(0, dot);
    }

    private static String jarOfLine(String major) {
        switch (major) {
            case "7":
            case "8":
            case "9":
            case "10":
            case "11":
                return "memsession-tomcat" + major + "-<version>.jar";
            default:
                return "none: memsession has no jar for Tomcat " + major;
        }
    }
}
