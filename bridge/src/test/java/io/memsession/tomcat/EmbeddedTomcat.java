package io.memsession.tomcat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.authenticator.BasicAuthenticator;
import org.apache.catalina.authenticator.FormAuthenticator;
import org.apache.catalina.realm.MemoryRealm;
import org.apache.catalina.startup.Tomcat;

import io.memsession.testkit.FreePorts;

/**
 * An embedded Tomcat of the line under test, on a free loopback port, serving {@link TestServlet} at the root context (or another context
 * path) with a {@link MemcachedSessionManager}. The Context runs its background work every second and expires sessions on every
 * run, so expiry scenarios take seconds.
 */
final class EmbeddedTomcat implements AutoCloseable {

    /** User and password of the login scenarios. */
    static final String USER = "testuser";
    static final String PASSWORD = "secret";

    private final Tomcat tomcat = new Tomcat();
    private boolean closed;
    private final int port;
    private final Path baseDir;
    private final Context context;
    private final MemcachedSessionManager manager;
    /** A second web application beside the first, or null. */
    private Context secondContext;

    private EmbeddedTomcat(String contextPath, String jvmRoute, String authMethod,
                           Consumer<Context> contextConfiguration, Consumer<MemcachedSessionManager> configuration)
            throws IOException {
        this(contextPath, jvmRoute, authMethod, contextConfiguration, MemcachedSessionManager::new, configuration);
    }

    private EmbeddedTomcat(String contextPath, String jvmRoute, String authMethod,
                           Consumer<Context> contextConfiguration, Supplier<MemcachedSessionManager> newManager,
                           Consumer<MemcachedSessionManager> configuration) throws IOException {
        this.port = FreePorts.find();
        this.baseDir = Files.createTempDirectory("memsession-tomcat");
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(port);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getEngine().setJvmRoute(jvmRoute);
        context = addApplication(contextPath, authMethod, contextConfiguration, newManager, configuration);
        manager = (MemcachedSessionManager) context.getManager();
    }

    /** The test application at {@code contextPath}, with a Manager of its own. */
    private Context addApplication(String contextPath, String authMethod, Consumer<Context> contextConfiguration,
                                   Supplier<MemcachedSessionManager> newManager,
                                   Consumer<MemcachedSessionManager> configuration) throws IOException {
        Path docBase = Files.createDirectories(baseDir.resolve("webapp" + contextPath.replace('/', '-')));
        Context application = tomcat.addContext(contextPath, docBase.toString());
        application.setBackgroundProcessorDelay(1);
        MemcachedSessionManager applicationManager = newManager.get();
        applicationManager.setProcessExpiresFrequency(1);
        applicationManager.setSessionBackupAsync("false");
        // A cold first write on a busy build machine can take longer than the 100 ms default, and a timed-out write
        // marks its node down for a second: scenarios about failures must not get one they did not ask for.
        applicationManager.setSessionBackupTimeout("1000");
        configuration.accept(applicationManager);
        application.setManager(applicationManager);
        contextConfiguration.accept(application);
        // A reload forgets servlets that no web.xml declares: add the servlet at every configuration.
        application.addLifecycleListener(event -> {
            if (Lifecycle.CONFIGURE_START_EVENT.equals(event.getType())) {
                Tomcat.addServlet(application, "test", new TestServlet()).setAsyncSupported(true);
                TomcatLine.mapServlet(application, "/", "test");
            }
        });
        if (authMethod != null) {
            secure(application, authMethod);
        }
        return application;
    }

    /** Starts a Tomcat; {@code jvmRoute} may be null. */
    static EmbeddedTomcat start(String jvmRoute, Consumer<MemcachedSessionManager> configuration)
            throws IOException, LifecycleException {
        return start(jvmRoute, null, context -> { }, configuration);
    }

    /**
     * Starts a Tomcat whose {@code /protected/*} needs a BASIC or FORM login as {@link #USER}, and whose
     * {@code /admin/*} needs the role {@code admin}, which the realm gives nobody.
     */
    static EmbeddedTomcat start(String jvmRoute, String authMethod, Consumer<MemcachedSessionManager> configuration)
            throws IOException, LifecycleException {
        return start(jvmRoute, authMethod, context -> { }, configuration);
    }

