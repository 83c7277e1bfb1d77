package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.memsession.testkit.BuildFiles;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.TomcatDistribution;
import io.memsession.testkit.WebClient;

/**
 * The switch from memcached-session-manager (msm) 2.3.2 as its users make it, on the released distribution of the
 * line under test (Tomcat 7 and 9, msm's {@code -tc7} and {@code -tc9} jars): msm's jars in {@code lib/} write
 * sessions (a counter, a Joda {@code DateTime}, a FORM login); the Tomcat stops, msm's jars are replaced by
 * memsession's, and it starts again with the same {@code context.xml}, msm's class name included: every session
 * goes on, the login holds (in sticky mode: see the swap test for non-sticky), and memcached then holds
 * memsession's format. Sticky and non-sticky, Java and Kryo; a cluster with one msm and one
 * memsession Tomcat, in both directions; and the configuration msm's guides show (two memcached nodes, a failover
 * node, Kryo with the Joda registration) surviving {@code kill -9} of a Tomcat and of the memcached node holding
 * the session.
 *
 * <p>msm's Kryo serializer runs with the jars its pom names: Kryo 4.0.0 and kryo-serializers 0.41, with minlog,
 * reflectasm, asm and objenesis, in {@code lib/} beside joda-time. On Java 9 and later it needs two changes.
 * kryo-serializers 0.41's {@code SubListSerializers} reads a field that {@code ArrayList$SubList} lost in Java 9,
 * so msm cannot create its Kryo at all (without the change the Kryo cases fail before the swap); the test puts
 * the stand-in of the serializer-kryo module's tests, which adds no sub-list serializer, into a copy of that jar
 * in place of the original. And kryo-serializers reaches into {@code java.util} by reflection, which Java 16 and
 * later refuse: every Tomcat here runs with {@code --add-opens} for {@code java.util}, {@code java.lang},
 * {@code java.nio} and {@code java.util.concurrent.atomic} in {@code JAVA_OPTS}. The switch changes jars only,
 * so memsession's Tomcats keep those options; memsession needs none of them (KryoDistributionInstallIT).
 */
class MsmMigrationIT {

    private static final String MSM_CLASS = "de.javakaffee.web.msm.MemcachedBackupSessionManager";
    private static final String SESSION_JSP = "<%@ page contentType=\"text/plain;charset=UTF-8\" "
            + "trimDirectiveWhitespaces=\"true\" import=\"org.joda.time.*\" %><%\n"
            + "    Integer counter = (Integer) session.getAttribute(\"counter\");\n"
            + "    counter = counter == null ? 1 : counter + 1;\n"
            + "    session.setAttribute(\"counter\", counter);\n"
            + "    if (session.getAttribute(\"since\") == null) {\n"
            + "        session.setAttribute(\"since\", new DateTime(2026, 11, 21, 13, 14, 15, 16, "
            + "DateTimeZone.forID(\"Europe/Berlin\")));\n"
            + "    }\n"
            + "%>id=<%= session.getId() %>\n"
            + "counter=<%= counter %>\n"
            + "since=<%= session.getAttribute(\"since\") %>\n"
            + "zone=<%= ((DateTime) session.getAttribute(\"since\")).getZone() %>\n";
    private static final String SINCE = "2026-11-21T13:14:15.016+01:00";
    private static final String PROTECTED_JSP = "<%@ page contentType=\"text/plain;charset=UTF-8\" "
            + "trimDirectiveWhitespaces=\"true\" %>id=<%= session.getId() %>\n"
            + "user=<%= request.getUserPrincipal() == null ? \"\" : request.getUserPrincipal().getName() %>\n";
    // Servlet 3.0, the newest Tomcat 7 knows
    private static final String WEB_XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<web-app xmlns=\"http://java.sun.com/xml/ns/javaee\" version=\"3.0\">\n"
            + "  <security-constraint>\n"
            + "    <web-resource-collection><web-resource-name>p</web-resource-name>"
            + "<url-pattern>/protected/*</url-pattern></web-resource-collection>\n"
            + "    <auth-constraint><role-name>user</role-name></auth-constraint>\n"
            + "  </security-constraint>\n"
            + "  <login-config><auth-method>FORM</auth-method><form-login-config>"
            + "<form-login-page>/login.html</form-login-page><form-error-page>/error.html</form-error-page>"
            + "</form-login-config></login-config>\n"
            + "  <security-role><role-name>user</role-name></security-role>\n"
            + "</web-app>\n";
    private static final String LOGIN_HTML = "<form method=\"POST\" action=\"j_security_check\">"
            + "<input name=\"j_username\"><input name=\"j_password\" type=\"password\"></form>";
    private static final String USERS_XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tomcat-users>"
            + "<role rolename=\"user\"/><user username=\"" + EmbeddedTomcat.USER + "\" password=\""
            + EmbeddedTomcat.PASSWORD + "\" roles=\"user\"/></tomcat-users>\n";
    private static final String JAVA_OPTS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
            + " --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
            + " --add-opens=java.base/java.nio=ALL-UNNAMED"
            + " --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED";
    private static MemcachedProcess memcached;
    private static MemcachedInspector inspector;
    private static Path work;
    private static Path kryoSerializersWithStandIn;
    private final List<TomcatDistribution> tomcats = new ArrayList<>();

