package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.tomcat.util.modeler.ManagedBean;
import org.apache.tomcat.util.modeler.Registry;
import org.apache.tomcat.util.modeler.modules.MbeansDescriptorsIntrospectionSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Manager's MBean against memcached-session-manager 2.3.2's, read from msm's real jars (Maven Central, copied to
 * {@code target/msm} by the build) and described by the same Tomcat introspection that registered msm's Manager in
 * Tomcat: every {@code msmStat*} attribute with msm's name and type, every other attribute by name, every operation
 * with msm's name and signature, but the internals listed below.
 */
class MsmMBeanTest {

    /**
     * Operations of msm's MBean that were its plumbing, public for its own classes, and mean nothing to an operator:
     * memsession has none of them (docs/migration.md, Statistics).
     */
    private static final Set<String> MSM_INTERNALS = Set.of(
            "contextHasFormBasedSecurityConstraint()",
            "generateSessionId()",
            "getSessionInternal(java.lang.String)",
            "getSetCookieHeaders(org.apache.catalina.connector.Response)",
            "getString(java.lang.String)",
            "getString(java.lang.String, [Ljava.lang.Object;)",
            "incrementRejectedSessions()",
            "incrementSessionCounter()",
            "newMemcachedBackupSession()",
            "startInternal()",
            "stopInternal()");

    /** Read-only attributes of msm's that were its plumbing: whether its service had started, the cookie's name. */
    private static final Set<String> MSM_INTERNAL_ATTRIBUTES = Set.of("initialized", "sessionCookieName");

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();

    @Test
    void everyMsmStatisticAndOperationIsThereWithMsmsTypes() throws Exception {
        MBeanInfo msm = msmsManagerBean();
        tomcats.start("tc1", MEMCACHED.memcachedNodes("n1"));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = server.queryNames(new ObjectName("*:type=Manager,host=localhost,context=/"), null)
                .iterator().next();
        MBeanInfo ours = server.getMBeanInfo(name);

        Map<String, String> msmStatistics = statistics(msm);
        assertEquals(25, msmStatistics.size(), "msm's statistics: " + msmStatistics);
        Map<String, String> ourStatistics = statistics(ours);
        ourStatistics.keySet().retainAll(msmStatistics.keySet());
        assertEquals(msmStatistics, ourStatistics, "msm's statistics, with their types");
        for (String statistic : msmStatistics.keySet()) {
            server.getAttribute(name, statistic); // and each can be read
        }

        Set<String> attributes = names(msm);
        attributes.removeAll(names(ours));
        assertEquals(MSM_INTERNAL_ATTRIBUTES, attributes, "msm's attributes that memsession's MBean lacks");

        Set<String> missing = operations(msm);
        missing.removeAll(operations(ours));
        assertEquals(new TreeSet<>(MSM_INTERNALS), missing, "msm's operations that memsession lacks");
    }

    /** msm's Manager class as Tomcat's introspection described it for Tomcat's registry. */
    private static MBeanInfo msmsManagerBean() throws Exception {
        Path jars = Path.of(System.getProperty("memsession.test.msmJars", "target/msm"));
        URL[] urls;
        try (Stream<Path> files = Files.list(jars)) {
            urls = files.filter(file -> file.getFileName().toString().startsWith("memcached-session-manager"))
                    .map(MsmMBeanTest::url).toArray(URL[]::new);
        }
        assertEquals(2, urls.length, "msm's core and Tomcat 9 jars in " + jars);
        try (URLClassLoader loader = new MsmFirst(urls, MsmMBeanTest.class.getClassLoader())) {
            Class<?> manager = Class.forName("de.javakaffee.web.msm.MemcachedBackupSessionManager", false, loader);
            assertEquals(jars.toUri().toString(), Path.of(manager.getProtectionDomain().getCodeSource().getLocation()
                    .toURI()).getParent().toUri().toString(), "msm's own class, not memsession's alias");
            ManagedBean bean = new MbeansDescriptorsIntrospectionSource().createManagedBean(
                    Registry.getRegistry(null, null), null, manager, manager.getName());
            return bean.createMBean(null).getMBeanInfo();
        }
    }

    /** msm's classes from msm's jars, though memsession's alias of the same name is on the test class path. */
    private static final class MsmFirst extends URLClassLoader {

        MsmFirst(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("de.javakaffee.web.msm.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }

    private static URL url(Path file) {
        try {
            return file.toUri().toURL();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> statistics(MBeanInfo bean) {
        return Arrays.stream(bean.getAttributes()).filter(a -> a.getName().startsWith("msmStat"))
                .collect(Collectors.toMap(MBeanAttributeInfo::getName, MBeanAttributeInfo::getType, (a, b) -> a,
                        TreeMap::new));
    }

    private static Set<String> names(MBeanInfo bean) {
        return Arrays.stream(bean.getAttributes()).map(MBeanAttributeInfo::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> operations(MBeanInfo bean) {
        Set<String> operations = new TreeSet<>();
        for (MBeanOperationInfo operation : bean.getOperations()) {
            operations.add(operation.getName() + "(" + Arrays.stream(operation.getSignature())
                    .map(MBeanParameterInfo::getType).collect(Collectors.joining(", ")) + ")");
        }
        return operations;
    }
}