    /** Starts a Tomcat whose Context is also set up by {@code contextConfiguration} before it starts. */
    static EmbeddedTomcat start(String jvmRoute, String authMethod, Consumer<Context> contextConfiguration,
                                Consumer<MemcachedSessionManager> configuration)
            throws IOException, LifecycleException {
        return start(new EmbeddedTomcat("", jvmRoute, authMethod, contextConfiguration, configuration));
    }

    /**
     * Starts a Tomcat whose Manager is made by {@code newManager}, as Tomcat makes the one a {@code className} names
     * in {@code context.xml}.
     */
    static EmbeddedTomcat startWith(String jvmRoute, Supplier<MemcachedSessionManager> newManager,
                                    Consumer<MemcachedSessionManager> configuration)
            throws IOException, LifecycleException {
        return start(new EmbeddedTomcat("", jvmRoute, null, context -> { }, newManager, configuration));
    }

    /** Starts a Tomcat serving the test application at {@code contextPath} ("/app") instead of the root. */
    static EmbeddedTomcat startAt(String contextPath, String jvmRoute, Consumer<MemcachedSessionManager> configuration)
            throws IOException, LifecycleException {
        return start(new EmbeddedTomcat(contextPath, jvmRoute, null, context -> { }, configuration));
    }

    /**
     * Starts one Tomcat serving the test application twice, at {@code contextPath} and {@code secondContextPath},
     * as two web applications on one host, each with its own Manager set up by {@code configuration} (as one
     * {@code <Manager>} in {@code conf/context.xml} would), its own realm and {@code authMethod} login.
     */
    static EmbeddedTomcat startTwoApplications(String contextPath, String secondContextPath, String authMethod,
                                               Consumer<Context> contextConfiguration,
                                               Consumer<MemcachedSessionManager> configuration)
            throws IOException, LifecycleException {
        EmbeddedTomcat server = new EmbeddedTomcat(contextPath, null, authMethod, contextConfiguration,
                configuration);
        server.secondContext = server.addApplication(secondContextPath, authMethod, contextConfiguration,
                MemcachedSessionManager::new, configuration);
        return start(server);
    }

    private static EmbeddedTomcat start(EmbeddedTomcat server) throws LifecycleException {
        server.tomcat.start();
        if (server.context.getState() != LifecycleState.STARTED
                || (server.secondContext != null && server.secondContext.getState() != LifecycleState.STARTED)) {
            server.close();
            throw new LifecycleException("the context did not start: " + server.context.getState());
        }
        return server;
    }

    private void secure(Context application, String authMethod) throws IOException {
        Path users = baseDir.resolve("users.xml");
        Files.writeString(users, "<tomcat-users><role rolename='user'/><role rolename='admin'/><user username='"
                + USER + "' password='" + PASSWORD + "' roles='user'/></tomcat-users>");
        MemoryRealm realm = new MemoryRealm();
        realm.setPathname(users.toString());
        application.setRealm(realm);
        TomcatLine.requireLogin(application, authMethod, "/protected/*", "user");
        TomcatLine.requireLogin(application, authMethod, "/admin/*", "admin");
        application.getPipeline().addValve("FORM".equals(authMethod) ? new FormAuthenticator() : new BasicAuthenticator());
    }

    int port() {
        return port;
    }

    MemcachedSessionManager manager() {
        return manager;
    }

    Context context() {
        return context;
    }

    /** The Manager of the second web application ({@link #startTwoApplications}). */
    MemcachedSessionManager secondManager() {
        return (MemcachedSessionManager) secondContext.getManager();
    }

    /** Stops and starts the context, as a redeploy does. */
    void reloadContext() {
        context.reload();
    }

    /**
     * Stops the Tomcat; a test may stop one itself before {@link RunningTomcats} stops the rest, so once is enough.
     * Every test's Tomcat stop is also a check that memsession stopped all of its threads with the context: Tomcat
     * logs a thread the web application started and left running (SEVERE on Tomcat 7, WARNING later), which is a
     * leak an operator sees at every redeploy.
     *
     * @throws AssertionError when Tomcat logged a thread left running
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (LogRecorder loader = LogRecorder.of("org.apache.catalina.loader")) {
            tomcat.stop();
            tomcat.destroy();
            List<String> leftRunning = loader.warningsContaining("failed to stop it");
            if (!leftRunning.isEmpty()) {
                throw new AssertionError("threads left running at the context's stop: " + leftRunning);
            }
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        }
    }
}
