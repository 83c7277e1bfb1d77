package io.memsession.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * An unpacked Apache Tomcat distribution, configured by editing its files and started with {@code catalina.sh run}
 * exactly as users run it, for tests that must prove the session manager installs into a stock Tomcat.
 * The bundled web applications are removed so startup stays fast. Configure before {@link #start()}.
 */
public final class TomcatDistribution implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    private static final String STARTED_MARKER = "Server startup in";
    private static final int LOG_TAIL_LINES = 60;

    private final Path home;
    private int httpPort;
    private String javaOpts = "";
    private final Map<String, String> environment = new LinkedHashMap<>();
    private volatile Process process;

    private TomcatDistribution(Path home) {
        this.home = home;
    }

    /**
     * Extracts {@code tarGz} (an apache-tomcat-*.tar.gz) into {@code workDir/name}, which must not exist yet, and
     * empties {@code webapps}.
     */
    public static TomcatDistribution unpack(Path tarGz, Path workDir, String name) {
        Path home = workDir.resolve(name);
        try {
            Files.createDirectories(workDir);
            Files.createDirectory(home);
            Process tar = new ProcessBuilder("tar", "-xzf", tarGz.toString(), "-C", home.toString(),
                    "--strip-components=1").redirectErrorStream(true).start();
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("cannot extract " + tarGz + ": " + output.strip());
            }
            try (Stream<Path> apps = Files.list(home.resolve("webapps"))) {
                for (Path app : apps.collect(Collectors.toList())) {
                    deleteRecursively(app);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while extracting " + tarGz, e);
        }
        return new TomcatDistribution(home);
    }

    /**
     * Serves HTTP on 127.0.0.1:{@code httpPort} only: AJP connectors are removed and the shutdown port is
     * disabled, so parallel instances cannot collide on Tomcat's default ports. Required before starting.
     */
    public TomcatDistribution port(int httpPort) {
        editServerXml(document -> {
            document.getDocumentElement().setAttribute("port", "-1");
            for (Element connector : elements(document, "Connector")) {
                if (connector.getAttribute("protocol").toUpperCase(Locale.ROOT).contains("AJP")) {
                    connector.getParentNode().removeChild(connector);
                } else {
                    connector.setAttribute("port", Integer.toString(httpPort));
                    connector.setAttribute("address", Loopback.HOST);
                }
            }
        });
        this.httpPort = httpPort;
        return this;
    }

    /** Sets the Engine's jvmRoute, the suffix Tomcat appends to session ids of this node. */
    public TomcatDistribution jvmRoute(String route) {
        editServerXml(document -> elements(document, "Engine").forEach(engine -> engine.setAttribute("jvmRoute", route)));
        return this;
    }

    /** Copies {@code jar} into lib/, where Tomcat's common class loader picks it up. */
    public TomcatDistribution addLibJar(Path jar) {
        try {
            Files.copy(jar, home.resolve("lib").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Deletes a jar from lib/, as an operator swapping one manager's jars for another's. */
    public TomcatDistribution removeLibJar(String fileName) {
        try {
            Files.delete(home.resolve("lib").resolve(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes a file of conf/, such as "tomcat-users.xml". */
    public TomcatDistribution confFile(String fileName, String content) {
        write(home.resolve("conf").resolve(fileName), content);
        return this;
    }

    /** Replaces conf/context.xml, the defaults for every web application, with one using {@code managerElementXml}. */
    public TomcatDistribution contextXml(String managerElementXml) {
        write(home.resolve("conf/context.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<Context>\n"
                + "    <WatchedResource>WEB-INF/web.xml</WatchedResource>\n"
                + "    " + managerElementXml + "\n"
                + "</Context>\n");
        return this;
    }

    /** Writes the ROOT web application; keys are paths inside it, such as "index.jsp" or "WEB-INF/web.xml". */
    public TomcatDistribution deployRootApp(Map<String, String> files) {
        Path root = home.resolve("webapps/ROOT");
        files.forEach((path, content) -> write(root.resolve(path), content));
        return this;
    }

    /** JAVA_OPTS for the Tomcat JVM, e.g. heap size or system properties. */
    public TomcatDistribution javaOpts(String javaOpts) {
        this.javaOpts = javaOpts;
        return this;
    }

    /** An environment variable of the Tomcat process, e.g. one a property source reads. */
    public TomcatDistribution environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Starts Tomcat on the JVM running this code. */
    public void start() {
        start(Path.of(System.getProperty("java.home")));
    }

    /**
     * Runs {@code catalina.sh run} on the given JDK and returns once Tomcat reports it has started and its HTTP port
     * accepts connections. Output goes to logs/console.log, appended across restarts.
     */
    public void start(Path javaHome) {
        if (httpPort == 0) {
            throw new IllegalStateException("call port(int) before start()");
        }
        if (isRunning()) {
            throw new IllegalStateException(this + " is already running");
        }
        // Tomcat logs a failed bind and starts anyway, so an occupied port would look like a successful start.
        if (Loopback.accepts(httpPort)) {
            throw new IllegalStateException("cannot start " + this + ": port " + httpPort + " is already in use");
        }
        Path consoleLog = consoleLogPath();
        long logStart;
        Process started;
        try {
            Files.createDirectories(consoleLog.getParent());
            logStart = Files.exists(consoleLog) ? Files.size(consoleLog) : 0;
            ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/catalina.sh").toString(), "run")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog.toFile()));
            Map<String, String> environment = builder.environment();
            // Settings from the developer's shell must not leak into the Tomcat under test.
            Stream.of("CATALINA_PID", "CATALINA_OPTS", "JRE_HOME").forEach(environment::remove);
            environment.put("CATALINA_HOME", home.toString());
            environment.put("CATALINA_BASE", home.toString());
            environment.put("JAVA_HOME", javaHome.toString());
            environment.put("JAVA_OPTS", javaOpts);
            environment.putAll(this.environment);
            started = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + this, e);
        }
        // catalina.sh execs java, so this handle is the Tomcat JVM itself and signals reach it directly.
        ProcessReaper.register(started);
        process = started;
        boolean up = Poll.until(STARTUP_TIMEOUT, () -> {
            if (!started.isAlive()) {
                throw new IllegalStateException(this + " exited with status " + started.exitValue()
                        + " during startup:\n" + logTail());
            }
            return Loopback.accepts(httpPort) && consoleLogFrom(logStart).contains(STARTED_MARKER);
        });
        if (!up) {
            started.destroyForcibly();
            throw new IllegalStateException(this + " did not start within " + STARTUP_TIMEOUT.toSeconds() + " s:\n"
                    + logTail());
        }
    }

    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** SIGKILL: the JVM dies without shutdown hooks, as in a crash. Returns once it is gone. */
    public void kill9() {
        terminate(true);
    }

    /** SIGSTOP: the JVM holds its connections and answers nothing until {@link #resume()}, as a hung server. */
    public void pause() {
        ProcessReaper.pause(runningProcess(), true, toString());
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        ProcessReaper.pause(runningProcess(), false, toString());
    }

    /** SIGTERM: Tomcat shuts down gracefully, stopping its applications and session managers. */
    public void stop() {
        terminate(false);
    }

    /** Kills Tomcat if it is still running; tests that need a graceful shutdown call {@link #stop()} themselves. */
    @Override
    public void close() {
        kill9();
    }

    /** Everything Tomcat printed, over all starts. */
    public String consoleLog() {
        return consoleLogFrom(0);
    }

    /** The console lines reporting SEVERE problems; a clean run has none. */
    public List<String> severeLines() {
        return consoleLog().lines().filter(line -> line.contains("SEVERE")).collect(Collectors.toList());
    }

    public int httpPort() {
        return httpPort;
    }

    /** CATALINA_HOME, which is also CATALINA_BASE. */
    public Path home() {
        return home;
    }

    @Override
    public String toString() {
        return "Tomcat " + home.getFileName() + " on port " + httpPort;
    }

    private Process runningProcess() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        return current;
    }

    private void terminate(boolean forcibly) {
        Process current = process;
        if (current != null && current.isAlive()) {
            ProcessReaper.terminate(current, forcibly, EXIT_TIMEOUT, toString());
        }
    }

    private Path consoleLogPath() {
        return home.resolve("logs/console.log");
    }

    private String consoleLogFrom(long byteOffset) {
        Path log = consoleLogPath();
        try {
            byte[] bytes = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
            int from = (int) Math.min(byteOffset, bytes.length);
            // Decoded leniently: a half-written multi-byte character at the end must not make reading fail.
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String logTail() {
        List<String> lines = consoleLog().lines().collect(Collectors.toList());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }

    private void editServerXml(Consumer<Document> edit) {
        Path serverXml = home.resolve("conf/server.xml");
        try {
            Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(serverXml.toFile());
            edit.accept(document);
            // Otherwise the rewritten declaration gains a pointless standalone="no".
            document.setXmlStandalone(true);
            try (OutputStream out = Files.newOutputStream(serverXml)) {
                TransformerFactory.newInstance().newTransformer().transform(new DOMSource(document),
                        new StreamResult(out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParserConfigurationException | SAXException | TransformerException e) {
            throw new IllegalStateException("cannot edit " + serverXml, e);
        }
    }

    /** A snapshot, because the live NodeList would shift under removals. */
    private static List<Element> elements(Document document, String tagName) {
        NodeList nodes = document.getElementsByTagName(tagName);
        List<Element> elements = new ArrayList<>(nodes.getLength());
        for (int i = 0; i < nodes.getLength(); i++) {
            elements.add((Element) nodes.item(i));
        }
        return elements;
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path entry : tree.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(entry);
            }
        }
    }
}
