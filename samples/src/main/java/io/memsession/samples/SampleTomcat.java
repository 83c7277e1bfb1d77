package io.memsession.samples;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.catalina.Context;
import org.apache.catalina.Manager;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.startup.Tomcat;

import io.memsession.tomcat.MemcachedSessionManager;

/**
 * The sample application on an embedded Tomcat 9: the way to embed memsession in code. Run as its own process by
 * the demo and the benchmark ({@link TomcatProcess}).
 *
 * <pre>
 * SampleTomcat --port 8081 --route tc1 [--plain | --manager CLASS] [--base-dir DIR] [--profile-bytes N]
 *              [--attr memcachedNodes=n1:127.0.0.1:11211,...] [--attr name=value]...
 * </pre>
 *
 * {@code --base-dir} is Tomcat's working directory (a new temporary one by default); a killed JVM cannot delete it,
 * so whoever kills it passes a directory it cleans up itself. {@code --profile-bytes} sets the size of the string
 * each session keeps ({@link CounterServlet}), for the benchmark's session sizes.
 *
 * {@code --plain} runs Tomcat's own in-memory StandardManager instead of memsession, for comparison. With memsession,
 * {@code /memsession-stats} shows its statistics ({@link MemsessionStatsServlet}). {@code --manager} runs another
 * project's session manager by its class name, with the attributes, for the benchmark's peers; memsession need not
 * be on the class path then (and must not be, for memcached-session-manager, whose class name it answers to).
 * Prints {@code READY <port>} once Tomcat serves requests.
 */
public final class SampleTomcat {

    private SampleTomcat() {
    }

    public static void main(String[] args) throws Exception {
        int port = 8080;
        String route = null;
        boolean plain = false;
        String managerClass = null;
        Path base = null;
        int profileBytes = CounterServlet.DEFAULT_PROFILE_BYTES;
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--route" -> route = args[++i];
                case "--plain" -> plain = true;
                case "--manager" -> managerClass = args[++i];
                case "--base-dir" -> base = Files.createDirectories(Path.of(args[++i]));
                case "--profile-bytes" -> profileBytes = Integer.parseInt(args[++i]);
                case "--attr" -> {
                    String[] pair = args[++i].split("=", 2);
                    attributes.put(pair[0], pair[1]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }

        Tomcat tomcat = new Tomcat();
        if (base == null) {
            base = Files.createTempDirectory("memsession-sample");
        }
        tomcat.setBaseDir(base.toString());
        tomcat.setPort(port);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getConnector().setProperty("maxKeepAliveRequests", "-1");
        tomcat.getEngine().setJvmRoute(route);
        Context context = tomcat.addContext("", Files.createDirectories(base.resolve("webapp")).toString());
        if (plain) {
            context.setManager(new StandardManager());
        } else if (managerClass != null) {
            Manager manager = (Manager) Class.forName(managerClass).getConstructor().newInstance();
            setAll(manager, attributes);
            context.setManager(manager);
        } else {
            addMemsession(context, attributes);
        }
        Tomcat.addServlet(context, "counter", new CounterServlet(route, profileBytes));
        context.addServletMappingDecoded("/", "counter");
        tomcat.start();
        System.out.println("READY " + port);
        System.out.flush();
        tomcat.getServer().await();
    }

    /** In a method of its own, so that a JVM without memsession runs the other managers. */
    private static void addMemsession(Context context, Map<String, String> attributes) throws Exception {
        MemcachedSessionManager manager = new MemcachedSessionManager();
        setAll(manager, attributes);
        context.setManager(manager);
        Tomcat.addServlet(context, "memsession-stats", new MemsessionStatsServlet(manager));
        context.addServletMappingDecoded("/memsession-stats", "memsession-stats");
    }

    /**
     * Sets attributes by their context.xml names, as Tomcat's digester would: through the setter taking a String,
     * else a boolean or an int.
     */
    private static void setAll(Object manager, Map<String, String> attributes) throws Exception {
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            String name = attribute.getKey();
            String value = attribute.getValue();
            String setter = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
            Method method = setter(manager, setter, String.class);
            if (method != null) {
                method.invoke(manager, value);
            } else if ((method = setter(manager, setter, boolean.class)) != null) {
                method.invoke(manager, Boolean.parseBoolean(value));
            } else if ((method = setter(manager, setter, int.class)) != null) {
                method.invoke(manager, Integer.parseInt(value));
            } else {
                throw new IllegalArgumentException(manager.getClass().getName() + " has no setter " + setter);
            }
        }
    }

    private static Method setter(Object target, String name, Class<?> type) {
        try {
            return target.getClass().getMethod(name, type);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
