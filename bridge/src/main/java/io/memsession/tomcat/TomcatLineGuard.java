package io.memsession.tomcat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.util.ServerInfo;

/**
 * Each Tomcat line has its own memsession jar. Installed on another line, a jar would fail later with a bare
 * {@code NoClassDefFoundError} or {@code NoSuchMethodError}; this check stops the context first, with a message that
 * names the jar to install instead.
 */
final class TomcatLineGuard {

    private static final List<String> LINES_WITH_A_JAR = Arrays.asList("7", "8", "9", "10", "11");

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
        return LINES_WITH_A_JAR.contains(major) ? "memsession-tomcat" + major + "-<version>.jar"
                : "none: memsession has no jar for Tomcat " + major;
    }
}