    /** msm's two serializers, as {@code context.xml} names them. */
    private enum Serializer {
        JAVA(""),
        KRYO("transcoderFactoryClass=\"de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory\" "
                + "customConverter=\"de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration\" "
                + "copyCollectionsForSerialization=\"false\" ");

        final String attributes;

        Serializer(String attributes) {
            this.attributes = attributes;
        }
    }

    @BeforeAll
    static void startMemcached() throws IOException {
        work = Files.createDirectories(BuildFiles.required("memsession.jar").toAbsolutePath().getParent()
                .resolve("it-tomcats-msm"));
        kryoSerializersWithStandIn = withSubListStandIn(
                jarNamed(BuildFiles.required("memsession.test.msmKryoJars"), "kryo-serializers-"));
        memcached = MemcachedProcess.start();
        inspector = MemcachedInspector.connect(memcached);
    }

    @AfterAll
    static void stopMemcached() {
        if (inspector != null) {
            inspector.close();
        }
        if (memcached != null) {
            memcached.close();
        }
    }

    @AfterEach
    void stopTomcats() {
        tomcats.forEach(TomcatDistribution::close);
    }

    private static List<Path> jars(Path directory) {
        try (Stream<Path> jars = Files.list(directory)) {
            return jars.filter(jar -> jar.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path jarNamed(Path directory, String prefix) {
        return jars(directory).stream().filter(jar -> jar.getFileName().toString().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + directory));
    }

    /** A copy of kryo-serializers' jar, under its own name, with the stand-in in place of SubListSerializers. */
    private static Path withSubListStandIn(Path kryoSerializers) throws IOException {
        Path patched = Files.createDirectories(work.resolve("kryo-serializers-with-stand-in"))
                .resolve(kryoSerializers.getFileName());
        Files.copy(kryoSerializers, patched, StandardCopyOption.REPLACE_EXISTING);
        try (FileSystem jar = FileSystems.newFileSystem(patched, (ClassLoader) null)) {
            Files.copy(BuildFiles.required("memsession.test.subListStandIn"),
                    jar.getPath("de/javakaffee/kryoserializers/SubListSerializers.class"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return patched;
    }

    /** msm's jars as its users had them in lib/ for {@code serializer}. */
    private static List<Path> msmJars(Serializer serializer) {
        List<Path> jars = new ArrayList<>(jars(BuildFiles.required("memsession.test.msmJars")));
        if (serializer == Serializer.KRYO) {
            jars(BuildFiles.required("memsession.test.msmKryoJars")).stream()
                    .filter(jar -> !jar.getFileName().equals(kryoSerializersWithStandIn.getFileName()))
                    .forEach(jars::add);
            jars.add(kryoSerializersWithStandIn);
        }
        return jars;
    }

    private static List<Path> memsessionJars(Serializer serializer) {
        List<Path> jars = new ArrayList<>(List.of(BuildFiles.required("memsession.jar")));
        if (serializer == Serializer.KRYO) {
            jars.add(BuildFiles.required("memsession.kryo.jar"));
        }
        return jars;
    }

    /** The Manager element as msm's users wrote it, which memsession runs unchanged. */
    private static String manager(String attributes) {
        return "<Manager className=\"" + MSM_CLASS + "\" memcachedNodes=\"n1:" + memcached.address() + "\" "
                + "sessionBackupAsync=\"false\" requestUriIgnorePattern=\".*\\.(ico|png|gif|jpg|css|js)$\" "
                + attributes + "/>";
    }

    /** A Tomcat with the application and joda-time in lib/, but no session manager's jars yet. */
    private TomcatDistribution tomcat(String jvmRoute, String managerXml) {
        TomcatDistribution tomcat = TomcatDistribution.unpack(BuildFiles.required("tomcat.distribution"), work,
                jvmRoute + "-" + System.nanoTime());
        tomcats.add(tomcat);
        return tomcat.port(FreePorts.find()).jvmRoute(jvmRoute)
                .contextXml(managerXml)
                .confFile("tomcat-users.xml", USERS_XML)
                .deployRootApp(Map.of("session.jsp", SESSION_JSP, "protected/page.jsp", PROTECTED_JSP,
                        "login.html", LOGIN_HTML, "error.html", "failed", "WEB-INF/web.xml", WEB_XML))
                .addLibJar(BuildFiles.required("joda-time.jar"))
                .javaOpts(JAVA_OPTS);
    }

    private TomcatDistribution withMsm(String jvmRoute, Serializer serializer, String attributes) {
        TomcatDistribution tomcat = tomcat(jvmRoute, manager(serializer.attributes + attributes));
        msmJars(serializer).forEach(tomcat::addLibJar);
        return tomcat;
    }

    /** What the operator does: msm's jars out of lib/, memsession's in; context.xml stays as it is. */
    private static void switchToMemsession(TomcatDistribution tomcat, Serializer serializer) {
        msmJars(serializer).forEach(jar -> tomcat.removeLibJar(jar.getFileName().toString()));
        memsessionJars(serializer).forEach(tomcat::addLibJar);
    }

    private static Page session(WebClient browser, TomcatDistribution tomcat) {
        WebClient.Response response = browser.get(tomcat.httpPort(), "/session.jsp");
        assertEquals(200, response.status(), response.toString());
        Page page = Page.of(response);
        assertEquals(SINCE, page.get("since"), "the DateTime, " + page);
        assertEquals("Europe/Berlin", page.get("zone"), page.toString());
        return page;
    }

    private static boolean isMemsessions(byte[] stored) {
        return stored != null && new String(stored, 0, 4, StandardCharsets.ISO_8859_1).equals("MSES");
    }

    private static boolean isMsms(byte[] stored) {
        return stored != null && stored.length > 2 && stored[0] == 0 && stored[1] == 2;
    }

    /**
     * In non-sticky mode without the login: msm 2.3.2 does not reliably store a session that a FORM login page
     * created, on Tomcat 7.0.109 as on 9.0.117. Its debug log shows why: Tomcat changes the new session's id in
     * the request that created it, msm backs the session up under the id it created ("No session found in session
     * map"), so the request's hold on the session is never released, and every later request skips the write
     * ("still used by another request"), while msm serves the session from the memory of the Tomcat that created
     * it. Seen here, memcached then held the logged-in session missing, as the login left it, or (rarely)
     * current; whether such a login carries over depends on msm, not on memsession. The sessions without a login
     * are stored reliably, and carry over.
     */
    @ParameterizedTest(name = "sticky={0}, {1}")
    @CsvSource({"true, JAVA", "true, KRYO", "false, JAVA", "false, KRYO"})
    void sessionsAndLoginsMsmWroteGoOnAfterTheJarSwap(boolean sticky, Serializer serializer) {
        TomcatDistribution tomcat = withMsm("tc1", serializer, "sticky=\"" + sticky + "\"");
        tomcat.start();
        int msmsConsole;
        try (WebClient cart = new WebClient(); WebClient login = new WebClient()) {
            session(cart, tomcat);
            Page before = session(cart, tomcat);
            assertEquals(2, before.counter());
            await().alias("msm wrote " + before).atMost(5, SECONDS).until(() -> isMsms(inspector.get(before.id())));
            Page loggedIn = null;
            if (sticky) {
                loggedIn = Logins.form(login, tomcat.httpPort(), "/protected/page.jsp");
                String id = loggedIn.id();
                await().alias("msm wrote " + id).atMost(5, SECONDS).until(() -> isMsms(inspector.get(id)));
            }

            tomcat.stop();
            msmsConsole = tomcat.consoleLog().length();
            switchToMemsession(tomcat, serializer);
            tomcat.start();

            Page after = session(cart, tomcat);
            assertEquals(before.id(), after.id(), "the same session");
            assertEquals(3, after.counter());
            assertTrue(isMemsessions(inspector.get(after.id())), "written in memsession's format from now on");
            if (sticky) {
                WebClient.Response stillLoggedIn = login.get(tomcat.httpPort(), "/protected/page.jsp");
                assertEquals(200, stillLoggedIn.status(), stillLoggedIn.toString());
                assertEquals(EmbeddedTomcat.USER, Page.of(stillLoggedIn).get("user"), "no new login");
                assertEquals(loggedIn.id(), Page.of(stillLoggedIn).id());
            }
        }
        // stopped as an operator stops it: a thread memsession left running would be reported (SEVERE on Tomcat 7);
        // msm's part of the console may have msm's own (its memcached client's thread left running at its stop)
        tomcat.stop();
        String memsessions = tomcat.consoleLog().substring(msmsConsole);
        assertTrue(memsessions.contains("imports the sessions memcached-session-manager wrote"), memsessions);
        assertEquals(List.of(), memsessions.lines().filter(line -> line.contains("SEVERE"))
                .collect(Collectors.toList()), "memsession's console");
    }

    /**
     * Sticky, msm on {@code tc1} and memsession on {@code tc2}: a session msm wrote fails over to memsession and goes
     * on; msm cannot read a session memsession wrote, gives its user a new session and leaves memsession's
     * untouched, so the user is back in it on a memsession Tomcat.
     */
    @Test
    void mixedStickyClusterLosesNothingMsmCanReadAndMsmLeavesMemsessionsSessionsAlone() {
        TomcatDistribution msm = withMsm("tc1", Serializer.JAVA, "");
        TomcatDistribution memsession = withMsm("tc2", Serializer.JAVA, "");
        switchToMemsession(memsession, Serializer.JAVA);
        startAll(msm, memsession);
        try (WebClient browser = new WebClient()) {
            session(browser, msm);
            assertEquals(2, session(browser, msm).counter());
            msm.kill9();

            Page failedOver = session(browser, memsession);
            assertEquals(3, failedOver.counter(), "msm's session goes on on memsession's Tomcat");
            assertTrue(failedOver.id().endsWith(".tc2"), failedOver.id());
            byte[] memsessions = inspector.get(failedOver.id());
            assertTrue(isMemsessions(memsessions));

            msm.start();
            Page onMsm = session(browser, msm);
            assertEquals(1, onMsm.counter(), "msm cannot read memsession's format: a new session");
            assertNotEquals(failedOver.id(), onMsm.id());
            assertArrayEquals(memsessions, inspector.get(failedOver.id()), "msm left memsession's session alone");

            browser.setCookie("JSESSIONID", failedOver.id());
            assertEquals(4, session(browser, memsession).counter(), "and the user is back in it on memsession");
        }
        assertTrue(msm.consoleLog().contains("Could not load session with id"), "msm's WARNING, as documented");
    }

    /**
     * Non-sticky, msm on {@code ns1} and memsession on {@code ns2}, both serving: the session msm wrote goes on on
     * memsession; once memsession has written it, msm gives a request for it a new session (what
     * docs/migration.md says not to let happen) and leaves memsession's value alone.
     */
    @Test
    void mixedNonStickyClusterMsmLeavesMemsessionsSessionsAlone() {
        String attributes = "sticky=\"false\"";
        TomcatDistribution msm = withMsm("ns1", Serializer.JAVA, attributes);
        TomcatDistribution memsession = withMsm("ns2", Serializer.JAVA, attributes);
        switchToMemsession(memsession, Serializer.JAVA);
        startAll(msm, memsession);
        try (WebClient browser = new WebClient()) {
            Page first = session(browser, msm);
            await().atMost(5, SECONDS).until(() -> isMsms(inspector.get(first.id())));

            Page onMemsession = session(browser, memsession);
            assertEquals(first.id(), onMemsession.id());
            assertEquals(2, onMemsession.counter(), "msm's session goes on on memsession's Tomcat");
            byte[] memsessions = inspector.get(first.id());
            assertTrue(isMemsessions(memsessions));

            Page onMsm = session(browser, msm);
            assertEquals(1, onMsm.counter(), "msm cannot read memsession's format: a new session");
            assertArrayEquals(memsessions, inspector.get(first.id()), "msm left memsession's session alone");
        }
    }

    /**
     * The configuration of msm's guides, attribute for attribute, on two memsession Tomcats ({@code tc1},
     * {@code tc2}) and two memcached nodes: new sessions live on {@code n2} while it is up ({@code n1} is the
     * failover node). A Tomcat killed (SIGKILL): its sessions go on on the other. The memcached node holding a
     * session killed: the session, in its Tomcat's memory, goes on and moves to {@code n1}; that Tomcat killed
     * next: the session goes on on the other Tomcat, from {@code n1}.
     */
    @Test
    void theGuidesConfigurationSurvivesKillingATomcatAndTheMemcachedNodeOfTheSession() {
        try (MemcachedProcess n2 = MemcachedProcess.start(); MemcachedInspector onN2 = MemcachedInspector.connect(n2)) {
            String seed = "<Manager className=\"" + MSM_CLASS + "\"\n"
                    + "  memcachedNodes=\"n1:" + memcached.address() + ",n2:" + n2.address() + "\" "
                    + "failoverNodes=\"n1\"\n"
                    + "  requestUriIgnorePattern=\".*\\.(ico|png|gif|jpg|css|js)$\"\n"
                    + "  sessionBackupAsync=\"false\" sessionBackupTimeout=\"100\" "
                    + "copyCollectionsForSerialization=\"false\"\n"
                    + "  transcoderFactoryClass=\"de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory\"\n"
                    + "  customConverter=\"de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration\" />";
            TomcatDistribution tc1 = tomcat("tc1", seed);
            TomcatDistribution tc2 = tomcat("tc2", seed);
            memsessionJars(Serializer.KRYO).forEach(jar -> {
                tc1.addLibJar(jar);
                tc2.addLibJar(jar);
            });
            startAll(tc1, tc2);
            try (WebClient browser = new WebClient(); WebClient other = new WebClient()) {
                session(browser, tc1);
                Page onTc1 = session(browser, tc1);
                assertEquals(2, onTc1.counter());
                assertTrue(onTc1.id().endsWith("-n2.tc1"), "on n2, not on the failover node: " + onTc1.id());
                assertTrue(isMemsessions(onN2.get(onTc1.id())));
                Page otherOnTc2 = session(other, tc2);
                assertTrue(otherOnTc2.id().endsWith("-n2.tc2"), otherOnTc2.id());

                tc1.kill9();
                Page failedOver = session(browser, tc2);
                assertEquals(3, failedOver.counter(), "the session goes on on tc2");
                assertEquals(onTc1.id().replace(".tc1", ".tc2"), failedOver.id());
                assertTrue(isMemsessions(onN2.get(failedOver.id())));

                n2.kill();
                // The request that finds n2 gone may come before memsession has noticed: its write fails, the
                // session stays in tc2's memory, and the next request moves it.
                assertEquals(2, session(other, tc2).counter(), "the session goes on without its memcached node");
                Page moved = session(other, tc2);
                assertEquals(3, moved.counter());
                assertEquals(otherOnTc2.id().replace("-n2.", "-n1."), moved.id(), "moved to n1");
                assertTrue(isMemsessions(inspector.get(moved.id())), "stored on n1");
                assertEquals(4, session(browser, tc2).counter());
                Page alsoMoved = session(browser, tc2);
                assertEquals(5, alsoMoved.counter());
                assertEquals(failedOver.id().replace("-n2.", "-n1."), alsoMoved.id());

                tc1.start();
                tc2.kill9();
                Page onTc1Again = session(other, tc1);
                assertEquals(4, onTc1Again.counter(), "and goes on on tc1 from n1 after tc2 is gone too");
                assertEquals(moved.id().replace(".tc2", ".tc1"), onTc1Again.id());
                assertEquals(6, session(browser, tc1).counter(), "the other session too");
            }
            assertEquals(List.of(), tc1.severeLines(), "tc1's console");
            assertEquals(List.of(), tc2.severeLines(), "tc2's console");
        }
    }

    /** Starts the Tomcats side by side: each start takes seconds, mostly of one core. */
    private static void startAll(TomcatDistribution... tomcats) {
        Stream.of(tomcats).parallel().forEach(TomcatDistribution::start);
    }
}
